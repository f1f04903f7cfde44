"""WSME resource types: how a row looks on the wire, and how a request body is checked.

Each resource module declares one ``Resource`` subclass with WSME attributes. The same
declaration drives three things: rendering DB rows (``render``), strict checking of JSON
request bodies (``parse``, which names the offending field) and the OpenAPI schema.

``JsonText`` marks Mistral's JSON-in-a-string fields (``input``, ``params``, ``output``,
``published``, ``result``, ``variables`` ...): stored as dicts, sent as JSON strings,
accepted from clients as a JSON string or as an object.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from wsme import types as wtypes

from mistral.api import errors, http

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_INT = 2 ** 31 - 1
INT_TEXT = re.compile(r"[+-]?[0-9]{1,12}")


class JsonTextType(wtypes.UserType):
    """A JSON document carried as a string (or accepted as an object)."""

    basetype = wtypes.text
    name = "json"

    def validate(self, value: Any) -> Any:
        return value


JsonText = JsonTextType()


def datetime_to_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    return str(value)


def to_json_text(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value)


def _get(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _check_json(value: Any, name: str) -> Any:
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        data = http.parse_json(value, f"Field '{name}' is not valid JSON")
        http.refuse_bad_strings(data, name)
        return data
    raise errors.bad_request(
        f"Field '{name}' must be a JSON string or object, not {type(value).__name__}."
    )


def _check(datatype: Any, value: Any, name: str) -> Any:
    if value is None:
        return None
    if datatype is JsonText:
        return _check_json(value, name)
    if datatype in (wtypes.text, str):
        if isinstance(value, str):
            return value
        expected = "a string"
    elif datatype is bool:
        if isinstance(value, bool):
            return value
        expected = "true or false"
    elif datatype is int:
        if isinstance(value, str) and INT_TEXT.fullmatch(value.strip()):
            value = int(value.strip())  # as Mistral's WSME: "42" is the integer 42
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > MAX_INT:  # integer columns are 32-bit on PostgreSQL and MySQL
                raise errors.bad_request(f"Field '{name}' must be an integer of at most "
                                         f"{MAX_INT}, not {str(value)[:20]}.")
            return value
        expected = "an integer"
    elif isinstance(datatype, wtypes.ArrayType):
        if isinstance(value, list):
            return [_check(datatype.item_type, v, f"{name}[{i}]") for i, v in enumerate(value)]
        expected = "a list"
    elif isinstance(datatype, wtypes.DictType):
        if isinstance(value, dict):
            return value
        expected = "an object"
    else:  # pragma: no cover - a type we never declare
        return value
    raise errors.bad_request(
        f"Field '{name}' must be {expected}, not {type(value).__name__} ({value!r:.60})."
    )


class Resource(wtypes.Base):
    """Base of every wire type."""

    @classmethod
    def attributes(cls) -> list[Any]:
        return list(wtypes.list_attributes(cls))

    @classmethod
    def field_names(cls) -> list[str]:
        return [a.name for a in cls.attributes()]

    @classmethod
    def render(cls, row: Any, fields: Iterable[str] | None = None) -> dict[str, Any]:
        """A row (model object or mapping) as the JSON object Mistral sends."""
        wanted = set(fields) if fields else None
        out: dict[str, Any] = {}
        for attr in cls.attributes():
            name = attr.name
            if wanted is not None and name not in wanted and name != "id":
                continue
            value = _get(row, name)
            if attr.datatype is JsonText:
                value = to_json_text(value)
            elif isinstance(value, datetime.datetime):
                value = datetime_to_str(value)
            out[name] = value
        return out

    @classmethod
    def parse(cls, body: Mapping[str, Any], ignore: Iterable[str] = ()) -> dict[str, Any]:
        """Check a request body against the declared attributes.

        Returns only the fields the client sent, with JSON text fields decoded. Unknown
        fields and wrong types are a 400 naming the field.
        """
        known = {a.name: a for a in cls.attributes()}
        skip = set(ignore)
        result: dict[str, Any] = {}
        for name, value in body.items():
            if name in skip:
                continue
            attr = known.get(name)
            if attr is None:
                raise errors.bad_request(
                    f"Unknown attribute '{name}' for {cls.__name__}; known attributes: "
                    + ", ".join(sorted(known))
                    + "."
                )
            result[name] = _check(attr.datatype, value, name)
        return result

    @classmethod
    def list_key(cls) -> str:
        raise NotImplementedError


def json_schema_for(datatype: Any) -> dict[str, Any]:
    """The OpenAPI schema of one WSME attribute type."""
    if datatype is JsonText:
        return {"type": "string", "description": "A JSON document encoded as a string."}
    if datatype in (wtypes.text, str):
        return {"type": "string"}
    if datatype is bool:
        return {"type": "boolean"}
    if datatype is float:
        return {"type": "number"}
    if datatype is int:
        return {"type": "integer"}
    if isinstance(datatype, wtypes.ArrayType):
        return {"type": "array", "items": json_schema_for(datatype.item_type)}
    if isinstance(datatype, wtypes.DictType):
        return {"type": "object"}
    return {}


def schema_of(cls: type[Resource]) -> dict[str, Any]:
    # Any field may be null as Mistral renders it (a system action has no definition
    # and no timestamps, a fresh row no updated_at, ...): say so, or generated clients
    # and schema checkers refuse real answers.
    return {
        "type": "object",
        "properties": {a.name: _nullable(json_schema_for(a.datatype))
                       for a in cls.attributes()},
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True} if "type" in schema else schema
