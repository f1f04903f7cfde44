"""Separate processes over the real RabbitMQ + PostgreSQL + Redis: scaling and kill -9.

Each test builds its own cluster (vhost, database, Redis namespace) from the console
script and kills every process at teardown.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.integration.harness import Cluster, cluster, wait_until

pytestmark = pytest.mark.xdist_group("integration")

WORKFLOWS = """---
version: '2.0'
parallel:
  tasks:
    a:
      action: std.sleep seconds=0.5
    b:
      action: std.sleep seconds=0.5
    c:
      action: std.sleep seconds=0.5
    d:
      action: std.echo output=done
no_retry:
  tasks:
    t:
      action: std.sleep seconds=8
retry_once:
  tasks:
    t:
      action: std.sleep seconds=8
      retry:
        count: 1
        delay: 0
safe:
  tasks:
    t:
      action: std.sleep seconds=8
      safe-rerun: true
chain:
  tasks:
    t1:
      action: std.sleep seconds=0.3
      on-success: t2
    t2:
      action: std.sleep seconds=0.3
      on-success: t3
    t3:
      action: std.sleep seconds=0.3
      on-success: t4
    t4:
      action: std.echo output=end
"""

RUNNING = re.compile(r"Running action \[name=[^,]+, action_ex_id=([0-9a-f-]+), host=([^\]]+)\]")


def ran_on(proc_log: str) -> list[str]:
    return RUNNING.findall(proc_log)


def acknowledged(c: Cluster) -> int:
    """Running action executions an executor has acknowledged (read from the database)."""
    from mistral.db.api import Database

    db = Database(c.db_url)
    try:
        with db.transaction(readonly=True) as tx:
            return tx.action_executions.count(state="RUNNING", accepted=True)
    finally:
        db.dispose()


def executor_hosts(c: Cluster) -> dict[str, str | None]:
    """``executor_host`` of every action execution, as the heartbeats recorded it."""
    from mistral.db.api import Database

    db = Database(c.db_url)
    try:
        with db.transaction(readonly=True) as tx:
            return {a.id: a.executor_host
                    for a in tx.action_executions.list(fields=("id", "executor_host"))}
    finally:
        db.dispose()


def start_api_engine(c: Cluster) -> None:
    c.start("api", "api")
    c.start("engine", "engine", engine={"host": "engine-1"})
    c.wait_api()
    c.wait_members("engine_group", 1)
    c.create_workflows(WORKFLOWS)


@pytest.fixture
def c(tmp_path: Path):
    with cluster(tmp_path) as c:
        yield c


def test_two_executors_share_the_work(c: Cluster) -> None:
    start_api_engine(c)
    # executors never touch the database: give them one that does not exist
    no_db = {"connection": "postgresql+psycopg2://postgres@127.0.0.1:1/none"}
    ex1 = c.start("executor", "executor-1", executor={"host": "exec-1"}, database=no_db)
    ex2 = c.start("executor", "executor-2", executor={"host": "exec-2"}, database=no_db)
    c.wait_members("executor_group", 2)
    ids = [c.start_execution("parallel") for _ in range(6)]
    c.assert_all_succeeded(c.wait_finished(ids))
    on1, on2 = ran_on(ex1.log_text()), ran_on(ex2.log_text())
    assert on1 and on2, "both executors must have run actions"
    assert len(on1) + len(on2) == 24
    assert not set(a for a, _ in on1) & set(a for a, _ in on2), "an action ran twice"
    # heartbeats name the executor; an action that finished before its acknowledgement
    # was applied may have none, but never a wrong one
    hosts = executor_hosts(c)
    assert all(hosts[a] in (host, None) for a, host in on1 + on2), hosts
    assert {h for h in hosts.values() if h} == {"exec-1", "exec-2"}


def test_kill9_executor_mid_action_follows_each_tasks_policy(c: Cluster) -> None:
    start_api_engine(c)
    doomed = c.start("executor", "executor-doomed", executor={"host": "exec-doomed"})
    c.wait_members("executor_group", 1)
    ids = {name: c.start_execution(name) for name in ("no_retry", "retry_once", "safe")}
    wait_until(lambda: len(ran_on(doomed.log_text())) == 3, 60, "three actions running")
    wait_until(lambda: acknowledged(c) == 3, 30, "the executor to acknowledge them")
    c.kill9(doomed)
    survivor = c.start("executor", "executor-survivor", executor={"host": "exec-survivor"})
    states = c.wait_finished(list(ids.values()), timeout=120)
    # the dead executor has left GET /v2/services; the survivor is listed
    members = lambda: {s["name"] for s in c.services() if s["type"] == "executor_group"}  # noqa: E731
    wait_until(lambda: members() == {f"{socket.gethostname()}_{survivor.popen.pid}"}, 30,
               "the dead executor to leave the services list")
    assert states[ids["no_retry"]] == "ERROR"
    assert states[ids["retry_once"]] == "SUCCESS"
    assert states[ids["safe"]] == "SUCCESS"
    # only the retry and the safe re-run ran again; the task without either did not
    assert len(ran_on(survivor.log_text())) == 2
    no_retry_actions = c.action_executions(ids["no_retry"])
    assert [a["state"] for a in no_retry_actions] == ["ERROR"]


def test_kill9_engine_mid_run_and_restart_every_execution_finishes(c: Cluster) -> None:
    start_api_engine(c)
    c.start("executor", "executor-1", executor={"host": "exec-1"})
    c.start("executor", "executor-2", executor={"host": "exec-2"})
    c.wait_members("executor_group", 2)
    engine = next(p for p in c.procs if p.name == "engine")
    ids = [c.start_execution("chain") for _ in range(8)]

    def some_progress() -> bool:
        tasks = c.http("GET", "/v2/tasks").json()["tasks"]
        return sum(1 for t in tasks if t["state"] == "SUCCESS") >= 6

    wait_until(some_progress, 60, "some tasks to finish")
    c.kill9(engine)
    c.start("engine", "engine-restarted", engine={"host": "engine-1"})
    states = c.wait_finished(ids, timeout=120)
    c.assert_all_succeeded(states)
    for ex_id in ids:
        tasks = c.http("GET", f"/v2/executions/{ex_id}/tasks").json()["tasks"]
        assert sorted(t["name"] for t in tasks) == ["t1", "t2", "t3", "t4"]
        assert {t["state"] for t in tasks} == {"SUCCESS"}


def test_two_engines_one_killed_for_good_the_other_finishes_everything(c: Cluster) -> None:
    c.start("api", "api")
    c.start("engine", "engine-a", engine={"host": "engine-a"})
    c.start("engine", "engine-b", engine={"host": "engine-b"})
    c.start("executor", "executor-1", executor={"host": "exec-1"})
    c.wait_api()
    c.wait_members("engine_group", 2)
    c.wait_members("executor_group", 1)
    c.create_workflows(WORKFLOWS)
    ids = [c.start_execution("chain") for _ in range(8)]
    wait_until(lambda: sum(1 for t in c.http("GET", "/v2/tasks").json()["tasks"]
                           if t["state"] == "SUCCESS") >= 4, 60, "some tasks to finish")
    c.kill9(next(p for p in c.procs if p.name == "engine-a"))
    states = c.wait_finished(ids, timeout=150)
    c.assert_all_succeeded(states)
    for ex_id in ids:
        tasks = c.http("GET", f"/v2/executions/{ex_id}/tasks").json()["tasks"]
        assert sorted(t["name"] for t in tasks) == ["t1", "t2", "t3", "t4"]
