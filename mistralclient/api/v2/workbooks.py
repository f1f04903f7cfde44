"""``/v2/workbooks``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mistralclient.api import base
from mistralclient.api.base import quote_part as q

TEXT = {"content-type": "text/plain"}


class Workbook(base.Resource):
    resource_name = "Workbook"


class WorkbookManager(base.ResourceManager):
    resource_class = Workbook

    @staticmethod
    def _url(name: str | None = None, namespace: str | None = None, scope: str | None = None) -> str:
        url = "/workbooks" + ("/%s" % q(name) if name else "")
        params = [(k, v) for k, v in (("scope", scope), ("namespace", namespace)) if v]
        return url + ("?" + urlencode(params) if params else "")

    def create(self, definition: str, namespace: str = "", scope: str = "private") -> Workbook:
        self._ensure_not_empty(definition=definition)
        return self._create(self._url(None, namespace, scope), self.get_contents_if_file(definition),
                            dump_json=False, headers=TEXT)

    def update(self, definition: str, namespace: str = "", scope: str = "private") -> Workbook:
        self._ensure_not_empty(definition=definition)
        return self._update(self._url(None, namespace, scope), self.get_contents_if_file(definition),
                            dump_json=False, headers=TEXT)

    def list(self, namespace: str = "", marker: str = "", limit: int | None = None,
             sort_keys: str = "", sort_dirs: str = "", fields: Any = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters,
                                         namespace=namespace)
        return self._list("/workbooks%s" % query, response_key="workbooks")

    def get(self, name: str, namespace: str = "") -> Workbook:
        self._ensure_not_empty(name=name)
        return self._get(self._url(name, namespace))

    def delete(self, name: str, namespace: str = "") -> None:
        self._ensure_not_empty(name=name)
        self._delete(self._url(name, namespace))

    def validate(self, definition: str) -> dict:
        self._ensure_not_empty(definition=definition)
        return self._validate("/workbooks/validate", self.get_contents_if_file(definition),
                              dump_json=False, headers=TEXT)
