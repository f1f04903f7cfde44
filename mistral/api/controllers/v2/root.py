"""``/v2``: the API root and one sub-controller per resource."""

from __future__ import annotations

from typing import Any

import pecan

from mistral.api import http
from mistral.api.controllers.v2 import (
    action_executions,
    actions,
    code_sources,
    cron_triggers,
    dynamic_actions,
    environments,
    event_triggers,
    executions,
    openapi,
    rehearsals,
    services,
    tasks,
    workbooks,
    workflows,
)


class V2Controller:
    workbooks = workbooks.WorkbooksController()
    workflows = workflows.WorkflowsController()
    actions = actions.ActionsController()
    code_sources = code_sources.CodeSourcesController()
    dynamic_actions = dynamic_actions.DynamicActionsController()
    executions = executions.ExecutionsController()
    tasks = tasks.TasksController()
    action_executions = action_executions.ActionExecutionsController()
    cron_triggers = cron_triggers.CronTriggersController()
    environments = environments.EnvironmentsController()
    event_triggers = event_triggers.EventTriggersController()
    services = services.ServicesController()
    rehearsals = rehearsals.RehearsalsController()

    @http.expose(only="GET")
    def index(self) -> Any:
        return {"uri": http.host_url() + "/v2"}

    @pecan.expose()
    def _lookup(self, name: str, *remainder: str) -> Any:
        if name == "openapi.json" and not remainder:
            return openapi.OpenApiController(self), ()
        return None
