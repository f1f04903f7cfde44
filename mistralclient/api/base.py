"""Resources, the manager base every resource manager shares, and ``APIException``."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import quote, urlencode

from mistralclient import utils


class APIException(Exception):
    """The server answered with an error status (``error_code``) and ``error_message``."""

    def __init__(self, error_code: int | None = None, error_message: Any = None) -> None:
        super().__init__(error_message)
        self.error_code = error_code
        self.error_message = error_message

    def __str__(self) -> str:
        message = " ".join(str(self.error_message or "").split())  # one line
        return "%s (HTTP %s)" % (message, self.error_code) if self.error_code else message


class Resource:
    """One API object; its JSON fields are attributes."""

    resource_name = "Something"
    defaults: dict = {}

    def __init__(self, manager: Any, data: dict) -> None:
        self.manager = manager
        self._data = data
        self._set_defaults()
        self._set_attributes()

    def _set_defaults(self) -> None:
        for key, value in self.defaults.items():
            self._data.setdefault(key, value)

    def _set_attributes(self) -> None:
        for key, value in self._data.items():
            try:
                setattr(self, key, value)
            except AttributeError:  # a property of the class keeps its own value
                pass

    def to_dict(self) -> dict:
        return copy.deepcopy(self._data)

    def __str__(self) -> str:
        return "%s [%s]" % (self.resource_name, ", ".join("%s='%s'" % kv for kv in self._data.items()))

    __repr__ = __str__


def get_json(response: Any) -> Any:
    return response.json()


def extract_json(response: Any, response_key: str | None) -> Any:
    body = get_json(response)
    return body[response_key] if response_key is not None else body


def quote_part(value: Any) -> str:
    """One URL path segment (names may hold spaces or other reserved characters)."""
    return quote(str(value), safe="")


class ResourceManager:
    resource_class: type[Resource] = Resource

    def __init__(self, http_client: Any, enforce_raw_definitions: bool = False) -> None:
        self.http_client = http_client
        self.enforce_raw_definitions = enforce_raw_definitions

    def get_contents_if_file(self, contents_or_file_name: str) -> str:
        if self.enforce_raw_definitions:
            return contents_or_file_name
        return utils.get_contents_if_file(contents_or_file_name)

    def find(self, **kwargs: Any) -> list:
        """The listed resources whose attributes equal every given value."""
        def matches(item: Resource) -> bool:
            return all(getattr(item, k, object()) == v for k, v in kwargs.items())
        return [i for i in self.list() if matches(i)]

    def list(self) -> list:
        raise NotImplementedError("a resource manager must implement list()")

    @staticmethod
    def _build_query_params(marker: str | None = None, limit: int | None = None,
                            sort_keys: str | None = None, sort_dirs: str | None = None,
                            fields: Any = None, filters: dict | None = None,
                            scope: str | None = None, namespace: str | None = None) -> str:
        params: dict = {}
        if marker:
            params["marker"] = marker
        if limit and limit > 0:
            params["limit"] = limit
        if sort_keys:
            params["sort_keys"] = sort_keys
        if sort_dirs:
            params["sort_dirs"] = sort_dirs
        if fields:
            params["fields"] = fields if isinstance(fields, str) else ",".join(fields)
        params.update(filters or {})
        if scope:
            params["scope"] = scope
        if namespace:
            params["namespace"] = namespace
        return "?%s" % urlencode(list(params.items())) if params else ""

    def _ensure_not_empty(self, **kwargs: Any) -> None:
        for name, value in kwargs.items():
            if value is None or (isinstance(value, str) and not value):
                raise APIException(400, '%s is missing field "%s"' % (self.resource_class.__name__, name))

    def _request(self, method: str, url: str, *args: Any) -> Any:
        try:
            return getattr(self.http_client, method)(url, *args)
        except APIException:
            raise
        except Exception as exc:
            response = getattr(exc, "response", None)  # keystoneauth1's HttpError carries it
            if response is not None and getattr(response, "status_code", 0) >= 400:
                self._raise_api_exception(response)
            raise

    def _validate(self, url: str, data: Any, response_key: str | None = None, dump_json: bool = True,
                  headers: dict | None = None, is_iter_resp: bool = False) -> Any:
        return self._create(url, data, response_key, dump_json, headers, is_iter_resp,
                            resp_status_ok=200, as_class=False)

    def _create(self, url: str, data: Any, response_key: str | None = None, dump_json: bool = True,
                headers: dict | None = None, is_iter_resp: bool = False, resp_status_ok: int = 201,
                as_class: bool = True) -> Any:
        if dump_json:
            data = json.dumps(data)
        resp = self._request("post", url, data, headers)
        if resp.status_code != resp_status_ok:
            self._raise_api_exception(resp)
        body = extract_json(resp, response_key)
        if is_iter_resp:
            return [self.resource_class(self, item) for item in body]
        return self.resource_class(self, body) if as_class else body

    def _update(self, url: str, data: Any, response_key: str | None = None, dump_json: bool = True,
                headers: dict | None = None, is_iter_resp: bool = False) -> Any:
        if dump_json:
            data = json.dumps(data)
        resp = self._request("put", url, data, headers)
        if resp.status_code != 200:
            self._raise_api_exception(resp)
        body = extract_json(resp, response_key)
        if is_iter_resp:
            return [self.resource_class(self, item) for item in body]
        return self.resource_class(self, body)

    def _list(self, url: str, response_key: str | None = None, headers: dict | None = None,
              returned_res_cls: type[Resource] | None = None) -> list:
        resp = self._request("get", url, headers)
        if resp.status_code != 200:
            self._raise_api_exception(resp)
        cls = returned_res_cls or self.resource_class
        return [cls(self, item) for item in extract_json(resp, response_key)]

    def _get(self, url: str, response_key: str | None = None, headers: dict | None = None) -> Any:
        resp = self._request("get", url, headers)
        if resp.status_code != 200:
            self._raise_api_exception(resp)
        return self.resource_class(self, extract_json(resp, response_key))

    def _delete(self, url: str, headers: dict | None = None) -> None:
        resp = self._request("delete", url, headers)
        if resp.status_code != 204:
            self._raise_api_exception(resp)

    @staticmethod
    def _raise_api_exception(resp: Any) -> None:
        message = resp.headers.get("Server-Error-Message")
        if not message:
            try:
                body = resp.json()
                message = body.get("faultstring") or body.get("message") if isinstance(body, dict) else body
            except ValueError:
                message = None
            message = message or resp.text or resp.reason
        raise APIException(error_code=resp.status_code, error_message=message)
