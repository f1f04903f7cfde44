"""``/v2/workflows``."""

from __future__ import annotations

from typing import Any

from mistralclient.api import base
from mistralclient.api.base import quote_part as q

TEXT = {"content-type": "text/plain"}


class Workflow(base.Resource):
    resource_name = "Workflow"


class WorkflowManager(base.ResourceManager):
    resource_class = Workflow

    def create(self, definition: str, namespace: str = "", scope: str = "private") -> list:
        self._ensure_not_empty(definition=definition)
        return self._create("/workflows?scope=%s&namespace=%s" % (q(scope), q(namespace)),
                            self.get_contents_if_file(definition), response_key="workflows",
                            dump_json=False, headers=TEXT, is_iter_resp=True)

    def update(self, definition: str, namespace: str = "", scope: str = "private",
               id: str | None = None) -> Any:
        """Update the workflows of a definition; with ``id``, the one workflow with that id."""
        self._ensure_not_empty(definition=definition)
        path = "/workflows/%s" % q(id) if id else "/workflows"
        return self._update("%s?namespace=%s&scope=%s" % (path, q(namespace), q(scope)),
                            self.get_contents_if_file(definition),
                            response_key=None if id else "workflows", dump_json=False,
                            headers=TEXT, is_iter_resp=not id)

    def list(self, namespace: str = "", marker: str = "", limit: int | None = None,
             sort_keys: str = "", sort_dirs: str = "", fields: Any = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters,
                                         namespace=namespace)
        return self._list("/workflows%s" % query, response_key="workflows")

    def get(self, identifier: str, namespace: str = "") -> Workflow:
        self._ensure_not_empty(identifier=identifier)
        return self._get("/workflows/%s?namespace=%s" % (q(identifier), q(namespace)))

    def delete(self, identifier: str, namespace: str | None = None) -> None:
        self._ensure_not_empty(identifier=identifier)
        path = "/workflows/%s" % q(identifier)
        self._delete(path + ("?namespace=%s" % q(namespace) if namespace else ""))

    def validate(self, definition: str) -> dict:
        self._ensure_not_empty(definition=definition)
        return self._validate("/workflows/validate", self.get_contents_if_file(definition),
                              dump_json=False, headers=TEXT)
