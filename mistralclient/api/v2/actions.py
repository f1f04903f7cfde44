"""``/v2/actions``: ad-hoc action definitions (and the system actions, read-only)."""

from __future__ import annotations

from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q

TEXT = {"content-type": "text/plain"}


class Action(base.Resource):
    resource_name = "Action"


class ActionManager(base.ResourceManager):
    resource_class = Action

    @staticmethod
    def _params(scope: str, namespace: str) -> str:
        return "?scope=%s" % q(scope) + ("&namespace=%s" % q(namespace) if namespace else "")

    def create(self, definition: str, scope: str = "private", namespace: str = "") -> list:
        self._ensure_not_empty(definition=definition)
        return self._create("/actions" + self._params(scope, namespace),
                            self.get_contents_if_file(definition), response_key="actions",
                            dump_json=False, headers=TEXT, is_iter_resp=True)

    def update(self, definition: str, scope: str = "private", id: str | None = None,
               namespace: str = "") -> list:
        self._ensure_not_empty(definition=definition)
        path = "/actions/%s" % q(id) if id else "/actions"
        return self._update(path + self._params(scope, namespace), self.get_contents_if_file(definition),
                            response_key="actions", dump_json=False, headers=TEXT, is_iter_resp=True)

    def list(self, marker: str = "", limit: int | None = None, sort_keys: str = "", sort_dirs: str = "",
             fields: Any = "", namespace: str = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters,
                                         namespace=namespace)
        return self._list("/actions%s" % query, response_key="actions")

    def get(self, identifier: str, namespace: str = "") -> Action:
        self._ensure_not_empty(identifier=identifier)
        return self._get("/actions/%s/%s" % (q(identifier), q(namespace)))

    def delete(self, identifier: str, namespace: str = "") -> None:
        self._ensure_not_empty(identifier=identifier)
        self._delete("/actions/%s/%s" % (q(identifier), q(namespace)))

    def validate(self, definition: str) -> dict:
        self._ensure_not_empty(definition=definition)
        return self._validate("/actions/validate", self.get_contents_if_file(definition),
                              dump_json=False, headers=TEXT)
