"""``dynamic-action-*`` commands: actions whose class lives in a code source."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class DynamicActionFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("class_name", "Class"), ("code_source_id", "Code source ID"),
               ("code_source_name", "Code source name"), ("project_id", "Project ID"), ("scope", "Scope"),
               ("created_at", "Created at"), ("updated_at", "Updated at")]


def _scoped(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--public", action="store_true", help="Make it visible to every project.")
    parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the dynamic action.")


class List(base.MistralLister):
    """List the dynamic actions this project can see."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--namespace", nargs="?", default="", help="Only those of this namespace.")
        return parser

    def _get_format_function(self) -> Any:
        return DynamicActionFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).dynamic_actions.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=DynamicActionFormatter.fields(),
            namespace=parsed_args.namespace, **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one dynamic action."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Dynamic action name or ID.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the dynamic action.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return DynamicActionFormatter.format(base.client(self).dynamic_actions.get(parsed_args.identifier,
                                                                                   parsed_args.namespace))


class Create(base.ShowOne):
    """Create a dynamic action: a name for a class of a code source."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Action name.")
        parser.add_argument("class_name", help="Name of the action class in the code source.")
        parser.add_argument("code_source", help="Code source name or ID.")
        _scoped(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        action = base.client(self).dynamic_actions.create(
            parsed_args.name, parsed_args.class_name, parsed_args.code_source,
            namespace=parsed_args.namespace, scope="public" if parsed_args.public else "private")
        return DynamicActionFormatter.format(action)


class Update(base.ShowOne):
    """Point a dynamic action to another class or code source."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Dynamic action name or ID.")
        parser.add_argument("--class-name", nargs="?", help="New class name.")
        parser.add_argument("--code-source", nargs="?", help="New code source name or ID.")
        _scoped(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        action = base.client(self).dynamic_actions.update(
            parsed_args.identifier, class_name=parsed_args.class_name, code_source=parsed_args.code_source,
            scope="public" if parsed_args.public else "private", namespace=parsed_args.namespace)
        return DynamicActionFormatter.format(action)


class Delete(base.Command):
    """Delete dynamic actions."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", nargs="+", help="Dynamic action names or IDs.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the dynamic actions.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        actions = base.client(self).dynamic_actions
        utils.do_action_on_many(lambda s: actions.delete(s, namespace=parsed_args.namespace),
                                parsed_args.identifier, "Request to delete dynamic action %s has been accepted.",
                                "Unable to delete the specified dynamic action(s).")
