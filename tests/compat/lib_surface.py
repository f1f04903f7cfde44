"""Print the ``mistralclient`` library's surface as JSON: the client's managers, each
manager's public methods with their signatures, and the resource classes.

Run by whichever interpreter has the ``mistralclient`` to describe (ours, or the real
python-mistralclient in its own virtualenv); it imports nothing from this checkout.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from typing import Any

MODULES = ("action_executions", "actions", "code_sources", "cron_triggers", "dynamic_actions",
           "environments", "event_triggers", "executions", "members", "tasks", "workbooks",
           "workflows")


def _signature(fn: Any) -> list:
    out = []
    for p in inspect.signature(fn).parameters.values():
        default = p.default
        if default is inspect.Parameter.empty:
            default = "<required>"
        elif not isinstance(default, (str, int, float, bool, type(None))):
            default = repr(default)
        out.append([p.name, p.kind.name, default])
    return out


def _public(cls: type) -> dict[str, Any]:
    return {name: _signature(fn) for name, fn in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_") or name in ("__init__",)}


def describe() -> dict[str, Any]:
    from mistralclient.api import base, client
    from mistralclient.api import httpclient
    from mistralclient.api.v2 import client as v2

    out: dict[str, Any] = {
        "client": _signature(client.client),
        "determine_client_version": _signature(client.determine_client_version),
        "Client.__init__": _signature(v2.Client.__init__),
        "managers": {name: [cls.__module__, cls.__name__] for name, cls in v2.Client.MANAGERS.items()},
        "base.Resource": _public(base.Resource),
        "base.ResourceManager": _public(base.ResourceManager),
        "base.APIException": _signature(base.APIException.__init__),
        # python-mistralclient wraps these in a logging decorator: compare the names only.
        "HTTPClient": sorted(n for n in _public(httpclient.HTTPClient) if n != "__init__"),
        "modules": {},
    }
    for name in MODULES:
        mod = importlib.import_module("mistralclient.api.v2." + name)
        classes = {}
        for cname, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__:
                continue
            entry: dict[str, Any] = {"bases": [b.__name__ for b in cls.__bases__]}
            if issubclass(cls, base.Resource):
                entry["resource_name"] = cls.resource_name
                entry["defaults"] = getattr(cls, "defaults", {})
            else:
                entry["methods"] = _public(cls)
                rc = getattr(cls, "resource_class", None)
                entry["resource_class"] = rc.__name__ if rc else None
            classes[cname] = entry
        out["modules"][name] = classes
    return out


if __name__ == "__main__":
    json.dump(describe(), sys.stdout, indent=1, sort_keys=True)
