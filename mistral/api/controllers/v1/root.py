"""``/v1``: the 2014 API root and its ``workbooks``."""

from __future__ import annotations

from typing import Any

from mistral.api import http
from mistral.api.controllers.v1.workbooks import WorkbooksController


class V1Controller:
    workbooks = WorkbooksController()

    @http.expose(only="GET")
    def index(self) -> Any:
        return {"uri": http.host_url() + "/v1"}
