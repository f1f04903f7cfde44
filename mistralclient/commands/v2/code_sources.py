"""``code-source-*`` commands: the Python modules dynamic actions come from."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class CodeSourceFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("namespace", "Namespace"), ("project_id", "Project ID"),
               ("scope", "Scope"), ("created_at", "Created at"), ("updated_at", "Updated at")]


def _identified(parser: argparse.ArgumentParser, nargs: str | None = None, default: Any = "") -> None:
    parser.add_argument("identifier", nargs=nargs, help="Code source name or ID.")
    parser.add_argument("--namespace", nargs="?", default=default, help="Namespace of the code source.")


class List(base.MistralLister):
    """List the code sources this project can see."""

    def _get_format_function(self) -> Any:
        return CodeSourceFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).code_sources.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=CodeSourceFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one code source."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _identified(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return CodeSourceFormatter.format(base.client(self).code_sources.get(parsed_args.identifier,
                                                                             parsed_args.namespace))


class Create(base.ShowOne):
    """Create a code source from a Python file."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Code source name (the module name actions refer to).")
        parser.add_argument("content", type=argparse.FileType("r"), help="Python file with the code.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the code source.")
        parser.add_argument("--public", action="store_true", help="Make it visible to every project.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        src = base.client(self).code_sources.create(
            parsed_args.name, base.read(parsed_args.content), namespace=parsed_args.namespace,
            scope="public" if parsed_args.public else "private")
        return CodeSourceFormatter.format(src)


class Update(base.ShowOne):
    """Replace the code of a code source with the content of a Python file."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Code source name or ID.")
        parser.add_argument("content", type=argparse.FileType("r"), help="Python file with the new code.")
        parser.add_argument("--id", help="Code source ID (instead of the identifier's name).")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the code source.")
        parser.add_argument("--public", action="store_true", help="Make it visible to every project.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        src = base.client(self).code_sources.update(
            parsed_args.id or parsed_args.identifier, base.read(parsed_args.content),
            namespace=parsed_args.namespace, scope="public" if parsed_args.public else "private")
        return CodeSourceFormatter.format(src)


class Delete(base.Command):
    """Delete code sources."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _identified(parser, nargs="+", default=None)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        sources = base.client(self).code_sources
        utils.do_action_on_many(lambda s: sources.delete(s, parsed_args.namespace), parsed_args.identifier,
                                "Request to delete code source '%s' has been accepted.",
                                "Unable to delete the specified code source(s).")


class GetContent(base.Command):
    """Print the code of a code source."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _identified(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        src = base.client(self).code_sources.get(parsed_args.identifier, parsed_args.namespace)
        self.app.stdout.write(src.content or "\n")
