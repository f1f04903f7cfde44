"""``workbook-*`` commands."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class WorkbookFormatter(base.MistralFormatter):
    COLUMNS = [("name", "Name"), ("namespace", "Namespace"), ("tags", "Tags"), ("scope", "Scope"),
               ("created_at", "Created at"), ("updated_at", "Updated at")]

    @classmethod
    def row(cls, wb: Any, lister: bool) -> list:
        return [wb.name, wb.namespace, base.tags(wb), wb.scope, wb.created_at, getattr(wb, "updated_at", None)]


class List(base.MistralLister):
    """List the workbooks this project can see."""

    def _get_format_function(self) -> Any:
        return WorkbookFormatter.format

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).workbooks.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=WorkbookFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one workbook."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workbook", help="Workbook name.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the workbook.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return WorkbookFormatter.format(base.client(self).workbooks.get(parsed_args.workbook,
                                                                        parsed_args.namespace))


class _Upload(base.ShowOne):
    namespace_default: Any = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("definition", type=argparse.FileType("r"), help="Workbook definition file (YAML).")
        parser.add_argument("--namespace", nargs="?", default=self.namespace_default,
                            help="Namespace of the workbook and its workflows and actions.")
        parser.add_argument("--public", action="store_true",
                            help="Make the workbook visible to every project.")
        return parser


class Create(_Upload):
    """Create a workbook (its workflows and actions) from a definition file."""

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        wb = base.client(self).workbooks.create(base.read(parsed_args.definition), namespace=parsed_args.namespace,
                                                scope="public" if parsed_args.public else "private")
        return WorkbookFormatter.format(wb)


class Update(_Upload):
    """Replace a workbook with the content of a definition file."""

    namespace_default = None

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        wb = base.client(self).workbooks.update(base.read(parsed_args.definition),
                                                namespace=parsed_args.namespace or "",
                                                scope="public" if parsed_args.public else "private")
        return WorkbookFormatter.format(wb)


class Delete(base.Command):
    """Delete workbooks (with their workflows and actions)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workbook", nargs="+", help="Workbook names.")
        parser.add_argument("--namespace", nargs="?", default=None, help="Namespace of the workbooks.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        wbs = base.client(self).workbooks
        utils.do_action_on_many(lambda s: wbs.delete(s, parsed_args.namespace or ""), parsed_args.workbook,
                                "Request to delete workbook %s has been accepted.",
                                "Unable to delete the specified workbook(s).")


class GetDefinition(base.Command):
    """Print the YAML definition of a workbook."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Workbook name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        self.app.stdout.write(base.client(self).workbooks.get(parsed_args.name).definition or "\n")


class Validate(base.ShowOne):
    """Check a workbook definition file without storing it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("definition", type=argparse.FileType("r"), help="Workbook definition file (YAML).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        result = base.client(self).workbooks.validate(base.read(parsed_args.definition))
        return ("Valid", "Error"), (result.get("valid"), result.get("error"))
