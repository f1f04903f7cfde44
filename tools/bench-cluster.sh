#!/usr/bin/env bash
# The shared benchmark against the production layout: api, engine and executor as three
# separate mistral-server processes over RabbitMQ (a vhost of its own) and PostgreSQL (a
# database of its own, schema by `mistral-db-manage upgrade head`). Everything made here
# is removed at exit, whatever happened.
#   tools/bench-cluster.sh [OUTDIR] [-- extra bench.py args]
#   e.g. tools/bench-cluster.sh /tmp/bc -- --reps-latency 10 --executions 50
# Environment: PG_HOST (host:port, user postgres, trust), RABBIT (host:port),
# EXECUTOR_TYPE=local (no executor process: the engine runs actions, for comparison),
# PORT (API port), PROFILE=1 records py-spy collapsed stacks (busy threads) of engine and executor
# (needs py-spy on PATH) into OUTDIR; AFTER_BENCH="cmd" runs cmd (with DB_URL and OUT set)
# before the database is dropped.
# Seen on the shared 2-core machine (load 4-8, --reps-latency 10 --executions 50), before
# -> after the heartbeat fixes of 2026-11-23: W1 0.07 -> 0.08 s, W2 1.9 -> 1.9-2.2 s,
# W3 ERROR -> 3.6-4.4 s, W4 ERROR after 241 s -> 12-24 s, W5 81 s -> 4.7-6.1 s (100
# executions: 11.5 s, all SUCCESS); EXECUTOR_TYPE=local: W2 1.5 s, W4 14 s, W5 3.9 s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
OUT=${1:-/tmp/mistral-bench-cluster}
shift || true
[ "${1:-}" = "--" ] && shift
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
BIN=$(dirname "$PY")
PORT=${PORT:-18992}
RABBIT=${RABBIT:-127.0.0.1:5672}
PG_HOST=${PG_HOST:-127.0.0.1:5432}
TAG=bench$(date +%s)$$
VHOST=mistral-$TAG
DB=mistral_$TAG
mkdir -p "$OUT"
rm -f "$OUT"/*.log

PIDS=()
SPY=()
cleanup() {
    set +e
    for p in "${SPY[@]}"; do kill -INT "$p" 2>/dev/null; done  # py-spy writes its file on SIGINT
    for p in "${SPY[@]}"; do wait "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1
    psql -h "${PG_HOST%:*}" -p "${PG_HOST#*:}" -U postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
psql -h "${PG_HOST%:*}" -p "${PG_HOST#*:}" -U postgres -qc "CREATE DATABASE \"$DB\"" >/dev/null

cat >"$OUT/mistral.conf" <<CONF
[DEFAULT]
transport_url = rabbit://guest:guest@$RABBIT/$VHOST
state_path = $OUT/state
[database]
connection = postgresql+psycopg2://postgres@$PG_HOST/$DB
[api]
host = 127.0.0.1
port = $PORT
[executor]
type = ${EXECUTOR_TYPE:-remote}
CONF
"$BIN/mistral-db-manage" --config-file "$OUT/mistral.conf" upgrade head >"$OUT/db-manage.log" 2>&1

SERVERS="engine executor api"
[ "${EXECUTOR_TYPE:-remote}" = local ] && SERVERS="engine api"  # actions in the engine's pool
for s in $SERVERS; do
    "$BIN/mistral-server" --server $s --config-file "$OUT/mistral.conf" >"$OUT/$s.log" 2>&1 &
    PIDS+=($!)
    eval "PID_$s=$!"
done
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/v2" >/dev/null && break; sleep 0.5; done
sleep 2  # engine and executor servers listening

if [ "${PROFILE:-0}" = 1 ]; then
    for s in $SERVERS; do
        [ "$s" = api ] && continue
        eval "pid=\$PID_$s"
        py-spy record -r 20 -f raw -o "$OUT/$s.folded" -p "$pid" >"$OUT/py-spy-$s.log" 2>&1 &
        SPY+=($!)
    done
fi

echo "== cluster: api + engine + executor over RabbitMQ + PostgreSQL" >&2
"$PY" "$BENCH/bench.py" --url "http://127.0.0.1:$PORT/v2" --json "$OUT/cluster.json" "$@"
for s in $SERVERS; do
    eval "pid=\$PID_$s"
    echo "$s: RSS $(ps -o rss= -p "$pid" | awk '{printf "%.0f MB", $1/1024}') (at end)" >&2
done
if [ -n "${AFTER_BENCH:-}" ]; then  # e.g. a query of the run's rows before they are dropped
    DB_URL="postgresql://postgres@$PG_HOST/$DB" OUT="$OUT" bash -c "$AFTER_BENCH" || true
fi
errors=$(cd "$OUT" && grep -c " ERROR " $(for s in $SERVERS; do echo "$s.log"; done) || true)
echo "log lines at ERROR: $errors" >&2
