"""``environment-*`` commands."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class EnvironmentFormatter(base.MistralFormatter):
    COLUMNS = [("name", "Name"), ("description", "Description"), ("variables", "Variables"),
               ("scope", "Scope"), ("created_at", "Created at"), ("updated_at", "Updated at")]

    @classmethod
    def list_headings(cls) -> list[str]:
        return [c[1] for c in cls.COLUMNS if c[0] != "variables"]

    @classmethod
    def row(cls, env: Any, lister: bool) -> list:
        data = [env.name, getattr(env, "description", None) or base.NONE]
        if not lister:
            data.append(base.JsonValue(env.variables))
        return data + [env.scope, env.created_at, getattr(env, "updated_at", None) or base.NONE]


class List(base.MistralLister):
    """List the environments this project can see."""

    def _get_format_function(self) -> Any:
        return EnvironmentFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).environments.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=[f for f in EnvironmentFormatter.fields() if f != "variables"],
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one environment (with --export, in the form environment-create reads)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("environment", help="Environment name.")
        parser.add_argument("--export", default=False, action="store_true",
                            help="Only name, description, scope and variables, e.g. with -f yaml "
                                 "a file for environment-create.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        env = base.client(self).environments.get(parsed_args.environment)
        if parsed_args.export:
            return (("name", "description", "scope", "variables"),
                    (env.name, env.description, env.scope, base.JsonValue(env.variables, indent=None)))
        return EnvironmentFormatter.format(env)


class _FromFile(base.ShowOne):
    method = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("file", type=argparse.FileType("r"),
                            help="Environment file (JSON or YAML) with name, variables and optionally "
                                 "description and scope.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        data = utils.load_content(base.read(parsed_args.file))
        if not isinstance(data, dict):
            raise ValueError("%s: an environment file holds a mapping (name, variables, ...)"
                             % parsed_args.file.name)
        env = getattr(base.client(self).environments, self.method)(**data)
        return EnvironmentFormatter.format(env)


class Create(_FromFile):
    """Create an environment from a file."""

    method = "create"


class Update(_FromFile):
    """Update an environment from a file."""

    method = "update"


class Delete(base.Command):
    """Delete environments."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("environment", nargs="+", help="Environment names.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        envs = base.client(self).environments
        utils.do_action_on_many(envs.delete, parsed_args.environment,
                                "Request to delete environment %s has been accepted.",
                                "Unable to delete the specified environment(s).")
