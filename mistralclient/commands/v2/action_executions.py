"""``action-execution-*`` commands and ``run-action``."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base


class ActionExecutionFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("workflow_name", "Workflow name"),
               ("workflow_namespace", "Workflow namespace"), ("task_name", "Task name"),
               ("task_execution_id", "Task ID"), ("state", "State"), ("state_info", "State info"),
               ("accepted", "Accepted"), ("created_at", "Created at"), ("updated_at", "Updated at")]

    @classmethod
    def list_headings(cls) -> list[str]:
        return [c[1] for c in cls.COLUMNS if c[0] != "state_info"]

    @classmethod
    def row(cls, a: Any, lister: bool) -> list:
        data = [a.id, a.name, a.workflow_name, a.workflow_namespace, getattr(a, "task_name", None),
                a.task_execution_id, a.state]
        if not lister:
            data.append(a.state_info)
        return data + [a.accepted, a.created_at, a.updated_at or base.NONE]


class Create(base.ShowOne):
    """Run an action on its own and print its result (with --save-result, its action execution)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Action name.")
        parser.add_argument("input", nargs="?", help="Action input: JSON, or a JSON file.")
        parser.add_argument("-s", "--save-result", dest="save_result", action="store_true",
                            help="Keep the action execution (and run it asynchronously).")
        parser.add_argument("--run-sync", dest="run_sync", action="store_true",
                            help="Wait for the result even of an asynchronous action.")
        parser.add_argument("-t", "--target", dest="target", help="Executor host to run it on.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the action.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        params: dict = {}
        if parsed_args.save_result:
            params["save_result"] = True
        if parsed_args.run_sync:
            params["run_sync"] = True
        if parsed_args.target:
            params["target"] = parsed_args.target
        action_input = base.json_argument(parsed_args.input, "input") if parsed_args.input else None
        action_ex = base.client(self).action_executions.create(
            parsed_args.name, action_input, namespace=parsed_args.namespace, **params)
        if parsed_args.save_result and not parsed_args.run_sync:
            return ActionExecutionFormatter.format(action_ex)
        # The result as the API gives it (JSON text), whatever -f says: scripts pipe it.
        self.app.stdout.write("%s\n" % action_ex.output)
        return (), ()

    def produce_output(self, parsed_args: argparse.Namespace, column_names: Any, data: Any) -> int:
        if not column_names:
            return 0
        return super().produce_output(parsed_args, column_names, data)


class List(base.MistralExecutionLister):
    """List action executions (of one task execution), the newest last."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("task_execution_id", nargs="?", help="Only the actions of this task execution.")
        return parser

    def _get_format_function(self) -> Any:
        return ActionExecutionFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).action_executions.list(
            parsed_args.task_execution_id, marker=parsed_args.marker, limit=parsed_args.limit,
            sort_keys=parsed_args.sort_keys, sort_dirs=parsed_args.sort_dirs, **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one action execution."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("action_execution", help="Action execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return ActionExecutionFormatter.format(
            base.client(self).action_executions.get(parsed_args.action_execution))


class Update(base.ShowOne):
    """Set the state or output of an action execution (e.g. complete an asynchronous action)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Action execution ID.")
        parser.add_argument("--state", dest="state", choices=["RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED"],
                            help="New state.")
        parser.add_argument("--output", dest="output", help="Action output: JSON, or a JSON file.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        output = base.json_argument(parsed_args.output, "--output") if parsed_args.output else None
        action_ex = base.client(self).action_executions.update(parsed_args.id, parsed_args.state, output)
        return ActionExecutionFormatter.format(action_ex)


class Delete(base.Command):
    """Delete action executions."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("action_execution", nargs="+", help="Action execution IDs.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        actions = base.client(self).action_executions
        utils.do_action_on_many(actions.delete, parsed_args.action_execution,
                                "Request to delete action execution %s has been accepted.",
                                "Unable to delete the specified action execution(s).")


class _Field(base.Command):
    field = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Action execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        action_ex = base.client(self).action_executions.get(parsed_args.id)
        self.app.stdout.write(base.json_text(getattr(action_ex, self.field, None)))


class GetInput(_Field):
    """Print the input of an action execution (JSON)."""

    field = "input"


class GetOutput(_Field):
    """Print the output of an action execution (JSON)."""

    field = "output"
