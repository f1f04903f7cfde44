#!/usr/bin/env bash
# Regenerate etc/policy.yaml.sample (oslopolicy-sample-generator over the rules registered in
# mistral/api/policy.py through the oslo.policy.policies entry point), or write it to $1.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$here/etc/policy.yaml.sample}"
python="${PYTHON:-python3}"
if [ -x "$here/.venv/bin/python" ] && [ -z "${PYTHON:-}" ]; then python="$here/.venv/bin/python"; fi
PYTHONWARNINGS=ignore "$python" -c 'import sys; from oslo_policy.generator import generate_sample; sys.exit(generate_sample())' \
  --namespace mistral --output-file "$out"
