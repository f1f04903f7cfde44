"""The ``mistral`` command line: python-mistralclient 6.3.0's commands and options.

Beyond the original: ``execution-create --wait``, ``execution-watch``,
``execution-revert``, ``service-list`` and ``--os-cloud`` (a ``clouds.yaml`` entry,
``OS_CLOUD``). Errors are one line on stderr (the traceback only with ``--debug``) and
a non-zero exit.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from cliff import app, commandmanager, help as cliff_help

import mistralclient
from mistralclient.api import client
from mistralclient.auth import auth_types
from mistralclient.commands.v2 import (
    action_executions,
    actions,
    base,
    code_sources,
    cron_triggers,
    dynamic_actions,
    environments,
    event_triggers,
    executions,
    members,
    services,
    tasks,
    watch,
    workbooks,
    workflows,
)
from mistralclient.errors import one_line
from mistralclient import exceptions


def env(*names: str, default: Any = "") -> Any:
    """The first environment variable of ``names`` that is set and not empty."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


class BashCompletionCommand(base.Command):
    """Print every command and global option, for bash completion."""

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        words = {name for name, _ in self.app.command_manager}
        words |= set(self.app.parser._option_string_actions)
        self.app.stdout.write(" ".join(sorted(words)) + "\n")


class HelpFormatter(argparse.HelpFormatter):
    def start_section(self, heading: str | None) -> None:
        super().start_section(heading[:1].upper() + heading[1:] if heading else heading)


# (option strings, dest, environment variables, default, help); all plain ``store``.
STORE_OPTIONS = [
    (["--os-mistral-url"], "mistral_url", ["OS_MISTRAL_URL"], "", "Mistral API URL, e.g. http://host:8989/v2."),
    (["--os-mistral-version"], "mistral_version", ["OS_MISTRAL_VERSION"], "v2", "Mistral API version (v2)."),
    (["--os-mistral-service-type"], "service_type", ["OS_MISTRAL_SERVICE_TYPE"], "workflowv2",
     "Service type of Mistral in the Keystone catalog."),
    (["--os-mistral-endpoint-type"], "endpoint_type", ["OS_MISTRAL_ENDPOINT_TYPE"], "publicURL",
     "Endpoint type of Mistral in the Keystone catalog."),
    (["--os-username"], "username", ["OS_USERNAME"], "", "Keystone user name."),
    (["--os-password"], "password", ["OS_PASSWORD"], "", "Keystone password."),
    (["--os-tenant-id"], "tenant_id", ["OS_TENANT_ID", "OS_PROJECT_ID"], "", "Project ID (old name)."),
    (["--os-project-id"], "project_id", ["OS_TENANT_ID", "OS_PROJECT_ID"], "", "Keystone project ID."),
    (["--os-tenant-name"], "tenant_name", ["OS_TENANT_NAME", "OS_PROJECT_NAME"], "", "Project name (old name)."),
    (["--os-project-name"], "project_name", ["OS_TENANT_NAME", "OS_PROJECT_NAME"], "", "Keystone project name."),
    (["--os-auth-token"], "token", ["OS_AUTH_TOKEN"], "", "A Keystone token to use instead of a password."),
    (["--os-project-domain-name"], "project_domain_name", ["OS_PROJECT_DOMAIN_NAME"], "", "Project domain name."),
    (["--os-project-domain-id"], "project_domain_id", ["OS_PROJECT_DOMAIN_ID"], "", "Project domain ID."),
    (["--os-user-domain-name"], "user_domain_name", ["OS_USER_DOMAIN_NAME"], "", "User domain name."),
    (["--os-user-domain-id"], "user_domain_id", ["OS_USER_DOMAIN_ID"], "", "User domain ID."),
    (["--os-auth-url"], "auth_url", ["OS_AUTH_URL"], "", "Keystone URL, e.g. http://keystone:5000/v3."),
    (["--os-cert"], "os_cert", ["OS_CERT"], "", "Client certificate file."),
    (["--os-key"], "os_key", ["OS_KEY"], "", "Client certificate key file."),
    (["--os-cacert"], "os_cacert", ["OS_CACERT"], "", "CA certificate bundle to verify the servers with."),
    (["--os-region-name"], "region_name", ["OS_REGION_NAME"], "", "Region of the Mistral endpoint."),
    (["--auth-type"], "auth_type", ["MISTRAL_AUTH_TYPE"], "keystone",
     "Authentication type, one of: %s." % ", ".join(auth_types.ALL)),
    (["--openid-client-id"], "client_id", ["OPENID_CLIENT_ID"], "", "OpenID Connect client ID."),
    (["--openid-client-secret"], "client_secret", ["OPENID_CLIENT_SECRET"], "", "OpenID Connect client secret."),
    (["--os-target-username"], "target_username", ["OS_TARGET_USERNAME"], "admin",
     "User name in the target cloud (actions acting on another cloud)."),
    (["--os-target-password"], "target_password", ["OS_TARGET_PASSWORD"], "", "Password in the target cloud."),
    (["--os-target-tenant-id"], "target_tenant_id", ["OS_TARGET_TENANT_ID"], "", "Project ID in the target cloud."),
    (["--os-target-tenant-name"], "target_tenant_name", ["OS_TARGET_TENANT_NAME"], "",
     "Project name in the target cloud."),
    (["--os-target-auth-token"], "target_token", ["OS_TARGET_AUTH_TOKEN"], "", "Token for the target cloud."),
    (["--os-target-auth-url"], "target_auth_url", ["OS_TARGET_AUTH_URL"], "", "Keystone URL of the target cloud."),
    (["--os-target_cacert"], "target_cacert", ["OS_TARGET_CACERT"], "", "CA bundle for the target cloud."),
    (["--os-target-region-name"], "target_region_name", ["OS_TARGET_REGION_NAME"], "", "Target cloud region."),
    (["--os-target-user-domain-name"], "target_user_domain_name", ["OS_TARGET_USER_DOMAIN_NAME"], "",
     "User domain name in the target cloud."),
    (["--os-target-user-domain-id"], "target_user_domain_id", ["OS_TARGET_USER_DOMAIN_ID"], "",
     "User domain ID in the target cloud."),
    (["--os-target-project-domain-name"], "target_project_domain_name", ["OS_TARGET_PROJECT_DOMAIN_NAME"], "",
     "Project domain name in the target cloud."),
    (["--os-target-project-domain-id"], "target_project_domain_id", ["OS_TARGET_PROJECT_DOMAIN_ID"], "",
     "Project domain ID in the target cloud."),
    # Ours: python-mistralclient's CLI has no clouds.yaml support.
    (["--os-cloud"], "cloud", ["OS_CLOUD"], "", "A cloud of clouds.yaml to take credentials from."),
]


def commands_v2() -> dict[str, type]:
    return {
        "bash-completion": BashCompletionCommand,
        **{"workbook-" + k: v for k, v in {
            "list": workbooks.List, "get": workbooks.Get, "create": workbooks.Create,
            "delete": workbooks.Delete, "update": workbooks.Update,
            "get-definition": workbooks.GetDefinition, "validate": workbooks.Validate}.items()},
        **{"workflow-" + k: v for k, v in {
            "list": workflows.List, "get": workflows.Get, "create": workflows.Create,
            "delete": workflows.Delete, "update": workflows.Update,
            "get-definition": workflows.GetDefinition, "validate": workflows.Validate}.items()},
        **{"environment-" + k: v for k, v in {
            "create": environments.Create, "delete": environments.Delete, "update": environments.Update,
            "list": environments.List, "get": environments.Get}.items()},
        "run-action": action_executions.Create,
        **{"action-execution-" + k: v for k, v in {
            "list": action_executions.List, "get": action_executions.Get,
            "get-input": action_executions.GetInput, "get-output": action_executions.GetOutput,
            "update": action_executions.Update, "delete": action_executions.Delete}.items()},
        **{"execution-" + k: v for k, v in {
            "create": executions.Create, "delete": executions.Delete, "update": executions.Update,
            "list": executions.List, "get": executions.Get, "get-input": executions.GetInput,
            "get-output": executions.GetOutput, "get-report": executions.GetReport,
            "get-published": executions.GetPublished,
            "get-sub-executions": executions.SubExecutionsLister,
            "watch": watch.Watch, "revert": executions.Revert}.items()},
        **{"task-" + k: v for k, v in {
            "list": tasks.List, "get": tasks.Get, "get-published": tasks.GetPublished,
            "get-result": tasks.GetResult, "get-sub-executions": tasks.SubExecutionsLister,
            "rerun": tasks.Rerun}.items()},
        **{"action-" + k: v for k, v in {
            "list": actions.List, "get": actions.Get, "create": actions.Create, "delete": actions.Delete,
            "update": actions.Update, "get-definition": actions.GetDefinition,
            "validate": actions.Validate}.items()},
        **{"cron-trigger-" + k: v for k, v in {
            "list": cron_triggers.List, "get": cron_triggers.Get, "create": cron_triggers.Create,
            "delete": cron_triggers.Delete}.items()},
        **{"event-trigger-" + k: v for k, v in {
            "list": event_triggers.List, "get": event_triggers.Get, "create": event_triggers.Create,
            "delete": event_triggers.Delete}.items()},
        **{"member-" + k: v for k, v in {
            "create": members.Create, "delete": members.Delete, "update": members.Update,
            "list": members.List, "get": members.Get}.items()},
        **{"code-source-" + k: v for k, v in {
            "create": code_sources.Create, "get": code_sources.Get, "update": code_sources.Update,
            "list": code_sources.List, "delete": code_sources.Delete,
            "get-content": code_sources.GetContent}.items()},
        **{"dynamic-action-" + k: v for k, v in {
            "create": dynamic_actions.Create, "get": dynamic_actions.Get, "update": dynamic_actions.Update,
            "list": dynamic_actions.List, "delete": dynamic_actions.Delete}.items()},
        "service-list": services.List,
    }


class OneLineErrors(logging.Formatter):
    """Errors as one readable line; the traceback only when --debug asked for it."""

    def __init__(self, debug: bool) -> None:
        super().__init__("%(message)s")
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.msg, BaseException):
            record.msg, record.args = "ERROR: %s" % one_line(record.msg), ()
            if not self.debug:
                record.exc_info = record.exc_text = None
        return super().format(record)


class ClientManager:
    """``app.client_manager.workflow_engine``, as the openstack CLI plugin sees it; built on first use."""

    def __init__(self, shell: "MistralShell") -> None:
        self._shell = shell

    @property
    def workflow_engine(self) -> Any:
        return self._shell.client


class MistralShell(app.App):
    def __init__(self, stdout: Any = None, stderr: Any = None) -> None:
        super().__init__(description="Command-line interface to the Mistral workflow service (API v2).",
                         version=mistralclient.__version__,
                         command_manager=commandmanager.CommandManager("mistral.cli"),
                         stdout=stdout, stderr=stderr)
        for name, cls in commands_v2().items():
            self.command_manager.add_command(name, cls)
        self._client: Any = None
        self.client_manager = ClientManager(self)

    def configure_logging(self) -> None:
        root = logging.getLogger()
        root.setLevel(logging.DEBUG if self.options.debug else logging.WARNING)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        console = logging.StreamHandler(self.stderr)
        console.setFormatter(OneLineErrors(self.options.debug))
        root.addHandler(console)
        if self.options.log_file:
            file_handler = logging.FileHandler(self.options.log_file)
            file_handler.setFormatter(logging.Formatter(self.LOG_FILE_MESSAGE_FORMAT))
            root.addHandler(file_handler)
        if self.options.verbose_level <= 1:
            for noisy in ("requests", "urllib3", "keystoneauth", "iso8601", "stevedore"):
                logging.getLogger(noisy).setLevel(logging.WARNING)

    def build_option_parser(self, description: str, version: str,
                            argparse_kwargs: dict | None = None) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(description=description, add_help=False,
                                         formatter_class=HelpFormatter, **(argparse_kwargs or {}))
        parser.add_argument("--version", action="version", version="%(prog)s {0}".format(version),
                            help="Show the version and exit.")
        parser.add_argument("-v", "--verbose", action="count", dest="verbose_level",
                            default=self.DEFAULT_VERBOSE_LEVEL, help="More output; repeatable.")
        parser.add_argument("--log-file", action="store", default=None, help="Also log to this file.")
        parser.add_argument("-q", "--quiet", action="store_const", dest="verbose_level", const=0,
                            help="Only warnings and errors.")
        parser.add_argument("-h", "--help", action=cliff_help.HelpAction, nargs=0, default=self,
                            help="Show this help (with the list of commands) and exit.")
        parser.add_argument("--debug", default=False, action="store_true",
                            help="Show tracebacks on errors, and the HTTP requests.")
        for flags, dest, names, default, text in STORE_OPTIONS:
            parser.add_argument(*flags, action="store", dest=dest, default=env(*names, default=default),
                                help="%s (Env: %s)" % (text, " or ".join(names)))
        parser.add_argument("--insecure", action="store_true", dest="insecure",
                            default=env("MISTRALCLIENT_INSECURE", default=False),
                            help="Do not verify TLS certificates (Env: MISTRALCLIENT_INSECURE).")
        parser.add_argument("--target_insecure", action="store_true", dest="target_insecure",
                            default=env("TARGET_MISTRALCLIENT_INSECURE", default=False),
                            help="Do not verify the target cloud's TLS certificates "
                                 "(Env: TARGET_MISTRALCLIENT_INSECURE).")
        parser.add_argument("--profile", dest="profile", metavar="HMAC_KEY", default=env("OS_PROFILE"),
                            help="osprofiler HMAC key to profile the request with (Env: OS_PROFILE).")
        return parser

    def initialize_app(self, argv: list[str]) -> None:
        client.determine_client_version(self.options.mistral_version)
        o = self.options
        if not o.auth_url and not o.cloud and (o.password or o.token) and not o.mistral_url:
            o.auth_url = "http://localhost:35357/v3"
        if o.auth_type == "keystone" and not (o.auth_url or "").endswith("/v2.0"):
            for domain in ("project_domain", "user_domain", "target_project_domain", "target_user_domain"):
                if not getattr(o, domain + "_id") and not getattr(o, domain + "_name"):
                    setattr(o, domain + "_id", "default")
        if o.auth_url and not o.token and not o.cloud:
            if not o.username:
                raise exceptions.IllegalArgumentException(
                    "You must provide a username via --os-username env[OS_USERNAME]")
            if not o.password:
                raise exceptions.IllegalArgumentException(
                    "You must provide a password via --os-password env[OS_PASSWORD]")

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._create_client()
        return self._client

    def _create_client(self) -> Any:
        o = self.options
        return client.client(
            mistral_url=o.mistral_url, username=o.username, api_key=o.password,
            project_name=o.tenant_name or o.project_name, auth_url=o.auth_url,
            project_id=o.tenant_id or o.project_id, endpoint_type=o.endpoint_type,
            service_type=o.service_type, region_name=o.region_name, auth_token=o.token,
            cacert=o.os_cacert, insecure=o.insecure, profile=o.profile, auth_type=o.auth_type,
            client_id=o.client_id, client_secret=o.client_secret, cloud=o.cloud,
            target_username=o.target_username, target_api_key=o.target_password,
            target_project_name=o.target_tenant_name, target_auth_url=o.target_auth_url,
            target_project_id=o.target_tenant_id, target_auth_token=o.target_token,
            target_cacert=o.target_cacert, target_region_name=o.target_region_name,
            target_insecure=o.target_insecure, cert=o.os_cert, key=o.os_key,
            user_domain_name=o.user_domain_name, user_domain_id=o.user_domain_id,
            project_domain_name=o.project_domain_name, project_domain_id=o.project_domain_id,
            target_project_domain_name=o.target_project_domain_name,
            target_project_domain_id=o.target_project_domain_id,
            target_user_domain_name=o.target_user_domain_name,
            target_user_domain_id=o.target_user_domain_id)


def main(argv: list[str] | None = None) -> int:
    return MistralShell().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
