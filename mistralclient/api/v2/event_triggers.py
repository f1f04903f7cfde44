"""``/v2/event_triggers``."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q


class EventTrigger(base.Resource):
    resource_name = "EventTrigger"


class EventTriggerManager(base.ResourceManager):
    resource_class = EventTrigger

    def create(self, name: str, workflow_id: str, exchange: str, topic: str, event: str,
               workflow_input: Any = None, workflow_params: Any = None) -> EventTrigger:
        self._ensure_not_empty(name=name, workflow_id=workflow_id)
        data: dict = {"workflow_id": workflow_id, "name": name, "exchange": exchange,
                      "topic": topic, "event": event}
        if workflow_input:
            data["workflow_input"] = json.dumps(workflow_input)
        if workflow_params:
            data["workflow_params"] = json.dumps(workflow_params)
        return self._create("/event_triggers", data)

    def list(self, marker: str = "", limit: int | None = None, sort_keys: str = "", sort_dirs: str = "",
             fields: Any = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters)
        return self._list("/event_triggers%s" % query, response_key="event_triggers")

    def get(self, id: str) -> EventTrigger:
        self._ensure_not_empty(id=id)
        return self._get("/event_triggers/%s" % q(id))

    def delete(self, id: str) -> None:
        self._ensure_not_empty(id=id)
        self._delete("/event_triggers/%s" % q(id))
