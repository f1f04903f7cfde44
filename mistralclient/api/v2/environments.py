"""``/v2/environments``. ``Environment.variables`` is a dict (the API sends JSON text)."""

from __future__ import annotations

import json
from typing import Any

from mistralclient import utils
from mistralclient.api import base
from mistralclient.api.base import quote_part as q


class Environment(base.Resource):
    resource_name = "Environment"

    def _set_attributes(self) -> None:
        variables = self._data.get("variables")
        if isinstance(variables, str):
            try:
                self._data["variables"] = json.loads(variables)
            except ValueError:
                pass
        super()._set_attributes()


class EnvironmentManager(base.ResourceManager):
    resource_class = Environment

    def _body(self, kwargs: dict) -> dict:
        if "file" in kwargs:  # a file name or URL: its JSON/YAML holds the fields
            kwargs = utils.load_content(self.get_contents_if_file(kwargs["file"]))
        if isinstance(kwargs.get("variables"), dict):
            kwargs["variables"] = json.dumps(kwargs["variables"])
        return kwargs

    def create(self, **kwargs: Any) -> Environment:
        """``name``, ``variables`` (dict), ``description``, ``scope``, or ``file=``."""
        body = self._body(kwargs)
        self._ensure_not_empty(name=body.get("name"), variables=body.get("variables"))
        return self._create("/environments", body)

    def update(self, **kwargs: Any) -> Environment:
        body = self._body(kwargs)
        self._ensure_not_empty(name=body.get("name"))
        return self._update("/environments", body)

    def list(self, marker: str = "", limit: int | None = None, sort_keys: str = "", sort_dirs: str = "",
             fields: Any = "", **filters: Any) -> list:
        query = self._build_query_params(marker=marker, limit=limit, sort_keys=sort_keys,
                                         sort_dirs=sort_dirs, fields=fields, filters=filters)
        return self._list("/environments%s" % query, response_key="environments")

    def get(self, name: str) -> Environment:
        self._ensure_not_empty(name=name)
        return self._get("/environments/%s" % q(name))

    def delete(self, name: str) -> None:
        self._ensure_not_empty(name=name)
        self._delete("/environments/%s" % q(name))
