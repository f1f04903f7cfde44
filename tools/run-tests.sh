#!/usr/bin/env bash
# Install the project and its test requirements into ./.venv, make sure the local
# PostgreSQL, MariaDB, RabbitMQ and Redis are up (starting any that is down), and run
# the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -U pip >/dev/null
"$VENV/bin/pip" install -q --disable-pip-version-check -e . -r test-requirements.txt

bash tools/ensure-services.sh

exec "$VENV/bin/python" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
