#!/usr/bin/env bash
# Run the shared benchmark (../shared/bench) against the real Mistral 23.0.0 and against
# this project, one after the other in one run, and print both results and the ratios.
#   tools/bench-vs-mistral.sh [OUTDIR] [-- extra bench.py args]
# Ours runs as `mistral-server --server all` on embedded defaults (SQLite, fake:/,
# engine + executor + API in one process); the anchor as its kit starts it (SQLite +
# RabbitMQ). Needs ../shared/bench beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
OUT=${1:-/tmp/mistral-bench}
shift || true
[ "${1:-}" = "--" ] && shift
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
BIN=$(dirname "$PY")
mkdir -p "$OUT"

OUR_PORT=${OUR_PORT:-18991}
STATE="$OUT/ours-state"
rm -rf "$STATE"; mkdir -p "$STATE"
cat >"$OUT/ours.conf" <<CONF
[DEFAULT]
state_path = $STATE
[api]
host = 127.0.0.1
port = $OUR_PORT
CONF
"$BIN/mistral-db-manage" --config-file "$OUT/ours.conf" upgrade head >"$OUT/ours-db.log" 2>&1
"$BIN/mistral-server" --server all --config-file "$OUT/ours.conf" >"$OUT/ours-server.log" 2>&1 &
OURS_PID=$!
trap 'kill $OURS_PID 2>/dev/null || true; bash "$BENCH/anchor.sh" stop >/dev/null 2>&1 || true' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$OUR_PORT/v2" >/dev/null && break; sleep 1; done

echo "== ours" >&2
"$PY" "$BENCH/bench.py" --url "http://127.0.0.1:$OUR_PORT/v2" --json "$OUT/ours.json" "$@"
echo "ours: peak RSS $(ps -o rss= -p $OURS_PID | awk '{printf "%.0f MB", $1/1024}') (at end)" >&2
kill $OURS_PID; wait $OURS_PID 2>/dev/null || true

echo "== real Mistral 23.0.0" >&2
# From outside the checkout: the kit's Python snippet must import the real Mistral,
# not this project's package from the current directory.
ANCHOR_URL=$(cd "$OUT" && bash "$BENCH/anchor.sh" start)
"$PY" "$BENCH/bench.py" --url "$ANCHOR_URL" --json "$OUT/anchor.json" "$@"
bash "$BENCH/anchor.sh" stop

"$PY" - "$OUT/ours.json" "$OUT/anchor.json" <<'PY'
import json, sys
ours, anchor = (json.load(open(p)) for p in sys.argv[1:3])
keys = {"W1": "median_s", "W2": "median_s", "W3": "median_s", "W4": "total_s", "W5": "total_s"}
print("%-4s %12s %12s %8s" % ("", "ours (s)", "Mistral (s)", "ratio"))
for w, k in keys.items():
    a, b = ours.get(w, {}).get(k), anchor.get(w, {}).get(k)
    if a is None or b is None:
        print("%-4s %12s %12s %8s" % (w, a, b, "-"))
    else:
        print("%-4s %12.3f %12.3f %7.1fx" % (w, a, b, b / a))
PY
