"""The ``mistral`` command line, compatible with python-mistralclient's."""

from __future__ import annotations

import os
import sys

from cliff.app import App
from cliff.commandmanager import CommandManager

import mistral
from mistralclient.api import client as api_client
from mistralclient.api.httpclient import APIException
from mistralclient.commands.v2.resources import COMMANDS


class MistralShell(App):
    def __init__(self) -> None:
        manager = CommandManager("mistralclient.commands.v2", convert_underscores=True)
        for name, cls in COMMANDS.items():
            manager.add_command(name, cls)
        super().__init__(
            description="Command-line interface to the Mistral workflow service API v2.",
            version=mistral.__version__,
            command_manager=manager,
            deferred_help=True,
        )
        self._client = None

    def build_option_parser(self, description, version, argparse_kwargs=None):  # type: ignore[override]
        parser = super().build_option_parser(description, version, argparse_kwargs)
        env = os.environ.get
        parser.add_argument("--os-mistral-url", default=env("OS_MISTRAL_URL", ""),
                            help="Mistral API host (Env: OS_MISTRAL_URL).")
        parser.add_argument("--os-auth-token", default=env("OS_AUTH_TOKEN", ""),
                            help="Authentication token (Env: OS_AUTH_TOKEN).")
        parser.add_argument("--os-auth-url", default=env("OS_AUTH_URL", ""),
                            help="Keystone URL (Env: OS_AUTH_URL).")
        parser.add_argument("--os-username", default=env("OS_USERNAME", ""), help="(Env: OS_USERNAME)")
        parser.add_argument("--os-password", default=env("OS_PASSWORD", ""), help="(Env: OS_PASSWORD)")
        parser.add_argument("--os-project-name", default=env("OS_PROJECT_NAME", env("OS_TENANT_NAME", "")),
                            help="(Env: OS_PROJECT_NAME)")
        parser.add_argument("--os-project-id", default=env("OS_PROJECT_ID", ""), help="(Env: OS_PROJECT_ID)")
        parser.add_argument("--os-cacert", default=env("OS_CACERT", ""), help="(Env: OS_CACERT)")
        parser.add_argument("--insecure", action="store_true", default=False,
                            help="Disables SSL/TLS certificate verification.")
        return parser

    @property
    def client(self):  # type: ignore[no-untyped-def]
        if self._client is None:
            o = self.options
            self._client = api_client.client(
                mistral_url=o.os_mistral_url or None,
                auth_token=o.os_auth_token or None,
                project_id=o.os_project_id or None,
                auth_url=o.os_auth_url or None,
                username=o.os_username,
                api_key=o.os_password,
                project_name=o.os_project_name,
                insecure=o.insecure,
                cacert=o.os_cacert or None,
            )
        return self._client

    def clean_up(self, cmd, result, err):  # type: ignore[no-untyped-def]
        pass


def main(argv: list[str] | None = None) -> int:
    shell = MistralShell()
    try:
        return shell.run(sys.argv[1:] if argv is None else argv)
    except APIException as exc:
        sys.stderr.write("ERROR: %s\n" % exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
