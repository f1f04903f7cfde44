"""The kill test: 200 executions while every service is killed (issue 18).

Separate ``mistral-server`` processes (one API, two engines, two executors) on a private
RabbitMQ node and a private PostgreSQL cluster (``private_services``: the machine's
shared ones must not be restarted under other runs). Each execution is a 3-task
workflow whose middle task is a with-items of 6 short sleeps with ``safe-rerun: true``.

* while executions are being submitted (clients retry with the same execution id):
  kill -9 the API, executor 1 and engine A, and restart them;
* in the middle of the with-items: kill -9 the API, executor 2 and engine B, restart
  them, then restart RabbitMQ;
* during that recovery: kill -9 the API, executor 1 and engine A — engine A for good;
  then restart PostgreSQL.

Every execution must end SUCCESS with its three tasks, none stuck, and no action of a
task without safe-rerun may run twice (a retry runs a new action execution; each action
execution of ``first``/``last`` runs at most once).

``MISTRAL_KILL_TEST_EXECUTIONS`` scales the count down for a quick local run (CI: 200).
"""

from __future__ import annotations

import collections
import os
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from tests.conftest import require_service
from tests.integration.harness import Cluster, Proc, _upgrade_schema, wait_until
from tests.integration.private_services import private_services
from tests.integration.test_cluster import ran_on

pytestmark = pytest.mark.xdist_group("integration")

COUNT = int(os.environ.get("MISTRAL_KILL_TEST_EXECUTIONS", "200"))
FINISH_TIMEOUT = float(os.environ.get("MISTRAL_KILL_TEST_TIMEOUT", "240"))

WORKFLOW = """---
version: '2.0'
kill_wf:
  tasks:
    first:
      action: std.echo output=first
      retry: {count: 3, delay: 1}
      on-success: middle
    middle:
      with-items: i in <% [0, 1, 2, 3, 4, 5] %>
      action: std.sleep seconds=0.2
      safe-rerun: true
      on-success: last
    last:
      action: std.echo output=done
      retry: {count: 3, delay: 1}
"""


class Submitter(threading.Thread):
    """Starts every execution with its own id, retrying (same id) while the API is down."""

    def __init__(self, c: Cluster, ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.c, self.ids = c, ids
        self.done = 0
        self.retries = 0

    def run(self) -> None:
        for ex_id in self.ids:
            body = {"id": ex_id, "workflow_name": "kill_wf", "input": "{}"}
            while True:
                try:
                    r = requests.post(self.c.api + "/v2/executions", json=body, timeout=10)
                    if r.status_code in (200, 201):
                        break
                    assert r.status_code >= 500, r.text
                except requests.RequestException:
                    pass
                self.retries += 1
                time.sleep(0.3)
            self.done += 1


class Rows:
    """Reads progress straight from the private database (the API may be dead)."""

    def __init__(self, db_url: str) -> None:
        from mistral.db.api import Database

        self.db = Database(db_url)

    def states(self) -> collections.Counter:
        from mistral.context import admin_context

        try:
            with self.db.transaction(admin_context(), readonly=True) as tx:
                return collections.Counter(
                    r.state for r in tx.workflow_executions.list(fields=("id", "state")))
        except Exception:  # noqa: BLE001 - PostgreSQL may be restarting
            return collections.Counter()

    def items_done(self) -> int:
        from mistral.context import admin_context

        with self.db.transaction(admin_context(), readonly=True) as tx:
            return tx.action_executions.count(name="std.sleep", state="SUCCESS")

    def tasks_and_actions(self) -> tuple[list[Any], list[Any]]:
        from mistral.context import admin_context

        with self.db.transaction(admin_context(), readonly=True) as tx:
            tasks = tx.task_executions.list(
                fields=("id", "name", "state", "workflow_execution_id"))
            actions = tx.action_executions.list(
                fields=("id", "name", "state", "task_execution_id", "state_info"))
            return ([SimpleNamespace(**t.to_dict()) for t in tasks],
                    [SimpleNamespace(**a.to_dict()) for a in actions])


def _restart(c: Cluster, proc: Proc, name: str, **groups: dict) -> Proc:
    c.kill9(proc)
    servers = proc.name.split("-")[0]
    return c.start(servers, name, **groups)


def test_kill9_everything_at_three_points_every_execution_succeeds(tmp_path: Path) -> None:
    require_service("redis")
    started = time.monotonic()
    with private_services(tmp_path) as (rabbit, pg):
        import sqlalchemy as sa

        admin = sa.create_engine(pg.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE "mistral"'))
        admin.dispose()
        db_url = pg.url.rsplit("/", 1)[0] + "/mistral"
        _upgrade_schema(db_url)
        c = Cluster(workdir=tmp_path, transport_url=rabbit.url, db_url=db_url)
        c.write_config()
        rows = Rows(db_url)
        try:
            _run(c, rows, rabbit, pg, started)
        finally:
            c.stop_all()
            rows.db.dispose()


def _run(c: Cluster, rows: Rows, rabbit: Any, pg: Any, started: float) -> None:
    api = c.start("api", "api-1")
    eng_a = c.start("engine", "engine-a1", engine={"host": "engine-a"})
    eng_b = c.start("engine", "engine-b1", engine={"host": "engine-b"})
    ex1 = c.start("executor", "executor-x1", executor={"host": "exec-1"})
    ex2 = c.start("executor", "executor-y1", executor={"host": "exec-2"})
    c.wait_api(120)
    c.wait_members("engine_group", 2, 120)
    c.wait_members("executor_group", 2, 120)
    c.create_workflows(WORKFLOW)
    ids = [str(uuid.uuid4()) for _ in range(COUNT)]
    submitter = Submitter(c, ids)
    t0 = time.monotonic()
    submitter.start()

    # 1. while executions are being submitted
    wait_until(lambda: submitter.done >= COUNT // 3, 120, "a third of the executions accepted")
    api = _restart(c, api, "api-2")
    ex1 = _restart(c, ex1, "executor-x2", executor={"host": "exec-1"})
    eng_a = _restart(c, eng_a, "engine-a2", engine={"host": "engine-a"})
    submitter.join(180)
    assert not submitter.is_alive(), "the executions could not all be submitted"

    # 2. in the middle of the with-items, then the broker
    total_items = COUNT * 6
    wait_until(lambda: rows.items_done() >= total_items // 3, 180, "a third of the items done")
    api = _restart(c, api, "api-3")
    ex2 = _restart(c, ex2, "executor-y2", executor={"host": "exec-2"})
    eng_b = _restart(c, eng_b, "engine-b2", engine={"host": "engine-b"})
    rabbit.restart()

    # 3. during that recovery: engine A for good, then the database
    c.wait_api(120)
    api = _restart(c, api, "api-4")
    ex1 = _restart(c, ex1, "executor-x3", executor={"host": "exec-1"})
    c.kill9(eng_a)
    pg.restart()

    deadline = time.monotonic() + FINISH_TIMEOUT
    while time.monotonic() < deadline:
        counts = rows.states()
        if counts and counts.get("SUCCESS", 0) + counts.get("ERROR", 0) + \
                counts.get("CANCELLED", 0) == COUNT:
            break
        time.sleep(1.0)
    finished = time.monotonic() - t0
    counts = rows.states()
    tasks, actions = rows.tasks_and_actions()
    _report(c, counts, tasks, actions, submitter, finished, time.monotonic() - started)
    assert counts == {"SUCCESS": COUNT}, f"not every execution succeeded: {dict(counts)}"
    per_execution = collections.defaultdict(dict)
    for t in tasks:
        per_execution[t.workflow_execution_id][t.name] = t.state
    assert len(per_execution) == COUNT
    assert all(v == {"first": "SUCCESS", "middle": "SUCCESS", "last": "SUCCESS"}
               for v in per_execution.values())
    runs = collections.Counter(a for p in c.procs if p.name.startswith("executor")
                               for a, _ in ran_on(p.log_text()))
    plain = {t.id for t in tasks if t.name in ("first", "last")}
    twice = [a.id for a in actions if a.task_execution_id in plain and runs[a.id] > 1]
    assert not twice, f"actions without safe-rerun ran twice: {twice[:10]}"
    assert all(runs[a.id] == 1 for a in actions if a.task_execution_id in plain
               and a.state == "SUCCESS"), "a successful action never ran"


def _report(c: Cluster, counts: Any, tasks: list, actions: list, submitter: Submitter,
            finished: float, total: float) -> None:
    runs = collections.Counter(a for p in c.procs if p.name.startswith("executor")
                               for a, _ in ran_on(p.log_text()))
    sleeps = [a for a in actions if a.name == "std.sleep"]
    failed = [a for a in actions if a.state == "ERROR"]
    print(f"\nkill test: {COUNT} executions: {dict(counts)}; all finished {finished:.0f} s "
          f"after the first submission ({total:.0f} s with set-up); submit retries "
          f"{submitter.retries}; action executions {len(actions)} (std.sleep {len(sleeps)}, "
          f"re-run safely {sum(1 for a in sleeps if runs[a.id] > 1)}); failed and retried "
          f"{len(failed)}: {collections.Counter((a.state_info or '')[-40:] for a in failed)}")
