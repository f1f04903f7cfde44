"""Every engine event acts as the execution's owner, whoever delivered it.

The regression of issue 13: the reconciler took its repairs under the admin context, so
a task of project A whose action was lost evaluated ``executions()`` as admin and
published project B's execution input. Here B has data while A's lost action is repaired
(and while A's timers fire through a scheduler that runs as the service): nothing of B
becomes visible to A, and what the engine sends on A's behalf carries A's context.
"""

from __future__ import annotations

from typing import Any

from mistral import lang
from mistral.context import RequestContext
from tests.functional.engine.harness import Harness

A = RequestContext(project_id="p-alpha", user_id="u-alice", user_name="alice",
                   roles=("member",), auth_token="tok-alice",
                   auth_uri="http://127.0.0.1:5000/v3", region_name="RegionOne",
                   service_catalog=[{"type": "compute", "endpoints": []}])
B = RequestContext(project_id="p-beta", user_id="u-bob", roles=("member",))
ADMIN = RequestContext(is_admin=True)

SPY = """
version: '2.0'
spy:
  tasks:
    t:
      action: std.echo output=mine
      publish-on-error:
        seen_inputs: <% executions().select($.input) %>
        seen_tasks: <% tasks().select($.workflow_execution_id) %>
"""

TIMED = """
version: '2.0'
timed:
  tasks:
    t:
      wait-before: 1
      action: std.echo output=<% executions().select($.input) %>
      publish:
        seen_inputs: <% task().result %>
"""

SECRET = """
version: '2.0'
secret:
  input: [code]
  tasks:
    t:
      action: std.noop
"""


def _define(h: Harness, ctx: RequestContext, text: str) -> None:
    with h.db.transaction(ctx) as tx:
        for spec in lang.parse_workflows(text).workflows:
            tx.workflow_definitions.create({
                "name": spec.name, "namespace": "", "definition": text,
                "spec": spec.to_dict(), "checksum": str(hash(text)), "scope": "private"})


def _b_has_data(h: Harness) -> str:
    _define(h, B, SECRET)
    wf = h.engine.start_workflow(B, "secret", wf_input={"code": "b-secret"})
    h.run_until_idle()
    return wf["id"]


def _published(h: Harness, wf_id: str) -> dict[str, Any]:
    with h.db.transaction(ADMIN, readonly=True) as tx:
        [task] = tx.task_executions.list(filters={"workflow_execution_id": wf_id})
        return dict(task.published or {})


def test_a_repair_of_a_lost_action_sees_only_the_owners_rows(h: Harness) -> None:
    b_id = _b_has_data(h)
    _define(h, A, SPY)
    wf_id = h.engine.start_workflow(A, "spy")["id"]
    ctx, req = h.executor.queue.popleft()          # an executor took it ...
    assert ctx.project_id == A.project_id
    h.engine.report_running_actions(ADMIN, [req.action_ex_id])
    h.clock.advance(30)                            # ... and died: no more heartbeats
    assert h.engine.reconcile() >= 1               # the reconciler fails it, as A
    h.run_until_idle()

    published = _published(h, wf_id)
    assert published["seen_inputs"] == [{}]        # A's own execution only
    assert set(published["seen_tasks"]) == {wf_id}
    assert "b-secret" not in repr(published) and b_id not in repr(published)
    with h.db.transaction(ADMIN, readonly=True) as tx:
        rows = tx.task_executions.list(filters={"workflow_execution_id": wf_id})
        assert {r.project_id for r in rows} == {A.project_id}


def test_a_resent_action_carries_the_owners_context(h: Harness) -> None:
    _b_has_data(h)
    _define(h, A, SPY.replace("action: std.echo output=mine",
                              "action: std.echo output=mine\n      safe-rerun: true"))
    h.engine.start_workflow(A, "spy")
    _, req = h.executor.queue.popleft()
    h.engine.report_running_actions(ADMIN, [req.action_ex_id])
    h.clock.advance(30)
    h.engine.reconcile()
    [(ctx, again)] = list(h.executor.queue)
    assert again.action_ex_id == req.action_ex_id
    assert ctx.project_id == A.project_id and ctx.user_id == A.user_id
    assert not ctx.is_admin and ctx.roles == A.roles
    assert ctx.auth_token == A.auth_token and ctx.auth_uri == A.auth_uri
    assert ctx.region_name == A.region_name and ctx.service_catalog == A.service_catalog


def test_a_timer_fired_by_the_service_acts_as_the_owner(h: Harness) -> None:
    b_id = _b_has_data(h)
    _define(h, A, TIMED)
    wf_id = h.engine.start_workflow(A, "timed")["id"]
    for _ in range(100):  # every timer fired by the service (as admin), not its scheduler
        for job in h.scheduler.jobs:
            job["ctx"] = ADMIN
        if not h.pump():
            if not h.scheduler.jobs:
                break
            h.clock.advance(1)
    with h.db.transaction(ADMIN, readonly=True) as tx:
        assert tx.workflow_executions.get(wf_id).state == "SUCCESS"
    assert _published(h, wf_id)["seen_inputs"] == [{}]
    assert b_id not in repr(_published(h, wf_id))
