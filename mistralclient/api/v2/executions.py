"""``/v2/executions``: workflow executions."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q
from mistralclient.api.v2._util import is_uuid_like


class Execution(base.Resource):
    resource_name = "Execution"


class ExecutionManager(base.ResourceManager):
    resource_class = Execution

    def create(self, wf_identifier: str = "", namespace: str = "", workflow_input: Any = None,
               description: str = "", source_execution_id: str | None = None,
               **params: Any) -> Execution:
        """Start a workflow (by name or id), or re-run ``source_execution_id`` as a new one.
        ``params`` are the start parameters (``env``, ``task_name``, ``notify``...)."""
        self._ensure_not_empty(workflow_identifier=wf_identifier or source_execution_id)
        data: dict = {"description": description}
        if is_uuid_like(source_execution_id):
            data["source_execution_id"] = source_execution_id
        if wf_identifier:
            data["workflow_id" if is_uuid_like(wf_identifier) else "workflow_name"] = wf_identifier
        if namespace:
            data["workflow_namespace"] = namespace
        if workflow_input:
            data["input"] = workflow_input if isinstance(workflow_input, str) else json.dumps(workflow_input)
        if params:
            data["params"] = json.dumps(params)
        return self._create("/executions", data)

    def rehearse(self, wf_identifier: str, namespace: str = "", workflow_input: Any = None,
                 mocks: dict | None = None, **params: Any) -> dict:
        """Rehearse a workflow (ours, ``POST /v2/rehearsals``): run it with ``mocks`` (task
        path -> ``{"result": ...}`` / ``{"error": ...}`` or a list of those, one per run)
        instead of its actions. Nothing is stored and no action runs. Returns the answer:
        ``state``, ``state_info``, ``output``, ``path``, ``tasks``, ``unmocked`` ..."""
        self._ensure_not_empty(workflow_identifier=wf_identifier)
        data: dict = {"workflow_id" if is_uuid_like(wf_identifier) else "workflow_name": wf_identifier}
        if namespace:
            data["workflow_namespace"] = namespace
        if workflow_input:
            data["input"] = workflow_input if isinstance(workflow_input, str) else json.dumps(workflow_input)
        if params:
            data["params"] = json.dumps(params)
        if mocks:
            data["mocks"] = mocks
        return self._create("/rehearsals", data, resp_status_ok=200, as_class=False)

    def update(self, id: str, state: str | None, description: str | None = None,
               env: dict | None = None) -> Execution:
        data: dict = {}
        if state:
            data["state"] = state
        if description:
            data["description"] = description
        if env:
            data["params"] = {"env": env}
        return self._update("/executions/%s" % q(id), data)

    def list(self, task: str | None = None, marker: str = "", limit: int | None = None,
             sort_keys: str = "", sort_dirs: str = "", fields: Any = "", **filters: Any) -> list:
        if task:
            filters["task_execution_id"] = task
        if "nulls" in filters and not filters["nulls"]:
            filters.pop("nulls")
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters)
        return self._list("/executions%s" % query, response_key="executions")

    def get(self, id: str) -> Execution:
        self._ensure_not_empty(id=id)
        return self._get("/executions/%s" % q(id))

    def get_ex_sub_executions(self, id: str, errors_only: Any = "", max_depth: int = -1) -> list:
        """The execution and every sub-workflow execution below it (to ``max_depth``)."""
        return self._list("/executions/%s/executions?max_depth=%s&errors_only=%s"
                          % (q(id), max_depth, errors_only), response_key="executions")

    def delete(self, id: str, force: bool | None = None) -> None:
        self._ensure_not_empty(id=id)
        self._delete("/executions/%s%s" % (q(id), "?force=True" if force else ""))

    def get_report(self, id: str, errors_only: bool = True, max_depth: int | None = None,
                   statistics_only: bool = False) -> dict:
        self._ensure_not_empty(id=id)
        filters: dict = {}
        if errors_only:
            filters["errors_only"] = True
        if statistics_only:
            filters["statistics_only"] = True
        if max_depth is not None:
            filters["max_depth"] = max_depth
        url = "/executions/%s/report%s" % (q(id), self._build_query_params(filters=filters))
        resp = self._request("get", url, None)
        if resp.status_code != 200:
            self._raise_api_exception(resp)
        return resp.json()
