"""``/v2/services``: the live members of the cluster (engines, executors, ...)."""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral.api import http, policy
from mistral.api.controllers.v2.resource import Resource

LIST_KEY = "services"


class Service(Resource):
    name = wtypes.text
    type = wtypes.text


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


class ServicesController(rest.RestController):
    @http.expose()
    def get_all(self, **kw: Any) -> dict[str, Any]:
        policy.authorize("services:list")
        members = http.services().list_services()
        return {
            "services": [
                {"name": _get(m, "name"), "type": _get(m, "type")} for m in members
            ]
        }
