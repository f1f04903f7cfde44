"""``/v2``: the API root and one sub-controller per resource."""

from __future__ import annotations

from typing import Any

import pecan

from mistral.api import errors, http
from mistral.api.controllers.v2 import workflows


class V2Controller:
    workflows = workflows.WorkflowsController()

    @http.expose()
    def index(self) -> Any:
        if pecan.request.method != "GET":
            return errors.fault_response(
                405, f"Method {pecan.request.method} is not allowed on /v2."
            )
        return {"uri": http.host_url() + "/v2"}
