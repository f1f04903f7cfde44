"""``execution-*`` commands (``--wait``, ``--rehearse`` and ``--mock`` on execution-create,
and ``execution-revert``, are ours, beyond the original)."""

from __future__ import annotations

import argparse
import os
from typing import Any

import yaml

from mistralclient import utils
from mistralclient.api.base import quote_part
from mistralclient.commands.v2 import base, watch


class ExecutionFormatter(base.MistralFormatter):
    COLUMNS = [("id", "ID"), ("workflow_id", "Workflow ID"), ("workflow_name", "Workflow name"),
               ("workflow_namespace", "Workflow namespace"), ("description", "Description"),
               ("task_execution_id", "Task Execution ID"), ("root_execution_id", "Root Execution ID"),
               ("state", "State"), ("state_info", "State info"), ("created_at", "Created at"),
               ("updated_at", "Updated at"), ("duration", "Duration", True)]

    @classmethod
    def row(cls, ex: Any, lister: bool) -> list:
        end = ex.updated_at if ex.state in ("ERROR", "SUCCESS") else ""
        return [ex.id, ex.workflow_id, ex.workflow_name, ex.workflow_namespace, ex.description,
                ex.task_execution_id or base.NONE, ex.root_execution_id or base.NONE, ex.state,
                base.cut(ex.state_info) if lister else ex.state_info, ex.created_at,
                ex.updated_at or base.NONE, base.get_duration_str(ex.created_at, end)]


class List(base.MistralExecutionLister):
    """List workflow executions, the newest last (the latest 100 unless --limit/--oldest)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--task", nargs="?", help="Only the sub-workflow executions of this task execution.")
        parser.add_argument("--rootsonly", action="store_true",
                            help="Only top-level executions (no sub-workflow executions).")
        return parser

    def _get_format_function(self) -> Any:
        return ExecutionFormatter.format_list

    def _get_resources(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).executions.list(
            nulls="root_execution_id" if parsed_args.rootsonly else "", task=parsed_args.task,
            marker=parsed_args.marker, limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs, fields=ExecutionFormatter.fields(),
            **base.get_filters(parsed_args))


class Get(base.ShowOne):
    """Show one workflow execution."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("execution", help="Execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return ExecutionFormatter.format(base.client(self).executions.get(parsed_args.execution))


class Create(base.ShowOne):
    """Start a workflow execution (with --wait, wait for its end and show its output)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow_identifier", nargs="?", help="Workflow name or ID.")
        parser.add_argument("--namespace", nargs="?", default="", help="Namespace of the workflow.")
        parser.add_argument("workflow_input", nargs="?", help="Workflow input: JSON, or a JSON file.")
        parser.add_argument("params", nargs="?",
                            help="Start parameters (env, task_name, notify...): JSON, or a JSON file.")
        parser.add_argument("-d", "--description", dest="description", default="",
                            help="Execution description.")
        parser.add_argument("-s", dest="source_execution_id", nargs="?",
                            help="Start a copy of this execution (same workflow, input and parameters).")
        parser.add_argument("--wait", action="store_true",
                            help="Wait until the execution ends and show its output; the exit code tells "
                                 "the end state (SUCCESS 0, ERROR 1, CANCELLED 3, PAUSED 4).")
        parser.add_argument("--rehearse", action="store_true",
                            help="Rehearse instead of starting: run the workflow with mocked action results "
                                 "(--mock); nothing is stored and no action runs. Shows the path taken, each "
                                 "task's result and the output; the exit code tells the end state, as with "
                                 "--wait.")
        parser.add_argument("--mock", action="append", default=[], metavar="MOCK",
                            help="A mocked action result for --rehearse (implies it): TASK=RESULT (YAML/JSON; "
                                 "repeat it for successive runs of the task; 'parent/child' for a task of a "
                                 "subworkflow), or a file or JSON/YAML text mapping task paths to mocks "
                                 "({\"task\": {\"error\": \"...\"}}).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        if not (parsed_args.workflow_identifier or parsed_args.source_execution_id):
            raise ValueError("give a workflow name or ID, or -s SOURCE_EXECUTION_ID")
        mistral = base.client(self)
        if parsed_args.rehearse or parsed_args.mock:
            return self._rehearse(mistral, parsed_args)
        ex = mistral.executions.create(
            parsed_args.workflow_identifier, parsed_args.namespace,
            base.json_argument(parsed_args.workflow_input, "workflow_input"), parsed_args.description,
            parsed_args.source_execution_id, **base.json_argument(parsed_args.params, "params"))
        self.exit_code = 0
        if not parsed_args.wait:
            return ExecutionFormatter.format(ex)
        ex = watch.wait_for_end(mistral, ex.id)
        self.exit_code = watch.EXIT_CODES.get(ex.state, 1)
        headings, row = ExecutionFormatter.format(ex)
        return list(headings) + ["Output"], tuple(row) + (base.JsonValue(ex.output),)

    def _rehearse(self, mistral: Any, parsed_args: argparse.Namespace) -> tuple:
        if not parsed_args.workflow_identifier:
            raise ValueError("--rehearse needs a workflow name or ID")
        answer = mistral.executions.rehearse(
            parsed_args.workflow_identifier, parsed_args.namespace,
            base.json_argument(parsed_args.workflow_input, "workflow_input"),
            mock_arguments(parsed_args.mock), **base.json_argument(parsed_args.params, "params"))
        self.exit_code = watch.EXIT_CODES.get(answer.get("state"), 1) if answer.get("complete") else 1
        rows = [("Workflow name", answer.get("workflow_name")), ("State", answer.get("state")),
                ("State info", answer.get("state_info") or base.NONE),
                ("Path", "\n".join(answer.get("path") or ()) or base.NONE),
                ("Output", base.JsonValue(answer.get("output"))),
                ("Tasks", base.JsonValue(answer.get("tasks"))),
                ("Unmocked", ", ".join(answer.get("unmocked") or ()) or base.NONE),
                ("Unused mocks", ", ".join(answer.get("unused_mocks") or ()) or base.NONE),
                ("Elapsed", answer.get("elapsed")), ("Complete", answer.get("complete"))]
        return tuple(h for h, _ in rows), tuple(v for _, v in rows)

    def run(self, parsed_args: argparse.Namespace) -> int:
        super().run(parsed_args)
        return self.exit_code


def mock_arguments(values: list[str]) -> dict:
    """The ``mocks`` of ``--mock`` arguments: ``TASK=RESULT`` (repeated: one per run), or a
    file or JSON/YAML text of a mapping of task paths to mocks."""
    mocks: dict = {}
    for value in values:
        if os.path.isfile(value) or value.lstrip().startswith("{"):
            loaded = utils.load_file(value) if os.path.isfile(value) else utils.load_content(value)
            if not isinstance(loaded, dict):
                raise ValueError("--mock %r: mocks must be a mapping of task paths to mocks" % value)
            mocks.update(loaded)
            continue
        path, sep, raw = value.partition("=")
        if not sep or not path.strip():
            raise ValueError("--mock %r: give TASK=RESULT, or a file or JSON/YAML text of mocks" % value)
        try:
            entry = {"result": yaml.safe_load(raw) if raw.strip() else None}
        except yaml.YAMLError:
            entry = {"result": raw}
        previous = mocks.get(path.strip())
        if previous is None:
            mocks[path.strip()] = entry
        else:
            mocks[path.strip()] = (previous if isinstance(previous, list) else [previous]) + [entry]
    return mocks


class Delete(base.Command):
    """Delete workflow executions (--force: even running ones)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("execution", nargs="+", help="Execution IDs.")
        parser.add_argument("--force", default=False, action="store_true",
                            help="Delete even an execution that has not finished.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        executions = base.client(self).executions
        utils.do_action_on_many(lambda s: executions.delete(s, force=parsed_args.force), parsed_args.execution,
                                "Request to delete execution %s has been accepted.",
                                "Unable to delete the specified execution(s).")


class Update(base.ShowOne):
    """Pause, resume, stop or describe an execution, or change its environment."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        parser.add_argument("-s", "--state", dest="state",
                            choices=["RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED"],
                            help="New state (RUNNING resumes a paused execution).")
        parser.add_argument("-e", "--env", dest="env", help="Environment variables: JSON/YAML, or a file.")
        parser.add_argument("-d", "--description", dest="description", help="New description.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        env = parsed_args.env
        env = utils.load_file(env) if env and base.os.path.isfile(env) else utils.load_content(env)
        ex = base.client(self).executions.update(parsed_args.id, parsed_args.state,
                                                 description=parsed_args.description, env=env)
        return ExecutionFormatter.format(ex)


class Revert(base.ShowOne):
    """Revert a failed or cancelled execution: run its tasks' reverts, newest first (ours)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID (an ERROR or CANCELLED execution).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        executions = base.client(self).executions
        # PUT /v2/executions/<id> {"params": {"revert": true}}; python-mistralclient's
        # ExecutionManager has no such method, and ours keeps its exact surface
        ex = executions._update("/executions/%s" % quote_part(parsed_args.id),
                                {"params": {"revert": True}})
        return ExecutionFormatter.format(ex)


class _Field(base.Command):
    field = ""
    what = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        ex = base.client(self).executions.get(parsed_args.id)
        self.app.stdout.write(base.json_text(getattr(ex, self.field, None)))


class GetInput(_Field):
    """Print the input of an execution (JSON)."""

    field = "input"


class GetOutput(_Field):
    """Print the output of an execution (JSON)."""

    field = "output"


class GetPublished(_Field):
    """Print the variables an execution's tasks published globally (JSON)."""

    field = "published_global"


class GetReport(base.Command):
    """Print a report of an execution: task counts by state and its tree of tasks and actions."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        parser.add_argument("--errors-only", dest="errors_only", action="store_true",
                            help="Only the failed parts of the tree (the default).")
        parser.add_argument("--statistics-only", dest="statistics_only", action="store_true",
                            help="Only the counts, no tree.")
        parser.add_argument("--no-errors-only", dest="errors_only", action="store_false",
                            help="The whole tree, not only the failed parts.")
        parser.set_defaults(errors_only=True)
        parser.add_argument("--max-depth", dest="max_depth", nargs="?", type=int, default=-1,
                            help="How deep into sub-workflows (-1: all the way).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        report = base.client(self).executions.get_report(
            parsed_args.id, errors_only=parsed_args.errors_only, max_depth=parsed_args.max_depth,
            statistics_only=parsed_args.statistics_only)
        self.app.stdout.write("".join(watch.report_lines(report)))


class SubExecutionsBaseLister(base.Lister):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", metavar="ID", help=self.id_help)
        parser.add_argument("--errors-only", dest="errors_only", action="store_true",
                            help="Only the executions that failed.")
        parser.add_argument("--max-depth", dest="max_depth", nargs="?", type=int, default=-1,
                            help="How deep into sub-workflows (-1: all the way).")
        return parser

    id_help = ""

    def _fetch(self, parsed_args: argparse.Namespace) -> list:
        raise NotImplementedError

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return base.entries(ExecutionFormatter.format_list, self._fetch(parsed_args))


class SubExecutionsLister(SubExecutionsBaseLister):
    """List an execution and the sub-workflow executions below it."""

    id_help = "Execution ID."

    def _fetch(self, parsed_args: argparse.Namespace) -> list:
        return base.client(self).executions.get_ex_sub_executions(
            parsed_args.id, errors_only=parsed_args.errors_only or "", max_depth=parsed_args.max_depth)
