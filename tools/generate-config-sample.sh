#!/usr/bin/env bash
# Regenerate etc/mistral.conf.sample from the code (oslo-config-generator), or write it
# to the path given as $1. Run it after adding or changing an option; the unit test
# tests/unit/test_config_sample.py fails while the committed sample is stale.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$here/etc/mistral.conf.sample}"
python="${PYTHON:-python3}"
if [ -x "$here/.venv/bin/python" ] && [ -z "${PYTHON:-}" ]; then python="$here/.venv/bin/python"; fi
# Fixed wrap width and no host-dependent values: the output is the same on every machine.
PYTHONWARNINGS=ignore "$python" -m oslo_config.generator \
  --namespace mistral.config \
  --namespace oslo.db \
  --namespace oslo.messaging \
  --namespace oslo.policy \
  --namespace keystonemiddleware.auth_token \
  --namespace oslo.middleware.healthcheck \
  --wrap-width 79 \
  --output-file "$out"
