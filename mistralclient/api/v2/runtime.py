"""Managers of runtime resources: executions, tasks, action executions."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api.base import Resource, ResourceManager, dump_json, list_params
from mistralclient.api.httpclient import quote_part


class Execution(Resource):
    resource_name = "Execution"


class ExecutionManager(ResourceManager):
    resource_class = Execution
    path = "/executions"
    list_key = "executions"

    def create(self, wf_identifier: str = "", namespace: str = "", workflow_input: Any = None,
               description: str = "", source_execution_id: str | None = None, **params: Any) -> Execution:
        body: dict = {"description": description}
        if source_execution_id:
            body["source_execution_id"] = source_execution_id
        else:
            key = "workflow_id" if _looks_like_uuid(wf_identifier) else "workflow_name"
            body[key] = wf_identifier
            body["workflow_namespace"] = namespace
        if workflow_input is not None:
            body["input"] = dump_json(workflow_input)
        if "id" in params:
            body["id"] = params.pop("id")
        if params:
            body["params"] = json.dumps(params)
        return self._one(self._create(self.path, body))

    def update(self, id: str, state: str | None, description: str | None = None, env: dict | None = None) -> Execution:
        body: dict = {}
        if state:
            body["state"] = state
        if description is not None:
            body["description"] = description
        if env:
            body["params"] = json.dumps({"env": env})
        return self._one(self._update(self._item_path(id), body))

    def list(self, task: str | None = None, marker: str = "", limit: int | None = None, sort_keys: str = "",
             sort_dirs: str = "", fields: str = "", **filters: Any) -> list:
        return self._list(params=list_params(marker, limit, sort_keys, sort_dirs, fields, task_execution_id=task, **filters))

    def get(self, id: str) -> Execution:
        return self._get(self._item_path(id))

    def get_report(self, id: str, errors_only: bool = True, max_depth: int = -1,
                   statistics_only: bool = False) -> dict:
        params = {"errors_only": errors_only, "max_depth": max_depth, "statistics_only": statistics_only}
        return self.http.get(self._item_path(id) + "/report", params)

    def delete(self, id: str, force: bool | None = None) -> None:
        self._delete(self._item_path(id), {"force": force})


class Task(Resource):
    resource_name = "Task"


class TaskManager(ResourceManager):
    resource_class = Task
    path = "/tasks"
    list_key = "tasks"

    def list(self, workflow_execution_id: str | None = None, marker: str = "", limit: int | None = None,
             sort_keys: str = "", sort_dirs: str = "", fields: str = "", **filters: Any) -> list:
        path = self.path
        if workflow_execution_id:
            path = "/executions/%s/tasks" % quote_part(workflow_execution_id)
        return self._list(path, list_params(marker, limit, sort_keys, sort_dirs, fields, **filters))

    def get(self, id: str) -> Task:
        return self._get(self._item_path(id))

    def rerun(self, task_ex_id: str, reset: bool = True, env: dict | None = None) -> Task:
        body: dict = {"id": task_ex_id, "state": "RUNNING", "reset": reset}
        if env:
            body["env"] = json.dumps(env)
        return self._one(self._update(self._item_path(task_ex_id), body))


class ActionExecution(Resource):
    resource_name = "ActionExecution"


class ActionExecutionManager(ResourceManager):
    resource_class = ActionExecution
    path = "/action_executions"
    list_key = "action_executions"

    def create(self, name: str, input: dict | None = None, namespace: str = "", **params: Any) -> ActionExecution:
        body: dict = {"name": name, "workflow_namespace": namespace}
        if input:
            body["input"] = json.dumps(input)
        if params:
            body["params"] = json.dumps(params)
        return self._one(self._create(self.path, body))

    def update(self, id: str, state: str | None = None, output: Any = None) -> ActionExecution:
        body: dict = {}
        if state:
            body["state"] = state
        if output is not None:
            body["output"] = dump_json(output)
        return self._one(self._update(self._item_path(id), body))

    def list(self, task_execution_id: str | None = None, limit: int | None = None, **filters: Any) -> list:
        path = self.path
        if task_execution_id:
            path = "/tasks/%s/action_executions" % quote_part(task_execution_id)
        return self._list(path, list_params(limit=limit, **filters))

    def get(self, id: str) -> ActionExecution:
        return self._get(self._item_path(id))

    def delete(self, id: str) -> None:
        self._delete(self._item_path(id))


def _looks_like_uuid(value: str) -> bool:
    parts = value.split("-")
    return len(value) == 36 and [len(p) for p in parts] == [8, 4, 4, 4, 12]
