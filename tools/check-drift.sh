#!/usr/bin/env bash
# The drift pass: tests/unit against the NEWEST versions our ranges allow.
#
# The main suite installs from constraints.txt (known-good, reproducible). A user who
# runs 'pip install mistral' gets whatever PyPI serves today instead; this pass shows
# when that breaks before a user meets it. It keeps its own virtualenv
# (~/.cache/mistral-tests/drift-venv, upgraded eagerly on every run, no constraints),
# runs tests/unit there (pure tests, well under a minute) and prints one verdict line:
#
#   DRIFT CHECK: OK ...       the newest allowed versions pass
#   DRIFT CHECK: FAILED ...   they do not; the packages that differ from constraints.txt
#                             are listed: narrow a range or fix the code, then refresh
#                             constraints.txt with tools/update-constraints.sh
#
# Exit status: 0 unless DRIFT_STRICT=1 and the pass failed (then 1). By default a failure
# only warns, because it is caused by a release on PyPI, not by the change under test:
# the constrained suite decides whether a change is good, this pass tells that the world
# moved. Set DRIFT_STRICT=1 (e.g. in a scheduled job) to make it fatal.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${DRIFT_VENV:-$HOME/.cache/mistral-tests/drift-venv}
EXTRAS=$(sed -n 's/^EXTRAS=//p' tools/run-tests.sh | head -1 | tr -d '"')
log=$(mktemp)
trap 'rm -f "$log"' EXIT

verdict() {  # status message
  echo "DRIFT CHECK: $1 — $2"
  if [ "$1" = FAILED ] && [ "${DRIFT_STRICT:-0}" = 1 ]; then exit 1; fi
  exit 0
}

mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV" || verdict FAILED "cannot create $VENV"
if ! PIP_CONSTRAINT= "$VENV/bin/pip" install -q --disable-pip-version-check -U --upgrade-strategy eager \
    -e ".[$EXTRAS]" -r test-requirements.txt >"$log" 2>&1; then
  tail -20 "$log"
  verdict FAILED "the newest allowed versions do not install (see above)"
fi

# what differs from the known-good set
newer=$("$VENV/bin/pip" freeze --disable-pip-version-check --exclude-editable | LC_ALL=C sort -f \
  | "$VENV/bin/python" -c '
import sys
known = {}
for line in open("constraints.txt"):
    if "==" in line and not line.startswith("#"):
        name, ver = line.strip().split("==", 1)
        known[name.lower().replace("_", "-")] = ver
out = []
for line in sys.stdin:
    if "==" not in line:
        continue
    name, ver = line.strip().split("==", 1)
    k = name.lower().replace("_", "-")
    if k in known and known[k] != ver:
        out.append(f"{name} {known[k]} -> {ver}")
    elif k not in known and k not in ("pip", "setuptools", "wheel"):
        out.append(f"{name} (new) {ver}")
print(", ".join(out) or "none")
')

echo "drift pass: tests/unit with the newest allowed versions (differing from constraints.txt: $newer)"
if "$VENV/bin/python" -m pytest -p no:cacheprovider -q -n "${PYTEST_WORKERS:-2}" tests/unit >"$log" 2>&1; then
  verdict OK "tests/unit pass with the newest allowed versions ($(tail -1 "$log" | tr -d '='))"
fi
grep -E '^(FAILED|ERROR) ' "$log" | head -30
verdict FAILED "tests/unit fail with the newest allowed versions ($(tail -1 "$log" | tr -d '=')); differing: $newer"
