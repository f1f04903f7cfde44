"""``action-*`` commands (ad-hoc action definitions; system actions read-only)."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class ActionFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("is_system", "Is system"), ("input", "Input"),
               ("description", "Description"), ("tags", "Tags"), ("created_at", "Created at"),
               ("updated_at", "Updated at")]

    @classmethod
    def row(cls, a: Any, lister: bool) -> list:
        return [a.id, a.name, a.is_system, base.cut(a.input) if lister else a.input,
                base.cut(a.description) if lister else a.description, base.tags(a), a.created_at,
                getattr(a, "updated_at", None)]


class List(base.MistralLister):
    """List the actions: system ones and the ad-hoc actions this project can see."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--namespace", nargs="?", default="", help="Only the actions of this namespace.")
        return parser

    def _get_format_function(self) -> Any:
        return ActionFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).actions.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=ActionFormatter.fields(),
            namespace=parsed_args.namespace, **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one action, by name or ID."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("action", help="Action name or ID.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the action.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return ActionFormatter.format(base.client(self).actions.get(parsed_args.action, parsed_args.namespace))


class _Upload(base.MistralLister):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("definition", type=argparse.FileType("r"), help="Action definition file (YAML).")
        parser.add_argument("--public", action="store_true", help="Make the actions visible to every project.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the actions.")
        return parser

    def _get_format_function(self) -> Any:
        return ActionFormatter.format_list

    def _validate_parsed_args(self, parsed_args: argparse.Namespace) -> None:
        parsed_args.definition_text = base.read(parsed_args.definition)


class Create(_Upload):
    """Create the ad-hoc actions of a definition file."""

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).actions.create(parsed_args.definition_text,
                                                scope="public" if parsed_args.public else "private",
                                                namespace=parsed_args.namespace)


class Update(_Upload):
    """Update the ad-hoc actions of a definition file (or, with --id, the one with that ID)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--id", help="ID of the one action to update.")
        return parser

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).actions.update(parsed_args.definition_text,
                                                scope="public" if parsed_args.public else "private",
                                                id=parsed_args.id, namespace=parsed_args.namespace)


class Delete(base.Command):
    """Delete an action."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("action", nargs="+", help="Action names or IDs.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the actions.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        actions = base.client(self).actions
        utils.do_action_on_many(lambda s: actions.delete(s, parsed_args.namespace), parsed_args.action,
                                "Request to delete action %s has been accepted.",
                                "Unable to delete the specified action(s).")


class GetDefinition(base.Command):
    """Print the YAML definition of an ad-hoc action."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Action name or ID.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the action.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        action = base.client(self).actions.get(parsed_args.name, parsed_args.namespace)
        self.app.stdout.write(action.definition or "\n")


class Validate(base.ShowOne):
    """Check an action definition file without storing it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("definition", type=argparse.FileType("r"), help="Action definition file (YAML).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        result = base.client(self).actions.validate(base.read(parsed_args.definition))
        return ("Valid", "Error"), (result.get("valid"), result.get("error"))
