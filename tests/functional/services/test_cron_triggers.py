"""Cron triggers fire through the real scheduler and DefaultEngine, exactly once per due time."""

from __future__ import annotations

import datetime
import threading
from types import SimpleNamespace
from collections.abc import Iterator

import pytest

from mistral import lang
from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext, admin_context
from mistral.db.api import Database
from mistral.engine.default_engine import DefaultEngine
from mistral.executors import LocalExecutor
from mistral.scheduler import Scheduler
from mistral.services.cron_triggers import CronTriggerService, execution_id, next_time

CTX = RequestContext(project_id="proj-c")
REGISTRY = ActionRegistry.load()
WF = """---
version: '2.0'
tick:
  input:
    - n: 0
  tasks:
    t:
      action: std.noop
"""


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


class Node:
    """One periodic process: scheduler + engine + local executor + cron service."""

    def __init__(self, db: Database) -> None:
        self.scheduler = Scheduler(db, fixed_delay=0.01, name=None)
        self.executor = LocalExecutor(REGISTRY, max_workers=2, heartbeat_interval=0)
        self.engine = DefaultEngine(db, self.executor, self.scheduler, registry=REGISTRY)
        self.executor.attach_engine(self.engine)
        for key, handler in self.engine.timer_handlers().items():
            self.scheduler.register_handler(key, handler)
        self.executor.start()
        self.cron = CronTriggerService(db, self.engine, self.scheduler, interval=0.05)

    def tick(self) -> int:
        self.cron.sync()
        return self.scheduler.run_once()

    def close(self) -> None:
        self.executor.stop()


@pytest.fixture
def node(database) -> Iterator[Node]:
    n = Node(database)
    yield n
    n.close()


def define(db: Database) -> str:
    [spec] = lang.parse_workflows(WF).workflows
    with db.transaction(CTX) as tx:
        row = tx.workflow_definitions.create({
            "name": spec.name, "namespace": "", "definition": WF, "spec": spec.to_dict(),
            "checksum": "c1", "scope": "private",
        })
        return row.id


def add_trigger(db: Database, wf_id: str, **values) -> str:
    with db.transaction(CTX) as tx:
        return tx.cron_triggers.create({
            "name": values.pop("name", "every-minute"), "workflow_id": wf_id, "workflow_name": "tick",
            "workflow_input": {"n": 7}, "workflow_params": {}, "scope": "private", **values,
        }).id


def executions(db: Database) -> list:
    with db.transaction(admin_context(), readonly=True) as tx:
        return [SimpleNamespace(**r.to_dict()) for r in tx.workflow_executions.list()]


def trigger(db: Database, trigger_id: str):
    with db.transaction(admin_context(), readonly=True) as tx:
        row = tx.cron_triggers.find(id=trigger_id)
        return SimpleNamespace(**row.to_dict()) if row is not None else None


def test_a_due_trigger_starts_its_workflow_once_and_moves_to_the_next_time(database, node) -> None:
    wf_id = define(database)
    due = utcnow() - datetime.timedelta(seconds=1)
    tid = add_trigger(database, wf_id, pattern="*/5 * * * *", next_execution_time=due,
                      remaining_executions=2)
    assert node.tick() == 1
    [ex] = executions(database)
    assert ex.id == execution_id(tid, due)
    assert ex.workflow_name == "tick" and ex.project_id == "proj-c"
    assert ex.input == {"n": 7}
    assert tid in ex.description
    row = trigger(database, tid)
    assert row.remaining_executions == 1
    assert row.next_execution_time == next_time("*/5 * * * *", due, utcnow())
    assert row.next_execution_time > utcnow()
    assert node.tick() == 0  # nothing due until the next period
    assert len(executions(database)) == 1


def test_firing_again_for_the_same_due_time_starts_nothing_new(database, node) -> None:
    wf_id = define(database)
    due = utcnow() - datetime.timedelta(seconds=1)
    tid = add_trigger(database, wf_id, pattern="0 0 * * *", next_execution_time=due)
    args = {"trigger_id": tid, "due": due.strftime("%Y-%m-%dT%H:%M:%S.%f")}
    # a crash after starting the workflow but before advancing: the job runs again
    node.engine.start_workflow(CTX, wf_id, wf_ex_id=execution_id(tid, due), wf_input={"n": 7})
    node.cron.fire(admin_context(), args)
    node.cron.fire(admin_context(), args)  # and a duplicate after advancing
    assert [e.id for e in executions(database)] == [execution_id(tid, due)]
    assert trigger(database, tid).next_execution_time > due


def test_one_shot_trigger_is_deleted_after_firing_and_a_bad_workflow_skips_a_run(database, node) -> None:
    wf_id = define(database)
    once = add_trigger(database, wf_id, name="once", next_execution_time=utcnow(),
                       remaining_executions=1)
    bad = add_trigger(database, wf_id, name="bad-input", pattern="* * * * *",
                      next_execution_time=utcnow(), workflow_input={"nope": 1})
    assert node.tick() == 2
    assert trigger(database, once) is None
    assert len(executions(database)) == 1  # the bad input started nothing...
    assert trigger(database, bad).next_execution_time > utcnow()  # ...and keeps its schedule


def test_two_periodic_nodes_racing_fire_each_due_time_exactly_once(database) -> None:
    wf_id = define(database)
    due = utcnow()
    ids = [add_trigger(database, wf_id, name=f"t{i}", pattern="0 0 * * *", next_execution_time=due)
           for i in range(10)]
    other_db = Database(database.url)
    nodes = [Node(database), Node(other_db)]
    barrier = threading.Barrier(2)

    def run(n: Node) -> None:
        barrier.wait()
        for _ in range(5):
            n.tick()

    threads = [threading.Thread(target=run, args=(n,)) for n in nodes]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for n in nodes:
            n.close()
        other_db.dispose()
    assert sorted(e.id for e in executions(database)) == sorted(execution_id(i, due) for i in ids)


def test_executions_record_their_trigger_and_list_by_it(database, node) -> None:
    import json

    from tests.functional.api.client import build_client

    db = database
    [spec] = lang.parse_workflows(WF).workflows
    with db.transaction(RequestContext()) as tx:  # the API's project with auth off
        wf_id = tx.workflow_definitions.create({
            "name": spec.name, "namespace": "", "definition": WF, "spec": spec.to_dict(),
            "checksum": "c1", "scope": "private"}).id
        due = utcnow() - datetime.timedelta(seconds=1)
        ids = [tx.cron_triggers.create({
            "name": name, "workflow_id": wf_id, "workflow_name": "tick", "workflow_input": {},
            "workflow_params": {}, "scope": "private", "pattern": "*/5 * * * *",
            "next_execution_time": due}).id for name in ("one", "two")]
        tx.workflow_executions.create({"name": "by hand", "workflow_name": "tick", "state": "SUCCESS"})
    assert node.tick() == 2
    api = build_client(db, engine=node.engine)
    for tid, name in zip(ids, ("one", "two")):
        listed = api.get(f"/v2/executions?trigger_id={tid}").json["executions"]
        assert [e["id"] for e in listed] == [execution_id(tid, due)]
        # and as Mistral 23 says it: the description names the trigger
        assert json.loads(listed[0]["description"])["triggered_by"] == {
            "type": "cron_trigger", "id": tid, "name": name}
    assert len(api.get("/v2/executions").json["executions"]) == 3


def test_the_execution_acts_as_the_triggers_creator(database, node) -> None:
    """Without Keystone (auth off) a trigger's execution acts as the context its creator
    had (user, roles), in the trigger's project; never as admin nor a bare project.
    With trusts: tests/functional/auth/test_trusts.py."""
    from mistral.context import stored_context

    wf_id = define(database)
    carol = RequestContext(project_id="proj-c", user_id="u-carol", user_name="carol",
                           roles=("member",), region_name="RegionTwo")
    tid = add_trigger(database, wf_id, pattern="0 0 * * *", next_execution_time=utcnow(),
                      auth_context=stored_context(carol))
    old = add_trigger(database, wf_id, name="before-creators-were-kept", pattern="0 0 * * *",
                      next_execution_time=utcnow())
    assert node.tick() == 2
    by_trigger = {e.trigger_id: e for e in executions(database)}
    auth = by_trigger[tid].auth_context
    assert (auth["project_id"], auth["user_id"], auth["roles"]) == ("proj-c", "u-carol", ["member"])
    assert auth["region_name"] == "RegionTwo" and not auth["is_admin"]
    auth = by_trigger[old].auth_context
    assert auth["project_id"] == "proj-c" and not auth["is_admin"] and not auth["user_id"]
