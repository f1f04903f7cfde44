#!/bin/bash
# plugin.sh - devstack plugin of mistral: devstack calls it with (stack|unstack|clean) <phase>.
#
# stack install      install the service (setup_develop with MISTRAL_EXTRAS)
# stack post-config  mistral.conf (iniset), Keystone service user and endpoints, database
# stack extra        start api / engine / executor / event-engine / notifier, populate
# unstack            stop the services
# clean              remove configuration, state and the database

# Save trace setting
_XTRACE_MISTRAL_PLUGIN=$(set +o | grep xtrace)
set -o xtrace

source "$(dirname "${BASH_SOURCE[0]}")/lib/mistral"

if is_service_enabled mistral; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Mistral"
        install_mistral
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Mistral"
        configure_mistral
        if is_service_enabled keystone; then
            create_mistral_accounts
        fi
        init_mistral
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Mistral"
        start_mistral
        if [[ "$MISTRAL_POPULATE" == "True" ]]; then
            populate_mistral
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_mistral
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_mistral
    fi
fi

# Restore xtrace
$_XTRACE_MISTRAL_PLUGIN
