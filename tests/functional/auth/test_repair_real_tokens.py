"""The reconciler repairs project A's lost action while project B has data, with the
request contexts that real Keystone 30 tokens give (``tests/keystone.py``).

The contexts are what the API builds behind keystonemiddleware's ``auth_token`` for a
token of each project (no hand-made context); the engine, its reconciler and the
database are the real ones (``tests/functional/engine/harness.py`` drives them; only the
executor is the harness's inline one). Nothing of B becomes visible to A's repaired
task, and the action re-sent by the repair carries A's own token, which Keystone
accepts for A's project: an OpenStack action would run as A.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from oslo_config import cfg
from webob import Request, Response

from mistral.api import auth
from mistral.api.services import ApiSettings, _keystone_settings
from mistral.api.hooks import context_from_headers
from mistral.context import RequestContext
from tests.functional.engine.harness import Harness
from tests.functional.engine.test_owner_context import ADMIN, SECRET, SPY, _define, _published
from tests.keystone import Keystone


def _probe(settings: ApiSettings) -> Any:
    def app(environ: dict, start_response: Any) -> Any:
        ctx = context_from_headers(Request(environ).headers, True, environ, settings)
        return Response(json=ctx.to_dict())(environ, start_response)
    return app


@pytest.fixture(scope="module")
def contexts(keystone: Keystone, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``context_of(creds)``: the RequestContext the API gives a fresh token of ``creds``."""
    path: Path = tmp_path_factory.mktemp("repair") / "mistral.conf"
    path.write_text("[pecan]\nauth_enable = True\n" + keystone.authtoken_section())
    conf = cfg.ConfigOpts()
    conf.register_opts([cfg.BoolOpt("auth_enable")], group="pecan")
    auth.register_opts(conf)
    conf(["--config-file", str(path)], project="mistral")
    app = auth.with_keystone(_probe(ApiSettings(auth_enable=True, **_keystone_settings(conf))), conf)

    def context_of(creds: Any) -> RequestContext:
        token, _ = keystone.token(creds)
        r = Request.blank("/v2/x", headers={"X-Auth-Token": token}).get_response(app)
        assert r.status_int == 200, r.text
        return RequestContext.from_dict(r.json)

    yield context_of
    conf.reset()


def test_a_repair_acts_as_the_owner_of_real_tokens(sqlite_database: Any, keystone: Keystone,
                                                    contexts: Any) -> None:
    alpha, beta = keystone.make_project_user("repair-a"), keystone.make_project_user("repair-b")
    a, b = contexts(alpha), contexts(beta)
    assert a.project_id == alpha.project_id and not a.is_admin and a.auth_token
    h = Harness(sqlite_database)  # its clock starts now

    _define(h, b, SECRET)  # B has data
    b_id = h.engine.start_workflow(b, "secret", wf_input={"code": "b-secret"})["id"]
    h.run_until_idle()
    _define(h, a, SPY)
    wf_id = h.engine.start_workflow(a, "spy")["id"]

    # A's action is lost on its way to an executor: the reconciler sends it again, as A
    _, req = h.executor.queue.popleft()
    h.clock.advance(30)
    assert h.engine.reconcile() >= 1
    ctx, again = h.executor.queue.popleft()
    assert again.action_ex_id == req.action_ex_id
    assert (ctx.project_id, ctx.user_id, ctx.roles) == (a.project_id, a.user_id, a.roles)
    assert not ctx.is_admin and ctx.auth_token == a.auth_token
    checked = keystone.validate(ctx.auth_token)  # an OpenStack action would run as A
    assert checked is not None and checked["project"]["id"] == alpha.project_id

    # then the executor that took it dies: the repair fails the task, as A, and what it
    # publishes (expressions over every execution and task) is A's only
    h.engine.report_running_actions(ADMIN, [req.action_ex_id])
    h.clock.advance(30)
    assert h.engine.reconcile() >= 1
    h.run_until_idle()
    published = _published(h, wf_id)
    assert published["seen_inputs"] == [{}]
    assert set(published["seen_tasks"]) == {wf_id}
    assert "b-secret" not in repr(published) and b_id not in repr(published)
