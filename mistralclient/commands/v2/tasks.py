"""``task-*`` commands."""

from __future__ import annotations

import argparse
from typing import Any

from mistralclient import utils
from mistralclient.commands.v2 import base
from mistralclient.commands.v2.executions import ExecutionFormatter, SubExecutionsBaseLister


class TaskFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("name", "Name"), ("workflow_name", "Workflow name"),
               ("workflow_namespace", "Workflow namespace"), ("workflow_execution_id", "Workflow Execution ID"),
               ("state", "State"), ("state_info", "State info"), ("created_at", "Created at"),
               ("started_at", "Started at"), ("finished_at", "Finished at"), ("duration", "Duration", True)]

    @classmethod
    def row(cls, t: Any, lister: bool) -> list:
        return [t.id, t.name, t.workflow_name, t.workflow_namespace, t.workflow_execution_id, t.state,
                base.cut(t.state_info) if lister else t.state_info, t.created_at,
                t.started_at or base.NONE, t.finished_at or base.NONE,
                base.get_duration_str(t.started_at, t.finished_at)]


class List(base.MistralExecutionLister):
    """List task executions (of one workflow execution), the newest last."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow_execution", nargs="?", help="Only the tasks of this workflow execution.")
        return parser

    def _get_format_function(self) -> Any:
        return TaskFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).tasks.list(
            parsed_args.workflow_execution, marker=parsed_args.marker, limit=parsed_args.limit,
            sort_keys=parsed_args.sort_keys, sort_dirs=parsed_args.sort_dirs, fields=TaskFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one task execution."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("task", help="Task execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return TaskFormatter.format(base.client(self).tasks.get(parsed_args.task))


class _Field(base.Command):
    field = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Task execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        task = base.client(self).tasks.get(parsed_args.id)
        self.app.stdout.write(base.json_text(getattr(task, self.field, None)))


class GetResult(_Field):
    """Print the result of a task (JSON)."""

    field = "result"


class GetPublished(_Field):
    """Print the variables a task published (JSON)."""

    field = "published"


class Rerun(base.ShowOne):
    """Run a failed task again (with --resume, only its failed with-items iterations)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Task execution ID.")
        parser.add_argument("--resume", action="store_true", dest="resume",
                            help="Keep the with-items iterations that succeeded; rerun only the others.")
        parser.add_argument("-e", "--env", dest="env", help="Environment variables: JSON/YAML, or a file.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        env = parsed_args.env
        env = utils.load_file(env) if env and base.os.path.isfile(env) else utils.load_content(env)
        task = base.client(self).tasks.rerun(parsed_args.id, reset=not parsed_args.resume, env=env)
        return TaskFormatter.format(task)


class SubExecutionsLister(SubExecutionsBaseLister):
    """List the workflow executions a task started (and those below them)."""

    id_help = "Task execution ID."

    def _fetch(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).tasks.get_task_sub_executions(
            parsed_args.id, errors_only=parsed_args.errors_only or "", max_depth=parsed_args.max_depth)


__all__ = ["ExecutionFormatter", "TaskFormatter"]
