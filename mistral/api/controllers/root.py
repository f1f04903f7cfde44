"""``/``: the version document, and the ``/v2`` subtree."""

from __future__ import annotations

from typing import Any

import pecan

from mistral.api import http
from mistral.api.controllers.v2.root import V2Controller


def version_document() -> dict[str, Any]:
    return {
        "id": "v2.0",
        "status": "CURRENT",
        "link": {"href": http.host_url() + "/v2", "target": "v2"},
    }


class RootController:
    v2 = V2Controller()

    @http.expose()
    def index(self) -> dict[str, Any]:
        if pecan.request.method != "GET":
            return _method_not_allowed()
        return {"versions": [version_document()]}


def _method_not_allowed() -> Any:
    from mistral.api import errors

    return errors.fault_response(405, f"Method {pecan.request.method} is not allowed on /.")
