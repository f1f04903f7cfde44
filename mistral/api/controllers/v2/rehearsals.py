"""``/v2/rehearsals`` (ours): run a workflow with mocked action results.

``POST /v2/rehearsals`` takes what ``POST /v2/executions`` takes (``workflow_id`` or
``workflow_name``, ``workflow_namespace``, ``input``, ``params``) plus ``mocks`` (task
path → mocked result(s), see ``mistral.engine.mocks``), runs the workflow through the
real engine on private ports (``mistral.engine.rehearsal``) and answers ``200`` with the
end state, the output, the path taken and every task's result. Nothing is stored, no
action runs, nothing is sent to an executor. Allowed to whoever may create executions.
"""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral.api import definitions, errors, http, policy
from mistral.api.controllers.v2.executions import _resolve_env
from mistral.api.controllers.v2.resource import JsonText, Resource

REQUEST_FIELDS = ("workflow_id", "workflow_name", "workflow_namespace", "input", "params",
                  "mocks")


class Rehearsal(Resource):
    """A rehearsal: the request (workflow, input, params, mocks) and the answer."""

    workflow_id = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    input = JsonText
    params = JsonText
    mocks = JsonText
    # the answer
    state = wtypes.text
    state_info = wtypes.text
    output = wtypes.DictType(wtypes.text, wtypes.text)
    path = wtypes.ArrayType(wtypes.text)
    tasks = wtypes.ArrayType(wtypes.DictType(wtypes.text, wtypes.text))
    unmocked = wtypes.ArrayType(wtypes.text)
    unused_mocks = wtypes.ArrayType(wtypes.text)
    elapsed = float
    complete = bool


def _object(v: dict[str, Any], key: str) -> dict[str, Any]:
    value = v.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.bad_request(f"Field '{key}' must be a JSON object.")
    return value


def rehearse(body: dict[str, Any]) -> dict[str, Any]:
    answer_only = sorted(set(body) & (set(Rehearsal.field_names()) - set(REQUEST_FIELDS)))
    if answer_only:
        raise errors.bad_request(
            f"Field(s) {', '.join(answer_only)} are part of the answer, not of the request; "
            f"a rehearsal takes {', '.join(REQUEST_FIELDS)}.")
    v = Rehearsal.parse(body)
    identifier = v.get("workflow_id") or v.get("workflow_name")
    if not identifier:
        raise errors.bad_request("Field 'workflow_id' or 'workflow_name' is required.")
    wf_input, params, mocks = _object(v, "input"), _object(v, "params"), _object(v, "mocks")
    ctx = http.ctx()
    with http.read_tx() as tx:
        wf = definitions.find_workflow(tx, identifier, v.get("workflow_namespace") or "")
        wf_id, namespace = wf.id, wf.namespace or ""
        params = _resolve_env(tx, params)
    return http.rehearsal().run(ctx, wf_id, namespace, wf_input, params, mocks)


class RehearsalsController(rest.RestController):
    DOC = ("Rehearsal", None)

    @http.expose(status=200)
    def post(self, **kw: Any) -> dict[str, Any]:
        """Rehearse a workflow with mocked action results: the real engine's semantics,
        nothing stored, no action run. Answers the end state, output, path and results."""
        policy.authorize("executions:create")
        return rehearse(http.json_body())
