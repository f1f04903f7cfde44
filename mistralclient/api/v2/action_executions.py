"""``/v2/action_executions``: run actions on their own, and the actions tasks ran."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q


class ActionExecution(base.Resource):
    resource_name = "ActionExecution"


class ActionExecutionManager(base.ResourceManager):
    resource_class = ActionExecution

    def create(self, name: str, input: Any = None, namespace: str = "", **params: Any) -> ActionExecution:
        """Run an action; ``params``: ``save_result``, ``run_sync``, ``target``."""
        self._ensure_not_empty(name=name)
        data: dict = {"name": name}
        if input:
            data["input"] = json.dumps(input)
        if params:
            data["params"] = json.dumps(params)
        if namespace:
            data["workflow_namespace"] = namespace
        return self._create("/action_executions", data)

    def update(self, id: str, state: str | None = None, output: Any = None) -> ActionExecution:
        self._ensure_not_empty(id=id)
        if not (state or output):
            raise base.APIException(400, "Please provide either state or output for action execution.")
        data: dict = {}
        if state:
            data["state"] = state
        if output:
            data["output"] = output
        return self._update("/action_executions/%s" % q(id), data)

    def list(self, task_execution_id: str | None = None, limit: int | None = None, marker: str = "",
             fields: Any = None, sort_keys: str = "", sort_dirs: str = "", **filters: Any) -> list:
        url = "/tasks/%s/action_executions" % q(task_execution_id) if task_execution_id else "/action_executions"
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters)
        return self._list(url + query, response_key="action_executions")

    def get(self, id: str) -> ActionExecution:
        self._ensure_not_empty(id=id)
        return self._get("/action_executions/%s" % q(id))

    def delete(self, id: str) -> None:
        self._ensure_not_empty(id=id)
        self._delete("/action_executions/%s" % q(id))
