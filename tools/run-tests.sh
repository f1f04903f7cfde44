#!/usr/bin/env bash
# Install the project (every extra) and its test requirements into ./.venv at the
# known-good versions of constraints.txt, make sure the local PostgreSQL, MariaDB,
# RabbitMQ and Redis are up (starting any that is down), and run the whole test suite.
# Extra arguments go to pytest.
#
# Before a whole-suite run (no arguments) the drift pass (tools/check-drift.sh) runs
# tests/unit with the newest versions our ranges allow and prints a 'DRIFT CHECK:' line;
# it warns, it does not fail the run (DRIFT_STRICT=1 makes it fatal, DRIFT_CHECK=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="postgresql,mysql,redis,openstack"
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -U pip >/dev/null
"$VENV/bin/pip" install -q --disable-pip-version-check -c constraints.txt \
  -e ".[$EXTRAS]" -r test-requirements.txt

bash tools/ensure-services.sh

if [ $# -eq 0 ] && [ "${DRIFT_CHECK:-1}" != 0 ]; then
  bash tools/check-drift.sh
fi

exec "$VENV/bin/python" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
