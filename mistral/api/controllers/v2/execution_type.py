"""The wire type of a workflow execution (shared by executions, sub-executions, tasks)."""

from __future__ import annotations

from typing import Any

from wsme import types as wtypes

from mistral.api.controllers.v2.resource import JsonText, Resource


class Execution(Resource):
    id = wtypes.text
    workflow_id = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    description = wtypes.text
    tags = wtypes.ArrayType(wtypes.text)
    params = JsonText
    task_execution_id = wtypes.text
    root_execution_id = wtypes.text
    source_execution_id = wtypes.text
    state = wtypes.text
    state_info = wtypes.text
    input = JsonText
    output = JsonText
    created_at = wtypes.text
    updated_at = wtypes.text
    project_id = wtypes.text
    published_global = JsonText  # GET /v2/executions/<id> only, as Mistral 23


# What Mistral 23 answers when it has not read the JSON columns (a new description, a
# task's workflow_executions): no params, input, output, nor the fields that are no columns.
PLAIN_FIELDS = [f for f in Execution.field_names()
                if f not in ("params", "input", "output", "source_execution_id",
                             "published_global")]


def render(row: Any, fields: list[str] | None = None) -> dict[str, Any]:
    body = Execution.render(row, fields)
    if not fields or "published_global" not in fields:
        body.pop("published_global", None)
    if body.get("source_execution_id", "") is None:  # as Mistral 23: only when there is one
        del body["source_execution_id"]
    return body
