"""``/v2/cron_triggers``."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q
from mistralclient.api.v2._util import is_uuid_like


class CronTrigger(base.Resource):
    resource_name = "CronTrigger"


class CronTriggerManager(base.ResourceManager):
    resource_class = CronTrigger

    def create(self, name: str, workflow_identifier: str, workflow_input: Any = None,
               workflow_params: Any = None, pattern: str | None = None, first_time: str | None = None,
               count: int | None = None) -> CronTrigger:
        """``first_time`` is UTC, ``'YYYY-MM-DD HH:MM[:SS]'``; ``count`` the number of runs."""
        self._ensure_not_empty(name=name, workflow_identifier=workflow_identifier)
        data: dict = {"name": name, "pattern": pattern, "first_execution_time": first_time,
                      "remaining_executions": count}
        data["workflow_id" if is_uuid_like(workflow_identifier) else "workflow_name"] = workflow_identifier
        if workflow_input:
            data["workflow_input"] = json.dumps(workflow_input)
        if workflow_params:
            data["workflow_params"] = json.dumps(workflow_params)
        return self._create("/cron_triggers", data)

    def list(self, marker: str = "", limit: int | None = None, sort_keys: str = "", fields: Any = "",
             sort_dirs: str = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters)
        return self._list("/cron_triggers%s" % query, response_key="cron_triggers")

    def get(self, name: str) -> CronTrigger:
        self._ensure_not_empty(name=name)
        return self._get("/cron_triggers/%s" % q(name))

    def delete(self, name: str) -> None:
        self._ensure_not_empty(name=name)
        self._delete("/cron_triggers/%s" % q(name))
