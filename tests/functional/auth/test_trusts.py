"""Cron and event triggers act as their creator through a Keystone trust, as in Mistral 23,
end to end against a real Keystone 30, after the creator's token expired.

In one process, built by ``mistral-server``'s own composition root (``Launcher``: API,
engine with a local executor, scheduler, cron triggers, event engine) from a config file
as an operator writes it: the API behind keystonemiddleware's ``auth_token``, and the
service user of ``[keystone_authtoken]`` as the trustee. Keystone is real: a second
server on its database (``Keystone.short_lived_front``) issues tokens that expire after
``LIFE`` seconds, to the creator and to the service user alike, so both the creator's
token and the trust-scoped ones really expire during the test. Faked: only Nova (the
stand-in of ``tests/openstack_standin.py``), which answers only tokens that Keystone
validates at that moment, as a real Nova's middleware does.
"""

from __future__ import annotations

import datetime
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from oslo_config import cfg
from webob import Request

from mistral import config
from mistral.cmd.launch import Launcher
from mistral.context import admin_context
from mistral.rpc.notifications import Notification
from tests.keystone import Credentials, Keystone, ShortLivedFront
from tests.openstack_standin import StandIn

# one worker: the module's Keystone front, cloud and services are made once
pytestmark = pytest.mark.xdist_group("trusts")

LIFE = 15  # seconds a token of the short-lived Keystone server lives
CONFIG = """[DEFAULT]
state_path = {state}
transport_url = fake:/
[pecan]
auth_enable = True
[executor]
type = local
[scheduler]
fixed_delay = 0.2
[event_engine]
trigger_refresh_interval = 60
{authtoken}
"""
WORKFLOWS = """---
version: '2.0'
nightly:
  tasks:
    first:
      action: nova.servers_list action_region={region}
      on-success: hold
    hold:
      action: std.async_noop
      on-success: last
    last:
      action: nova.servers_list action_region={region}
on_event:
  tasks:
    only:
      action: nova.servers_list action_region={region}
quick:
  tasks:
    only:
      action: std.noop
"""


class Stack:
    def __init__(self, keystone: Keystone, front: ShortLivedFront, nova: StandIn,
                 region: str) -> None:
        self.keystone, self.front, self.nova, self.region = keystone, front, nova, region
        self.launcher: Any = None
        self.app: Any = None
        self.db: Any = None
        self.accepted: dict[str, dict] = {}  # token -> Keystone's body when Nova took it

    def validate(self, token: str) -> dict | None:
        """Nova's check of a token: Keystone's answer now (recorded when accepted)."""
        body = self.keystone.validate(token)
        if body is not None:
            self.accepted.setdefault(token, body)
        return body

    def nova_calls(self) -> list[str]:
        return [s.token for s in self.nova.seen if s.token in self.accepted]

    def call(self, method: str, path: str, token: str, body: Any = None,
             text: str | None = None, root: str = "/v2") -> Any:
        req = Request.blank(root + path, method=method, headers={"X-Auth-Token": token})
        if text is not None:
            req.content_type, req.body = "text/plain", text.encode()
        elif body is not None:
            req.content_type, req.body = "application/json", json.dumps(body).encode()
        return req.get_response(self.app)

    def with_short_token(self, creds: Credentials, method: str, path: str,
                         body: Any) -> tuple[Any, str, dict]:
        """``path`` called with a fresh short-lived token of ``creds`` (a new one if a busy
        machine let it expire on the way); ``body`` may be a function of the token's body."""
        for _ in range(3):
            token, token_body = self.front.token(creds)
            r = self.call(method, path, token, body(token_body) if callable(body) else body)
            if r.status_int != 401:
                return r, token, token_body
        raise AssertionError(f"{path}: 401 with three fresh tokens: {r.text}")

    def started_by(self, trigger_id: str) -> list[str]:
        with self.db.transaction(admin_context(), readonly=True) as tx:
            return [e.id for e in tx.workflow_executions.list(filters={"trigger_id": trigger_id},
                                                              fields=("id",))]

    def holding(self, ex_id: str) -> str | None:
        """The id of the execution's RUNNING std.async_noop action, once there is one."""
        with self.db.transaction(admin_context(), readonly=True) as tx:
            tasks = [t.id for t in tx.task_executions.list(
                filters={"workflow_execution_id": ex_id, "name": "hold"}, fields=("id",))]
            rows = tx.action_executions.list(filters={
                "task_execution_id": tasks[0], "state": "RUNNING"}, fields=("id",)) if tasks else []
            return rows[0].id if rows else None

    def ended(self, ex_id: str) -> Any:
        """The execution once it ended (waits)."""
        return self.wait_for(f"execution {ex_id} to end", lambda: (
            e := self.execution(ex_id)) is not None and e.state in ("SUCCESS", "ERROR") and e)

    def triggers_of(self, prefix: str) -> dict[str, Any]:
        """The cron triggers named ``<prefix>.*`` (a v1 workbook's), by name."""
        with self.db.transaction(admin_context(), readonly=True) as tx:
            return {t.name: SimpleNamespace(**t.to_dict()) for t in tx.cron_triggers.list()
                    if t.name.startswith(prefix + ".")}

    def trust_ids(self, user_id: str) -> set[str]:
        return {t["id"] for t in self.keystone.trusts_of(user_id)}

    def execution(self, ex_id: str) -> Any:
        with self.db.transaction(admin_context(), readonly=True) as tx:
            row = tx.workflow_executions.find(id=ex_id)
            return None if row is None else SimpleNamespace(**row.to_dict())

    def wait_for(self, what: str, check: Any, timeout: float = 90.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def stack(keystone: Keystone, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from mistral.db.api import Database

    front = keystone.short_lived_front(LIFE)
    stack = Stack(keystone, front, StandIn(), f"Region-{secrets.token_hex(3)}")
    try:
        stack.nova.validate = stack.validate
        stack.nova.start()
        keystone.register_service("compute", f"nova-trusts-{stack.region}",
                                  {"public": f"{stack.nova.url}/compute/v2.1"}, region=stack.region)
        workdir: Path = tmp_path_factory.mktemp("trusts")
        path = workdir / "mistral.conf"
        # the service user logs in at the short-lived server: its trust tokens expire too
        path.write_text(CONFIG.format(state=workdir / "state", authtoken=keystone.authtoken_section(
            auth_url=front.url, token_cache_time=-1)))
        conf = cfg.ConfigOpts()
        config.parse_args(["--config-file", str(path)], conf=conf)
        stack.launcher = Launcher(conf, ["api", "engine", "periodic", "event-engine"],
                                  serve_api=False)
        stack.launcher.start()
        stack.app = stack.launcher.api_app
        stack.db = Database(**config.database_options(conf))
        yield stack
    finally:
        if stack.db is not None:
            stack.db.dispose()
        if stack.launcher is not None:
            stack.launcher.stop()
        stack.nova.stop()
        front.stop()


def _utc(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def test_triggers_fire_as_their_creator_through_a_trust_after_the_token_expired(
        stack: Stack, keystone: Keystone) -> None:
    alice = keystone.make_project_user("trustor", roles=("member",))
    token, _ = keystone.token(alice)  # an ordinary (hour-long) token for the rest
    r = stack.call("POST", "/workflows", token, text=WORKFLOWS.format(region=stack.region))
    assert r.status_int == 201, r.text
    wf_ids = {w["name"]: w["id"] for w in r.json["workflows"]}

    # a one-shot trigger (it runs while the rest of the test waits for tokens to expire)
    soon = datetime.datetime.utcnow() + datetime.timedelta(seconds=20)
    r = stack.call("POST", "/cron_triggers", token, {
        "name": "once", "workflow_name": "quick",
        "first_execution_time": soon.strftime("%Y-%m-%d %H:%M:%S")})
    assert r.status_int == 201, r.text
    once = r.json

    # the two others are created with tokens that expire LIFE s later
    r, event_token, _ = stack.with_short_token(alice, "POST", "/event_triggers", {
        "name": "on_event", "workflow_id": wf_ids["on_event"], "exchange": "nova",
        "topic": "notifications", "event": "compute.instance.create.end"})
    assert r.status_int == 201, r.text
    event = r.json
    with stack.db.transaction(admin_context(), readonly=True) as tx:
        event_row = SimpleNamespace(**tx.event_triggers.get(event["id"]).to_dict())
    # the cron trigger is due 2 s after its creator's token expired (then each new year)
    r, cron_token, cron_body = stack.with_short_token(alice, "POST", "/cron_triggers", lambda b: {
        "name": "nightly", "workflow_name": "nightly", "pattern": "0 0 1 1 *",
        "first_execution_time": (_utc(b["expires_at"]) + datetime.timedelta(seconds=2)
                                 ).strftime("%Y-%m-%d %H:%M:%S")})
    assert r.status_int == 201, r.text
    cron = r.json
    with stack.db.transaction(admin_context(), readonly=True) as tx:
        cron_row = SimpleNamespace(**tx.cron_triggers.get(cron["id"]).to_dict())
    assert "trust_id" not in cron and "auth_context" not in cron  # never shown

    # one trust per trigger, from alice to the service user, for her project and roles
    trusts = {t["id"]: t for t in keystone.trusts_of(alice.user_id)}
    assert {cron_row.trust_id, event_row.trust_id} <= set(trusts) and len(trusts) in (2, 3)
    for t in trusts.values():
        assert t["trustee_user_id"] == keystone.service.user_id
        assert t["project_id"] == alice.project_id and t["impersonation"] is True
    for row in (cron_row, event_row):  # the creator is kept, her token is not
        assert row.auth_context["user_id"] == alice.user_id
        assert row.auth_context["auth_token"] is None and "member" in row.auth_context["roles"]

    # alice's token expires: Keystone and the API refuse it
    stack.wait_for("the creator's token to expire", lambda: keystone.validate(cron_token) is None)
    assert stack.call("GET", "/cron_triggers", cron_token).status_int == 401

    # the trigger fires by itself and its execution acts as alice through the trust
    ex_id = stack.wait_for("the cron trigger to fire", lambda: stack.started_by(cron["id"]))[0]
    listed = stack.call("GET", "/executions?trigger_id=" + cron["id"], token).json["executions"]
    assert [e["id"] for e in listed] == [ex_id]
    ex = stack.execution(ex_id)
    assert ex.created_at > _utc(cron_body["expires_at"])
    assert ex.project_id == alice.project_id
    auth = ex.auth_context
    assert auth["user_id"] == alice.user_id and auth["is_trust_scoped"] is True
    assert auth["trust_id"] == cron_row.trust_id and not auth["is_admin"]
    assert auth["auth_token"] not in (None, cron_token)

    # the trigger is deleted while its execution waits: the trust stays until it ends
    hold = stack.wait_for("the execution to wait", lambda: stack.holding(ex_id))
    r = stack.call("DELETE", f"/cron_triggers/{cron['name']}", token)
    assert r.status_int == 204, r.text
    assert cron_row.trust_id in stack.trust_ids(alice.user_id)

    # its first trust-scoped token expires meanwhile: the last task gets a new one
    [first_token] = stack.nova_calls()
    stack.wait_for("the first trust token to expire", lambda: keystone.validate(first_token) is None)
    r = stack.call("PUT", f"/action_executions/{hold}", token, {"state": "SUCCESS"})
    assert r.status_int == 200, r.text
    done = stack.ended(ex_id)
    assert done.state == "SUCCESS", done.state_info
    stack.wait_for("the trust to go with the execution", lambda: cron_row.trust_id not in
                   stack.trust_ids(alice.user_id))

    # Nova saw two trust-scoped tokens of alice, never the creator's own
    calls = stack.nova_calls()
    assert len(calls) == 2 and calls[0] != calls[1] and cron_token not in calls
    for t in calls:
        body = stack.accepted[t]
        assert body["user"]["id"] == alice.user_id and body["project"]["id"] == alice.project_id
        assert body["OS-TRUST:trust"]["id"] == cron_row.trust_id
        assert {r["name"] for r in body["roles"]} <= {"member", "reader"}

    # a notification fires the event trigger after its creator's token expired, too
    assert keystone.validate(event_token) is None
    [event_ex] = stack.launcher.event_engine.on_notification(Notification(
        "nova", "notifications", "info", {"project_id": alice.project_id}, "compute.host",
        "compute.instance.create.end", {}, {"message_id": secrets.token_hex(8), "timestamp": "t"}))
    done = stack.ended(event_ex)
    assert done.state == "SUCCESS", done.state_info
    assert done.auth_context["user_id"] == alice.user_id
    assert done.auth_context["trust_id"] == event_row.trust_id
    assert stack.accepted[stack.nova_calls()[-1]]["OS-TRUST:trust"]["id"] == event_row.trust_id

    # deleting a trigger none of whose executions runs deletes its trust at once
    r = stack.call("DELETE", f"/event_triggers/{event['id']}", token)
    assert r.status_int == 204, r.text
    assert event_row.trust_id not in stack.trust_ids(alice.user_id)

    # the one-shot trigger went after its run, and its trust once that run ended
    [once_ex] = stack.started_by(once["id"])
    assert stack.ended(once_ex).state == "SUCCESS"
    assert stack.call("GET", "/cron_triggers/once", token).status_int == 404
    assert stack.trust_ids(alice.user_id) == set()


V1_WORKBOOK = """
Services:
  E: {type: ECHO, actions: {a: {}}}
Workflow:
  tasks:
    t: {action: 'E:a'}
    u: {action: 'E:a'}
  events:
    nightly: {type: periodic, tasks: t, parameters: {cron-pattern: '0 3 1 1 *'}}
    yearly: {type: periodic, tasks: u, parameters: {cron-pattern: 'PATTERN'}}
"""


def test_a_v1_workbooks_triggers_have_a_trust_each_that_goes_with_them(
        stack: Stack, keystone: Keystone) -> None:
    bob = keystone.make_project_user("v1owner", roles=("member",))
    token, _ = keystone.token(bob)

    def v1(method: str, path: str, body: Any = None, text: str | None = None) -> Any:
        return stack.call(method, path, token, body, text, root="/v1")

    def trusts_of(prefix: str) -> set[str]:
        rows = stack.triggers_of(prefix)
        for row in rows.values():  # the creator is kept, his token is not
            assert row.auth_context["user_id"] == bob.user_id
            assert row.auth_context["auth_token"] is None and row.project_id == bob.project_id
        ids = {row.trust_id for row in rows.values()}
        assert None not in ids and len(ids) == len(rows) == 2, rows
        return ids

    assert v1("POST", "/workbooks", {"name": "wbt"}).status_int == 201
    r = v1("PUT", "/workbooks/wbt/definition", text=V1_WORKBOOK.replace("PATTERN", "0 4 1 1 *"))
    assert r.status_int == 200, r.text
    first = trusts_of("wbt")
    assert stack.trust_ids(bob.user_id) == first
    for t in keystone.trusts_of(bob.user_id):  # from bob to the service user, as a v2 trigger's
        assert t["trustee_user_id"] == keystone.service.user_id
        assert t["project_id"] == bob.project_id and t["impersonation"] is True

    # a new definition makes new triggers with new trusts; the old trusts go with the old ones
    r = v1("PUT", "/workbooks/wbt/definition", text=V1_WORKBOOK.replace("PATTERN", "0 5 1 1 *"))
    assert r.status_int == 200, r.text
    second = trusts_of("wbt")
    assert second.isdisjoint(first) and stack.trust_ids(bob.user_id) == second

    # so does renaming the workbook, and deleting it leaves no trust
    r = v1("PUT", "/workbooks/wbt", {"name": "wbr"})
    assert r.status_int == 200, r.text
    assert stack.triggers_of("wbt") == {}
    third = trusts_of("wbr")
    assert third.isdisjoint(second) and stack.trust_ids(bob.user_id) == third
    assert v1("DELETE", "/workbooks/wbr").status_int == 204
    assert stack.triggers_of("wbr") == {} and stack.trust_ids(bob.user_id) == set()

    # a definition that is refused makes no trust (those made before it was judged go again)
    assert v1("POST", "/workbooks", {"name": "wbx"}).status_int == 201
    r = v1("PUT", "/workbooks/wbx/definition", text=V1_WORKBOOK.replace("PATTERN", "not a pattern"))
    assert r.status_int == 400, r.text
    assert stack.trust_ids(bob.user_id) == set()
