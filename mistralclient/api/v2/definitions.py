"""Managers of the definition resources: workbooks, workflows, actions."""

from __future__ import annotations

import os

from mistralclient.api.base import Resource, ResourceManager, list_params


def read_definition(definition: str) -> str:
    """A definition may be given as its text or as the path of a file holding it."""
    if "\n" not in definition and os.path.isfile(os.path.expanduser(definition)):
        with open(os.path.expanduser(definition), encoding="utf-8") as f:
            return f.read()
    return definition


class _DefinitionManager(ResourceManager):
    plural = True  # POST/PUT of workflows and actions answer {"<list_key>": [...]}

    def _scoped(self, namespace: str, scope: str | None = None) -> dict:
        params = {"namespace": namespace}
        if scope:
            params["scope"] = scope
        return params

    def _unwrap(self, body: dict) -> list | Resource:
        if self.plural:
            return [self._one(i) for i in body.get(self.list_key, [])]
        return self._one(body)

    def create(self, definition: str, namespace: str = "", scope: str = "private") -> list | Resource:
        body = self._create(self.path, read_definition(definition), "text/plain", self._scoped(namespace, scope))
        return self._unwrap(body)

    def update(self, definition: str, namespace: str = "", scope: str = "private") -> list | Resource:
        body = self._update(self.path, read_definition(definition), "text/plain", self._scoped(namespace, scope))
        return self._unwrap(body)

    def list(self, namespace: str = "", marker: str = "", limit: int | None = None, sort_keys: str = "",
             sort_dirs: str = "", fields: str = "", **filters) -> list:
        return self._list(params=list_params(marker, limit, sort_keys, sort_dirs, fields, namespace=namespace or None, **filters))

    def get(self, identifier: str, namespace: str = "") -> Resource:
        return self._get(self._item_path(identifier), {"namespace": namespace})

    def delete(self, identifier: str, namespace: str | None = None) -> None:
        self._delete(self._item_path(identifier), {"namespace": namespace})

    def validate(self, definition: str) -> dict:
        return self._create(self.path + "/validate", read_definition(definition), "text/plain")


class Workbook(Resource):
    resource_name = "Workbook"


class WorkbookManager(_DefinitionManager):
    resource_class = Workbook
    path = "/workbooks"
    list_key = "workbooks"
    plural = False


class Workflow(Resource):
    resource_name = "Workflow"


class WorkflowManager(_DefinitionManager):
    resource_class = Workflow
    path = "/workflows"
    list_key = "workflows"


class Action(Resource):
    resource_name = "Action"


class ActionManager(_DefinitionManager):
    resource_class = Action
    path = "/actions"
    list_key = "actions"
