#!/bin/bash
# Runs devstack/plugin.sh the way stack.sh / unstack.sh / clean.sh do, on devstack's own
# function files (vendor/, see vendor/README), with stand-ins (standins/) only for what
# needs systemd, root or a running Keystone.
#
#   run-plugin.sh stack        install, post-config, extra (in that order, like stack.sh)
#   run-plugin.sh unstack | clean
#
# The test sets the devstack variables a local.conf would (DEST, DATA_DIR, SERVICE_HOST,
# RABBIT_*, DATABASE_*, MISTRAL_*) and STANDIN_STATE (where the stand-ins keep pids, logs
# and the recorded 'openstack' calls).
set -o errexit -o nounset -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TOP_DIR=$HERE/vendor
export PATH="$HERE/standins:$PATH"
set +o nounset  # devstack's files expect unset variables to read as empty

# what stackrc would have set
STACK_USER=${STACK_USER:-$(whoami)}
ENABLED_SERVICES=${ENABLED_SERVICES:-rabbit,postgresql,keystone}
DISABLED_SERVICES=""
SERVICE_PROTOCOL=${SERVICE_PROTOCOL:-http}
SERVICE_LOCAL_HOST=${SERVICE_LOCAL_HOST:-127.0.0.1}
SERVICE_DOMAIN_NAME=${SERVICE_DOMAIN_NAME:-Default}
SERVICE_PROJECT_NAME=${SERVICE_PROJECT_NAME:-service}
REGION_NAME=${REGION_NAME:-RegionOne}
KEYSTONE_SERVICE_URI=${KEYSTONE_SERVICE_URI:-http://127.0.0.1/identity}
ENABLE_DEBUG_LOG_LEVEL=${ENABLE_DEBUG_LOG_LEVEL:-True}
API_WORKERS=${API_WORKERS:-2}
SYSTEMD_DIR=$STANDIN_STATE/systemd
SYSTEMCTL="sudo systemctl"
KILL_PATH=$(command -v kill)
declare -A _TIME_START _TIME_TOTAL
declare -A SYSTEMD_ENV_VARS

source "$TOP_DIR/functions-common"
source "$TOP_DIR/inc/ini-config"
source "$TOP_DIR/lib/rpc_backend"
source "$TOP_DIR/lib/database"
initialize_database_backends
define_database_baseurl

# stack.sh's own helpers
function echo_summary { echo "== $*"; }

# inc/python stand-ins: the test's virtualenv already has the project installed from this
# checkout (installing again would need the network)
function get_python_exec_prefix { dirname "$(command -v python3)"; }
function setup_develop {
    echo "setup_develop $*" >> "$STANDIN_STATE/calls.log"
    [[ "$1" == "$MISTRAL_DIR" ]] || die $LINENO "setup_develop of $1, expected $MISTRAL_DIR"
}

MISTRAL_DIR=$REPO
source "$REPO/devstack/settings"

case "$1" in
    stack)
        for phase in install post-config extra; do
            source "$REPO/devstack/plugin.sh" stack $phase
        done
        ;;
    unstack|clean)
        source "$REPO/devstack/plugin.sh" "$1"
        ;;
    *) echo "usage: $0 stack|unstack|clean" >&2; exit 2 ;;
esac
echo "run-plugin: $1 done"
