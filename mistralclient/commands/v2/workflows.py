"""``workflow-*`` commands."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class WorkflowFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("namespace", "Namespace"), ("project_id", "Project ID"),
               ("tags", "Tags"), ("input", "Input"), ("scope", "Scope"), ("created_at", "Created at"),
               ("updated_at", "Updated at")]

    @classmethod
    def row(cls, wf: Any, lister: bool) -> list:
        return [wf.id, wf.name, wf.namespace, wf.project_id, base.tags(wf),
                base.cut(wf.input) if lister else wf.input, wf.scope, wf.created_at,
                getattr(wf, "updated_at", None)]


class List(base.MistralLister):
    """List the workflows this project can see (its own, public and shared ones)."""

    def _get_format_function(self) -> Any:
        return WorkflowFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).workflows.list(
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=WorkflowFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one workflow, by name or ID."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow", help="Workflow name or ID.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace to look the name up in.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        wf = base.client(self).workflows.get(parsed_args.workflow, parsed_args.namespace)
        return WorkflowFormatter.format(wf)


class _Upload(base.MistralLister):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("definition", type=argparse.FileType("r"), help="Workflow definition file (YAML).")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the workflows.")
        parser.add_argument("--public", action="store_true",
                            help="Make the workflows visible to every project.")
        return parser

    def _get_format_function(self) -> Any:
        return WorkflowFormatter.format_list

    def _validate_parsed_args(self, parsed_args: argparse.Namespace) -> None:
        parsed_args.definition_text = base.read(parsed_args.definition)


class Create(_Upload):
    """Create the workflows of a definition file."""

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).workflows.create(
            parsed_args.definition_text, namespace=parsed_args.namespace,
            scope="public" if parsed_args.public else "private")


class Update(_Upload):
    """Update the workflows of a definition file (or, with --id, the one with that ID)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--id", help="ID of the one workflow to update.")
        return parser

    def _get_resources(self, parsed_args: argparse.Namespace) -> Any:
        return base.client(self).workflows.update(
            parsed_args.definition_text, namespace=parsed_args.namespace,
            scope="public" if parsed_args.public else "private", id=parsed_args.id)


class Delete(base.Command):
    """Delete workflows, by name or ID."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow", nargs="+", help="Workflow names or IDs.")
        parser.add_argument("--namespace", nargs="?", default=None, help="Namespace of the workflows.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        wfs = base.client(self).workflows
        utils.do_action_on_many(lambda s: wfs.delete(s, namespace=parsed_args.namespace),
                                parsed_args.workflow, "Request to delete workflow %s has been accepted.",
                                "Unable to delete the specified workflow(s).")


class GetDefinition(base.Command):
    """Print the YAML definition of a workflow."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Workflow name or ID.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace to look the name up in.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        wf = base.client(self).workflows.get(parsed_args.identifier, parsed_args.namespace)
        self.app.stdout.write(wf.definition or "\n")


class Validate(base.ShowOne):
    """Check a workflow definition file without storing it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("definition", type=argparse.FileType("r"), help="Workflow definition file (YAML).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        result = base.client(self).workflows.validate(base.read(parsed_args.definition))
        return ("Valid", "Error"), (result.get("valid"), result.get("error"))
