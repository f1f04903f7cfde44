#!/usr/bin/env bash
# Ours embedded, ours as a cluster (api + engine + 2 executors over RabbitMQ + PostgreSQL)
# and the real Mistral 23 (../shared/bench/anchor.sh), in one run, printed as one table
# with ratios, CPU per workload and peak RSS per process. Starts and stops everything
# it needs and cleans up on failure. See tools/bench_compare.py for the options, e.g.
#   tools/bench-vs-mistral.sh --out /tmp/bench          # the whole run (~15 min quiet)
#   tools/bench-vs-mistral.sh --quick --layouts embedded  # try it out
# Environment: ANCHOR_VENV (an installed Mistral 23.0.0 venv to reuse), PG_HOST,
# RABBIT (host:port), BENCH_DIR (the kit), PROFILE=1 (py-spy stacks of our processes).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$(pwd)/.venv/bin/python}
[ -x "$PY" ] || PY=python3
exec "$PY" tools/bench_compare.py "$@"
