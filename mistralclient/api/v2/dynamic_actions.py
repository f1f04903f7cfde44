"""``/v2/dynamic_actions``: actions whose class lives in a code source."""

from __future__ import annotations

from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q
from mistralclient.api.v2._util import is_uuid_like


class DynamicAction(base.Resource):
    resource_name = "DynamicAction"


def _code_source(data: dict, code_source: str) -> None:
    data["code_source_id" if is_uuid_like(code_source) else "code_source_name"] = code_source


class DynamicActionManager(base.ResourceManager):
    resource_class = DynamicAction

    def get(self, identifier: str, namespace: str = "") -> DynamicAction:
        self._ensure_not_empty(identifier=identifier)
        return self._get("/dynamic_actions/%s?namespace=%s" % (q(identifier), q(namespace)))

    def create(self, name: str, class_name: str, code_source: str, scope: str = "private",
               namespace: str = "") -> DynamicAction:
        self._ensure_not_empty(name=name, class_name=class_name, code_source=code_source)
        data: dict = {"name": name, "class_name": class_name, "scope": scope, "namespace": namespace}
        _code_source(data, code_source)
        return self._create("/dynamic_actions", data)

    def update(self, identifier: str, class_name: str | None = None, code_source: str | None = None,
               scope: str = "private", namespace: str = "") -> DynamicAction:
        self._ensure_not_empty(identifier=identifier)
        data: dict = {"scope": scope, "namespace": namespace}
        data["id" if is_uuid_like(identifier) else "name"] = identifier
        if class_name:
            data["class_name"] = class_name
        if code_source:
            _code_source(data, code_source)
        return self._update("/dynamic_actions", data)

    def list(self, marker: str = "", limit: int | None = None, sort_keys: str = "", sort_dirs: str = "",
             fields: Any = "", namespace: str = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters,
                                         namespace=namespace)
        return self._list("/dynamic_actions%s" % query, response_key="dynamic_actions")

    def delete(self, identifier: str, namespace: str = "") -> None:
        self._ensure_not_empty(identifier=identifier)
        self._delete("/dynamic_actions/%s?namespace=%s" % (q(identifier), q(namespace)))
