"""Services around executions across processes on the real RabbitMQ (own vhost),
PostgreSQL and Redis: one cluster for the module (api+engine+executor, two event
engines, a notifier in the first event engine's process).

* Event triggers fire: notifications published with oslo.messaging's Notifier; exactly
  one execution per notification; a trigger created or deleted takes effect without a
  restart; notifications that match nothing or are malformed are logged and dropped
  while the listeners go on.
* ``[notifier] type = remote``: the engine's events reach a webhook through the
  ``--server notifier`` process (the engine's own egress policy could not reach it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.notifiers.test_webhook import Receiver
from tests.integration.harness import Cluster, cluster, wait_until

pytestmark = pytest.mark.xdist_group("integration")

WORKFLOW = """---
version: '2.0'
on_event:
  input:
    - greeting
  tasks:
    t:
      action: std.echo output=<% $.greeting %>
"""
NOTIFIED = """---
version: '2.0'
notified:
  tasks:
    t1:
      action: std.noop
"""
EXCHANGE, TOPIC, EVENT = "nova_it", "notifications", "compute.instance.create.end"
PROJECT = "<default-project>"  # the trigger owner's project with authentication off


class Publisher:
    """oslo.messaging's Notifier on the test's vhost, into ``exchange``."""

    def __init__(self, url: str, exchange: str) -> None:
        import oslo_messaging
        from oslo_config import cfg
        from oslo_messaging import transport as om_transport

        conf = cfg.ConfigOpts()
        conf.register_opts(om_transport._transport_opts)
        conf.set_override("control_exchange", exchange)
        conf([], default_config_files=[])
        self.transport = oslo_messaging.get_notification_transport(conf, url=url)
        self.url, self.exchange = url, exchange

    def send(self, topic: str, event_type: Any, payload: Any, ctxt: dict | None = None) -> None:
        import oslo_messaging

        from oslo_context import context

        # as an OpenStack service sends it: an oslo.context request context (a plain
        # dict is dropped by oslo.messaging)
        values = ctxt if ctxt is not None else {"project_id": PROJECT, "user_id": "u1"}
        notifier = oslo_messaging.Notifier(self.transport, publisher_id="compute.host1",
                                           driver="messaging", topics=[topic])
        notifier.info(context.RequestContext(**values), event_type, payload)

    def send_raw(self, topic: str, body: str) -> None:
        """A message that is not an oslo.messaging notification at all."""
        import kombu

        with kombu.Connection(self.url.replace("rabbit://", "amqp://")) as conn:
            exchange = kombu.Exchange(self.exchange, type="topic", durable=False)
            conn.Producer().publish(body, exchange=exchange, routing_key=f"{topic}.info",
                                    declare=[exchange], content_type="text/plain")

    def close(self) -> None:
        self.transport.cleanup()


def _log(c: Cluster, names: tuple[str, ...]) -> str:
    return "".join(p.log_text() for p in c.procs if p.name in names)


def _fired(c: Cluster) -> list[str]:
    return re.findall(r"fired by notification (\S+): execution", _log(c, ("ev1", "ev2")))


def _executions(c: Cluster) -> list[dict]:
    return c.http("GET", "/v2/executions?workflow_name=on_event").json()["executions"]


@pytest.fixture(scope="module")
def c(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with cluster(tmp_path_factory.mktemp("services")) as running:
        running.start("api,engine,executor", "core", notifier={"type": "remote"})
        fast = {"event_engine": {"trigger_refresh_interval": 0.3}}
        # the receiver listens on 127.0.0.1: only the notifier (in ev1's process, not the
        # engine's) may reach loopback
        running.start("event-engine,notifier", "ev1", action_std_http={"denied_cidrs": ""}, **fast)
        running.start("event-engine", "ev2", **fast)
        running.wait_api()
        running.wait_members("notifier_group", 1)
        yield running


def test_remote_notifier_delivers_the_engines_events(c: Cluster) -> None:
    receiver = Receiver()
    try:
        c.create_workflows(NOTIFIED)
        r = c.http("POST", "/v2/executions", json={
            "workflow_name": "notified", "params": {"notify": [{"type": "webhook", "url": receiver.url}]}})
        assert r.status_code == 201, r.text
        ex_id = r.json()["id"]
        assert c.wait_finished([ex_id])[ex_id] == "SUCCESS"
        wait_until(lambda: ("WORKFLOW_SUCCEEDED", "notified") in receiver.events(), 60,
                   "the notifier to deliver")
        assert receiver.events() == [
            ("WORKFLOW_LAUNCHED", "notified"), ("TASK_LAUNCHED", "t1"), ("TASK_SUCCEEDED", "t1"),
            ("WORKFLOW_SUCCEEDED", "notified")]
        assert {e["id"] for e in receiver.received if e["event"].startswith("WORKFLOW")} == {ex_id}
    finally:
        receiver.close()


def test_notifications_start_the_triggers_workflow_once_each(c: Cluster) -> None:
    c.create_workflows(WORKFLOW)
    wf_id = c.http("GET", "/v2/workflows/on_event").json()["id"]
    r = c.http("POST", "/v2/event_triggers", json={
        "name": "on_create", "workflow_id": wf_id, "exchange": EXCHANGE, "topic": TOPIC,
        "event": EVENT, "workflow_input": {"greeting": "hi"}})
    assert r.status_code == 201, r.text
    trigger = r.json()
    listening = f"listening on exchange={EXCHANGE} topic={TOPIC}"
    wait_until(lambda: all(listening in p.log_text() for p in c.procs if p.name in ("ev1", "ev2")),
               60, "both event engines to listen")

    pub = Publisher(c.transport_url, EXCHANGE)
    try:
        for i in range(6):
            pub.send(TOPIC, EVENT, {"instance_id": f"vm-{i}"})
        wait_until(lambda: len(_fired(c)) >= 6 and len(_executions(c)) >= 6, 60, "six executions")
        fired = _fired(c)
        assert len(fired) == 6 and len(set(fired)) == 6, fired  # once per notification
        executions = _executions(c)
        assert len(executions) == 6
        ex = c.execution(executions[0]["id"])
        params = json.loads(ex["params"])
        assert params["event_params"]["service"] == "compute.host1"
        assert params["event_params"]["project_id"] == PROJECT
        # Mistral's default reads context.user_id; oslo.context sends it as "user"
        assert "user_id" in params["event_params"] and params["event_params"]["timestamp"]
        assert json.loads(ex["input"]) == {"greeting": "hi"}
        assert json.loads(ex["description"])["triggered_by"] == {
            "type": "event_trigger", "id": trigger["id"], "name": "on_create"}
        assert ex["project_id"] == PROJECT
        by_trigger = c.http("GET", f"/v2/executions?trigger_id={trigger['id']}").json()["executions"]
        assert sorted(e["id"] for e in by_trigger) == sorted(e["id"] for e in executions)

        # matches nothing: another event type, another project's notification
        pub.send(TOPIC, "compute.instance.delete.end", {})
        pub.send(TOPIC, EVENT, {}, ctxt={"project_id": "someone-else"})
        # malformed: not an oslo.messaging notification; an event type that is no string
        pub.send_raw(TOPIC, "{not json")
        pub.send(TOPIC, 12345, {})
        wait_until(lambda: "event_type=compute.instance.delete.end" in _log(c, ("ev1", "ev2"))
                   and "project_id=someone-else" in _log(c, ("ev1", "ev2"))
                   and "malformed notification" in _log(c, ("ev1", "ev2")), 60,
                   "the ignored notifications to be logged")
        pub.send(TOPIC, EVENT, {"instance_id": "after"})
        wait_until(lambda: len(_fired(c)) >= 7, 60, "the listeners to go on")
        assert all(p.alive() for p in c.procs)

        # deleted: no listener left; a new trigger on a new topic works without restart
        assert c.http("DELETE", f"/v2/event_triggers/{trigger['id']}").status_code == 204
        wait_until(lambda: all("stopped listening on exchange=" + EXCHANGE in p.log_text()
                               for p in c.procs if p.name in ("ev1", "ev2")), 60, "listeners to stop")
        r = c.http("POST", "/v2/event_triggers", json={
            "name": "other", "workflow_id": wf_id, "exchange": EXCHANGE, "topic": "second",
            "event": "x.y", "workflow_input": {"greeting": "again"}})
        assert r.status_code == 201, r.text
        wait_until(lambda: all(f"listening on exchange={EXCHANGE} topic=second" in p.log_text()
                               for p in c.procs if p.name in ("ev1", "ev2")), 60, "new listeners")
        pub.send("second", "x.y", {})
        wait_until(lambda: len(_fired(c)) >= 8, 60, "the new trigger to fire")
        assert len(_executions(c)) == 8
    finally:
        pub.close()
    # the raw message is refused (and logged with its traceback) by oslo.messaging's
    # rabbit driver itself, before any code of ours; nothing of ours failed
    ours = [line for line in _log(c, ("ev1", "ev2")).splitlines()
            if " ERROR mistral." in line or "CRITICAL" in line]
    assert not ours, ours
