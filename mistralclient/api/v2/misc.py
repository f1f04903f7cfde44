"""Managers of cron triggers, environments, event triggers, members and services."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api.base import Resource, ResourceManager, dump_json, list_params
from mistralclient.api.httpclient import quote_part


class CronTrigger(Resource):
    resource_name = "CronTrigger"


class CronTriggerManager(ResourceManager):
    resource_class = CronTrigger
    path = "/cron_triggers"
    list_key = "cron_triggers"

    def create(self, name: str, workflow_identifier: str, workflow_input: Any = None,
               workflow_params: Any = None, pattern: str | None = None, first_time: str | None = None,
               count: int | None = None, workflow_namespace: str = "") -> CronTrigger:
        body: dict = {"name": name, "pattern": pattern, "first_execution_time": first_time,
                      "remaining_executions": count, "workflow_namespace": workflow_namespace}
        if len(workflow_identifier) == 36 and workflow_identifier.count("-") == 4:
            body["workflow_id"] = workflow_identifier
        else:
            body["workflow_name"] = workflow_identifier
        if workflow_input is not None:
            body["workflow_input"] = dump_json(workflow_input)
        if workflow_params is not None:
            body["workflow_params"] = dump_json(workflow_params)
        return self._one(self._create(self.path, {k: v for k, v in body.items() if v is not None}))

    def list(self, marker: str = "", limit: int | None = None, sort_keys: str = "", sort_dirs: str = "",
             fields: str = "", **filters: Any) -> list:
        return self._list(params=list_params(marker, limit, sort_keys, sort_dirs, fields, **filters))

    def get(self, name: str) -> CronTrigger:
        return self._get(self._item_path(name))

    def delete(self, name: str) -> None:
        self._delete(self._item_path(name))


class Environment(Resource):
    resource_name = "Environment"


class EnvironmentManager(ResourceManager):
    resource_class = Environment
    path = "/environments"
    list_key = "environments"

    def _body(self, kwargs: dict) -> dict:
        body = dict(kwargs)
        if "variables" in body:
            body["variables"] = dump_json(body["variables"])
        return body

    def create(self, **kwargs: Any) -> Environment:
        return self._one(self._create(self.path, self._body(kwargs)))

    def update(self, **kwargs: Any) -> Environment:
        return self._one(self._update(self.path, self._body(kwargs)))

    def list(self, marker: str = "", limit: int | None = None, **filters: Any) -> list:
        return self._list(params=list_params(marker, limit, **filters))

    def get(self, name: str) -> Environment:
        env = self._get(self._item_path(name))
        if isinstance(env.variables, str):
            env.variables = json.loads(env.variables)
        return env

    def delete(self, name: str) -> None:
        self._delete(self._item_path(name))


class EventTrigger(Resource):
    resource_name = "EventTrigger"


class EventTriggerManager(ResourceManager):
    resource_class = EventTrigger
    path = "/event_triggers"
    list_key = "event_triggers"

    def create(self, name: str, workflow_id: str, exchange: str, topic: str, event: str,
               workflow_input: Any = None, workflow_params: Any = None) -> EventTrigger:
        body = {"name": name, "workflow_id": workflow_id, "exchange": exchange, "topic": topic,
                "event": event, "workflow_input": dump_json(workflow_input or {}),
                "workflow_params": dump_json(workflow_params or {})}
        return self._one(self._create(self.path, body))

    def list(self, marker: str = "", limit: int | None = None, **filters: Any) -> list:
        return self._list(params=list_params(marker, limit, **filters))

    def get(self, id: str) -> EventTrigger:
        return self._get(self._item_path(id))

    def delete(self, id: str) -> None:
        self._delete(self._item_path(id))


class Member(Resource):
    resource_name = "Member"


class MemberManager(ResourceManager):
    resource_class = Member
    list_key = "members"

    def _path(self, resource_id: str, resource_type: str) -> str:
        return "/%ss/%s/members" % (resource_type, quote_part(resource_id))

    def create(self, resource_id: str, resource_type: str, member_id: str) -> Member:
        return self._one(self._create(self._path(resource_id, resource_type), {"member_id": member_id}))

    def update(self, resource_id: str, resource_type: str, member_id: str = "", status: str = "accepted") -> Member:
        path = self._path(resource_id, resource_type) + "/" + quote_part(member_id)
        return self._one(self._update(path, {"status": status}))

    def list(self, resource_id: str, resource_type: str) -> list:
        return self._list(self._path(resource_id, resource_type))

    def get(self, resource_id: str, resource_type: str, member_id: str) -> Member:
        return self._get(self._path(resource_id, resource_type) + "/" + quote_part(member_id))

    def delete(self, resource_id: str, resource_type: str, member_id: str) -> None:
        self._delete(self._path(resource_id, resource_type) + "/" + quote_part(member_id))


class Service(Resource):
    resource_name = "Service"


class ServiceManager(ResourceManager):
    resource_class = Service
    path = "/services"
    list_key = "services"

    def list(self) -> list:
        return self._list()
