"""``/v2/tasks``: task executions."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q
from mistralclient.api.v2 import executions


class Task(base.Resource):
    resource_name = "Task"


class TaskManager(base.ResourceManager):
    resource_class = Task

    def list(self, workflow_execution_id: str | None = None, marker: str = "", limit: int | None = None,
             sort_keys: str = "", sort_dirs: str = "", fields: Any = None, **filters: Any) -> list:
        url = "/executions/%s/tasks" % q(workflow_execution_id) if workflow_execution_id else "/tasks"
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters)
        return self._list(url + query, response_key="tasks")

    def get(self, id: str) -> Task:
        self._ensure_not_empty(id=id)
        return self._get("/tasks/%s" % q(id))

    def get_task_sub_executions(self, id: str, errors_only: Any = "", max_depth: int = -1) -> list:
        """The workflow executions the task started (and theirs, to ``max_depth``)."""
        return self._list("/tasks/%s/executions?max_depth=%s&errors_only=%s" % (q(id), max_depth, errors_only),
                          response_key="executions", returned_res_cls=executions.Execution)

    def rerun(self, task_ex_id: str, reset: bool = True, env: dict | None = None) -> Task:
        body: dict = {"id": task_ex_id, "state": "RUNNING", "reset": reset}
        if env:
            body["env"] = json.dumps(env)
        return self._update("/tasks/%s" % q(task_ex_id), body)
