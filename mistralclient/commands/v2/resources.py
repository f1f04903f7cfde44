"""The CLI commands, by resource. ``COMMANDS`` maps each command name to its class."""

from __future__ import annotations

import argparse
from typing import Any

from cliff.command import Command
from cliff.show import ShowOne

from mistralclient.commands.v2 import columns as C
from mistralclient.commands.v2.base import (
    MistralAttr,
    MistralDelete,
    MistralLister,
    MistralShow,
    headers,
    load_json_or_file,
    row,
)

# --- definitions: workbooks, workflows, actions -------------------------------------


def _definition_commands(prefix: str, manager: str, cols: list) -> dict[str, type]:
    class List(MistralLister):
        columns = cols
        manager_name = manager

    class Get(MistralShow):
        columns = cols
        manager_name = manager

        def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
            parser = super().get_parser(prog_name)
            parser.add_argument("--namespace", default="", help="Namespace.")
            return parser

        def fetch(self, args: argparse.Namespace) -> Any:
            return getattr(self.app.client, manager).get(args.id, namespace=args.namespace)

    class Write(MistralLister):
        method = "create"

        def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
            parser = super(MistralLister, self).get_parser(prog_name)
            parser.add_argument("definition", help="Definition file.")
            parser.add_argument("--namespace", default="", help="Namespace.")
            parser.add_argument("--public", action="store_true", help="With this flag it will be marked as public.")
            return parser

        def take_action(self, args: argparse.Namespace) -> tuple:
            fn = getattr(getattr(self.app.client, manager), self.method)
            result = fn(args.definition, namespace=args.namespace, scope="public" if args.public else "private")
            items = result if isinstance(result, list) else [result]
            return headers(cols), [row(i, cols) for i in items]

    class Create(Write):
        method = "create"

    class Update(Write):
        method = "update"

    class Delete(MistralDelete):
        manager_name = manager

        def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
            parser = super().get_parser(prog_name)
            parser.add_argument("--namespace", default=None, help="Namespace.")
            return parser

        def delete_one(self, ident: str, args: argparse.Namespace) -> None:
            getattr(self.app.client, manager).delete(ident, namespace=args.namespace)

    class GetDefinition(Command):
        def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
            parser = super().get_parser(prog_name)
            parser.add_argument("name", help="Name or ID.")
            parser.add_argument("--namespace", default="", help="Namespace.")
            return parser

        def take_action(self, args: argparse.Namespace) -> None:
            res = getattr(self.app.client, manager).get(args.name, namespace=args.namespace)
            self.app.stdout.write(res.definition or "")

    class Validate(ShowOne):
        def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
            parser = super().get_parser(prog_name)
            parser.add_argument("definition", help="Definition file.")
            return parser

        def take_action(self, args: argparse.Namespace) -> tuple:
            result = getattr(self.app.client, manager).validate(args.definition)
            return ("Valid", "Error"), (result.get("valid"), result.get("error"))

    for cls, text in ((List, "List all %ss."), (Get, "Show a specific %s."), (Create, "Create a new %s."),
                      (Update, "Update a %s."), (Delete, "Delete a %s."),
                      (GetDefinition, "Show the definition of a %s."), (Validate, "Validate a %s definition.")):
        cls.__doc__ = text % prefix
    return {
        f"{prefix}-list": List, f"{prefix}-get": Get, f"{prefix}-create": Create,
        f"{prefix}-update": Update, f"{prefix}-delete": Delete,
        f"{prefix}-get-definition": GetDefinition, f"{prefix}-validate": Validate,
    }


# --- executions ---------------------------------------------------------------------


class ExecutionList(MistralLister):
    columns = C.EXECUTION
    manager_name = "executions"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--task", default=None, help="Parent task execution ID.")
        return parser

    def fetch(self, args: argparse.Namespace) -> list:
        return self.app.client.executions.list(task=args.task, **self.list_kwargs(args))


class ExecutionGet(MistralShow):
    columns = C.EXECUTION
    manager_name = "executions"


class ExecutionCreate(ShowOne):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow_identifier", nargs="?", default="", help="Workflow name or ID.")
        parser.add_argument("workflow_input", nargs="?", help="Workflow input (JSON or file).")
        parser.add_argument("params", nargs="?", help="Workflow additional parameters (JSON or file).")
        parser.add_argument("--namespace", default="", help="Workflow namespace.")
        parser.add_argument("-d", "--description", default="", help="Execution description.")
        parser.add_argument("-s", dest="source_execution_id", default=None, help="Source execution ID.")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        params = load_json_or_file(args.params) or {}
        ex = self.app.client.executions.create(
            args.workflow_identifier, args.namespace, load_json_or_file(args.workflow_input),
            args.description, args.source_execution_id, **params)
        return headers(C.EXECUTION), row(ex, C.EXECUTION)


class ExecutionUpdate(ShowOne):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        parser.add_argument("-s", "--state", choices=["RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED"])
        parser.add_argument("-e", "--env", help="Environment variables (JSON or file).")
        parser.add_argument("-d", "--description", default=None)
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        ex = self.app.client.executions.update(args.id, args.state, args.description,
                                               load_json_or_file(args.env))
        return headers(C.EXECUTION), row(ex, C.EXECUTION)


class ExecutionDelete(MistralDelete):
    manager_name = "executions"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--force", action="store_true", help="Delete even a running execution.")
        return parser

    def delete_one(self, ident: str, args: argparse.Namespace) -> None:
        self.app.client.executions.delete(ident, force=args.force or None)


def _attr(manager: str, attr: str) -> type:
    return type("Get_" + attr, (MistralAttr,), {"manager_name": manager, "attr": attr})


# --- tasks --------------------------------------------------------------------------


class TaskList(MistralLister):
    columns = C.TASK
    manager_name = "tasks"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow_execution", nargs="?", default=None, help="Workflow execution ID.")
        return parser

    def fetch(self, args: argparse.Namespace) -> list:
        return self.app.client.tasks.list(args.workflow_execution, **self.list_kwargs(args))


class TaskGet(MistralShow):
    columns = C.TASK
    manager_name = "tasks"


class TaskRerun(ShowOne):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Task ID.")
        parser.add_argument("--resume", action="store_true", help="Keep finished with-items iterations.")
        parser.add_argument("-e", "--env", help="Environment variables (JSON or file).")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        t = self.app.client.tasks.rerun(args.id, reset=not args.resume, env=load_json_or_file(args.env))
        return headers(C.TASK), row(t, C.TASK)


# --- action executions ----------------------------------------------------------------


class ActionExecutionList(MistralLister):
    columns = C.ACTION_EXECUTION
    manager_name = "action_executions"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("task_execution_id", nargs="?", default=None, help="Task execution ID.")
        return parser

    def fetch(self, args: argparse.Namespace) -> list:
        kw = self.list_kwargs(args)
        return self.app.client.action_executions.list(args.task_execution_id, limit=kw.pop("limit"), **kw)


class ActionExecutionGet(MistralShow):
    columns = C.ACTION_EXECUTION
    manager_name = "action_executions"


class ActionExecutionUpdate(ShowOne):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Action execution ID.")
        parser.add_argument("--state", choices=["IDLE", "RUNNING", "SUCCESS", "ERROR", "CANCELLED"])
        parser.add_argument("--output", help="Action execution output (JSON).")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        a = self.app.client.action_executions.update(args.id, args.state, load_json_or_file(args.output))
        return headers(C.ACTION_EXECUTION), row(a, C.ACTION_EXECUTION)


class RunAction(Command):
    """Run an action directly and print its result (or its action execution)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Action name.")
        parser.add_argument("input", nargs="?", help="Action input (JSON or file).")
        parser.add_argument("-s", "--save-result", action="store_true", help="Save the result into the DB.")
        parser.add_argument("--run-sync", action="store_true", help="Run the action synchronously.")
        parser.add_argument("-t", "--target", default=None, help="Executor target.")
        parser.add_argument("--namespace", default="", help="Action namespace.")
        return parser

    def take_action(self, args: argparse.Namespace) -> None:
        params: dict = {}
        if args.save_result:
            params["save_result"] = True
        if args.run_sync:
            params["run_sync"] = True
        if args.target:
            params["target"] = args.target
        ex = self.app.client.action_executions.create(args.name, load_json_or_file(args.input),
                                                      args.namespace, **params)
        if args.save_result and not args.run_sync:
            self.app.stdout.write("%s\n" % "\n".join("%s: %s" % (h, v) for h, v in
                                                     zip(headers(C.ACTION_EXECUTION), row(ex, C.ACTION_EXECUTION))))
        else:
            self.app.stdout.write("%s\n" % (ex.output or "{}"))


# --- cron triggers, environments, members, services ---------------------------------------


class CronTriggerCreate(ShowOne):
    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Cron trigger name.")
        parser.add_argument("workflow_identifier", help="Workflow name or ID.")
        parser.add_argument("workflow_input", nargs="?", help="Workflow input (JSON or file).")
        parser.add_argument("--params", help="Workflow params (JSON or file).")
        parser.add_argument("--pattern", help="Cron trigger pattern, e.g. '* * * * *'.")
        parser.add_argument("--first-time", help="Date and time of the first execution (UTC, 'YYYY-MM-DD HH:MM').")
        parser.add_argument("--count", type=int, help="Number of wanted executions.")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        t = self.app.client.cron_triggers.create(
            args.name, args.workflow_identifier, load_json_or_file(args.workflow_input),
            load_json_or_file(args.params), args.pattern, args.first_time, args.count)
        return headers(C.CRON_TRIGGER), row(t, C.CRON_TRIGGER)


class EnvironmentWrite(ShowOne):
    method = "create"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("file", help="Environment definition file (JSON or YAML).")
        return parser

    def take_action(self, args: argparse.Namespace) -> tuple:
        data = load_json_or_file(args.file)
        env = getattr(self.app.client.environments, self.method)(**data)
        return headers(C.ENVIRONMENT), row(env, C.ENVIRONMENT)


class EnvironmentUpdate(EnvironmentWrite):
    method = "update"


class ServiceList(MistralLister):
    columns = C.SERVICE
    manager_name = "services"

    def fetch(self, args: argparse.Namespace) -> list:
        return self.app.client.services.list()


def _simple(base: type, cols: list, manager: str) -> type:
    return type(base.__name__ + "_" + manager, (base,), {"columns": cols, "manager_name": manager})


COMMANDS: dict[str, type] = {}
COMMANDS.update(_definition_commands("workbook", "workbooks", C.WORKBOOK))
COMMANDS.update(_definition_commands("workflow", "workflows", C.WORKFLOW))
COMMANDS.update(_definition_commands("action", "actions", C.ACTION))
COMMANDS.update({
    "execution-list": ExecutionList,
    "execution-get": ExecutionGet,
    "execution-create": ExecutionCreate,
    "execution-update": ExecutionUpdate,
    "execution-delete": ExecutionDelete,
    "execution-get-input": _attr("executions", "input"),
    "execution-get-output": _attr("executions", "output"),
    "task-list": TaskList,
    "task-get": TaskGet,
    "task-get-result": _attr("tasks", "result"),
    "task-get-published": _attr("tasks", "published"),
    "task-rerun": TaskRerun,
    "action-execution-list": ActionExecutionList,
    "action-execution-get": ActionExecutionGet,
    "action-execution-update": ActionExecutionUpdate,
    "action-execution-delete": _simple(MistralDelete, [], "action_executions"),
    "action-execution-get-input": _attr("action_executions", "input"),
    "action-execution-get-output": _attr("action_executions", "output"),
    "run-action": RunAction,
    "cron-trigger-list": _simple(MistralLister, C.CRON_TRIGGER, "cron_triggers"),
    "cron-trigger-get": _simple(MistralShow, C.CRON_TRIGGER, "cron_triggers"),
    "cron-trigger-create": CronTriggerCreate,
    "cron-trigger-delete": _simple(MistralDelete, [], "cron_triggers"),
    "environment-list": _simple(MistralLister, C.ENVIRONMENT, "environments"),
    "environment-get": _simple(MistralShow, C.ENVIRONMENT, "environments"),
    "environment-create": EnvironmentWrite,
    "environment-update": EnvironmentUpdate,
    "environment-delete": _simple(MistralDelete, [], "environments"),
    "event-trigger-list": _simple(MistralLister, C.EVENT_TRIGGER, "event_triggers"),
    "event-trigger-get": _simple(MistralShow, C.EVENT_TRIGGER, "event_triggers"),
    "event-trigger-delete": _simple(MistralDelete, [], "event_triggers"),
    "service-list": ServiceList,
})
