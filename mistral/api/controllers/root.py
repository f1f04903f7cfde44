"""``/``: the version document, and the ``/v2`` and ``/v1`` subtrees (v1: the 2014 API,
ours beside Mistral 23's v2)."""

from __future__ import annotations

from typing import Any

from mistral.api import http
from mistral.api.controllers.v1.root import V1Controller
from mistral.api.controllers.v2.root import V2Controller


def version_document() -> dict[str, Any]:
    return {
        "id": "v2.0",
        "status": "CURRENT",
        "links": [{"href": http.host_url() + "/v2", "target": "v2", "rel": "self"}],  # as Mistral 23
    }


def v1_document() -> dict[str, Any]:
    """Ours: the 2014 API, still served (Mistral 23 lists v2 only)."""
    return {
        "id": "v1.0",
        "status": "SUPPORTED",
        "links": [{"href": http.host_url() + "/v1", "target": "v1", "rel": "self"}],
    }


class RootController:
    v2 = V2Controller()
    v1 = V1Controller()

    @http.expose(only="GET")
    def index(self) -> dict[str, Any]:
        return {"versions": [version_document(), v1_document()]}

