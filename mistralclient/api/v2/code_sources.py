"""``/v2/code_sources``: Python modules that dynamic actions are loaded from."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mistralclient.api import base
from mistralclient.api.base import quote_part as q

TEXT = {"content-type": "text/plain"}


class CodeSource(base.Resource):
    resource_name = "CodeSource"


class CodeSourceManager(base.ResourceManager):
    resource_class = CodeSource

    def create(self, name: str, content: str, namespace: str = "", scope: str = "private") -> CodeSource:
        self._ensure_not_empty(name=name, content=content)
        query = urlencode({"name": name, "scope": scope, "namespace": namespace})
        return self._create("/code_sources?" + query, self.get_contents_if_file(content),
                            dump_json=False, headers=TEXT)

    def update(self, identifier: str, content: str, namespace: str = "", scope: str = "private") -> CodeSource:
        self._ensure_not_empty(identifier=identifier, content=content)
        query = urlencode({"identifier": identifier, "scope": scope, "namespace": namespace})
        return self._update("/code_sources?" + query, self.get_contents_if_file(content),
                            dump_json=False, headers=TEXT)

    def list(self, namespace: str = "", marker: str = "", limit: int | None = None, sort_keys: str = "",
             sort_dirs: str = "", fields: Any = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters,
                                         namespace=namespace)
        return self._list("/code_sources%s" % query, response_key="code_sources")

    def get(self, identifier: str, namespace: str = "") -> CodeSource:
        self._ensure_not_empty(identifier=identifier)
        return self._get("/code_sources/%s?namespace=%s" % (q(identifier), q(namespace)))

    def delete(self, identifier: str, namespace: str | None = None) -> None:
        self._ensure_not_empty(identifier=identifier)
        url = "/code_sources/%s" % q(identifier)
        self._delete(url + ("?namespace=%s" % q(namespace) if namespace else ""))
