"""Resources and the manager base every resource manager shares."""

from __future__ import annotations

import json
from typing import Any

from mistralclient.api.httpclient import HTTPClient, quote_part

JSON_FIELDS = ("input", "output", "params", "published", "workflow_input", "workflow_params", "variables")


class Resource:
    """One API object; its JSON fields are attributes, as python-mistralclient gives them."""

    resource_name = "resource"

    def __init__(self, manager: "ResourceManager | None", data: dict) -> None:
        self.manager = manager
        self._data = dict(data)
        for key, value in data.items():
            setattr(self, key, value)

    def to_dict(self) -> dict:
        return dict(self._data)

    def __getattr__(self, name: str) -> Any:
        # Fields the server left out (e.g. with ``fields=``) read as None, not AttributeError.
        if name.startswith("_"):
            raise AttributeError(name)
        return None

    def __repr__(self) -> str:
        return "<%s %s>" % (self.resource_name, self._data)


class ResourceManager:
    resource_class = Resource
    path = ""            # e.g. "/workflows"
    list_key = ""        # e.g. "workflows"

    def __init__(self, http: HTTPClient) -> None:
        self.http = http

    def _one(self, data: dict) -> Resource:
        return self.resource_class(self, data)

    def _item_path(self, ident: str) -> str:
        return "%s/%s" % (self.path, quote_part(ident))

    def _list(self, path: str | None = None, params: dict | None = None, list_key: str | None = None) -> list:
        params = dict(params or {})
        result: list = []
        url = path or self.path
        limit = params.get("limit")
        while True:
            body = self.http.get(url, params)
            items = body.get(list_key or self.list_key, [])
            result.extend(self._one(i) for i in items)
            nxt = body.get("next")
            if not nxt or limit is not None or not items:
                return result
            params["marker"] = items[-1].get("id")

    def _get(self, path: str, params: dict | None = None) -> Resource:
        return self._one(self.http.get(path, params))

    def _create(self, path: str, body: Any, content_type: str = "application/json", params: dict | None = None) -> Any:
        return self.http.post(path, body, content_type, params)

    def _update(self, path: str, body: Any, content_type: str = "application/json", params: dict | None = None) -> Any:
        return self.http.put(path, body, content_type, params)

    def _delete(self, path: str, params: dict | None = None) -> None:
        self.http.delete(path, params)


def list_params(
    marker: str = "",
    limit: int | None = None,
    sort_keys: str = "",
    sort_dirs: str = "",
    fields: str | list = "",
    **filters: Any,
) -> dict:
    params: dict = {
        "marker": marker,
        "limit": limit,
        "sort_keys": sort_keys,
        "sort_dirs": sort_dirs,
        "fields": ",".join(fields) if isinstance(fields, (list, tuple)) else fields,
    }
    params.update({k: v for k, v in filters.items() if v is not None})
    return params


def dump_json(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)
