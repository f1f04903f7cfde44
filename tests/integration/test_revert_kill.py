"""Reverts are durable: the engine is kill -9'd in the middle of reverting (separate
processes over the real RabbitMQ + PostgreSQL + Redis) and a restarted engine finishes
every revert, each exactly once, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.harness import Cluster, cluster, wait_until

pytestmark = pytest.mark.xdist_group("integration")

UPGRADE = """---
version: '2.0'
upgrade:
  revert-on-error: true
  tasks:
    stop_service:
      revert: std.sleep seconds=0.4
      on-success: backup_db
    backup_db:
      revert: std.sleep seconds=0.4
      on-success: upgrade_db
    upgrade_db:
      revert: std.sleep seconds=0.4
      on-success: upgrade_app
    upgrade_app:
      action: std.fail
      revert: std.sleep seconds=0.4
      on-success: start_service
    start_service: {}
"""
ORDER = ["revert:upgrade_app", "revert:upgrade_db", "revert:backup_db", "revert:stop_service"]


def _tasks(c: Cluster, ex_id: str) -> list[dict]:
    return c.http("GET", f"/v2/executions/{ex_id}/tasks").json()["tasks"]


def test_kill9_engine_mid_revert_and_restart_every_revert_runs_once(tmp_path: Path) -> None:
    with cluster(tmp_path) as c:
        # the API and the executor share a process (one start less); the engine is alone
        c.start("api,executor", "api-executor", executor={"host": "exec-1"})
        engine = c.start("engine", "engine", engine={"host": "engine-1"})
        c.wait_api()
        c.wait_members("engine_group", 1)
        c.wait_members("executor_group", 1)
        c.create_workflows(UPGRADE)
        ids = [c.start_execution("upgrade") for _ in range(4)]

        def mid_revert() -> bool:
            reverted = [t for t in c.http("GET", "/v2/tasks").json()["tasks"]
                        if t["name"].startswith("revert:") and t["state"] == "SUCCESS"]
            return len(reverted) >= 3

        wait_until(mid_revert, 90, "some reverts to finish")
        running = [i for i in ids if c.execution(i)["state"] == "RUNNING"]
        c.kill9(engine)
        c.start("engine", "engine-restarted", engine={"host": "engine-1"})
        states = c.wait_finished(ids, timeout=150)

        assert running, "the engine was killed after every revert had finished"
        assert set(states.values()) == {"ERROR"}, states
        for ex_id in ids:
            tasks = _tasks(c, ex_id)
            reverts = sorted((t for t in tasks if t["name"].startswith("revert:")),
                             key=lambda t: t["created_at"])
            assert [t["name"] for t in reverts] == ORDER, [t["name"] for t in reverts]
            assert {t["state"] for t in reverts} == {"SUCCESS"}
            for t in reverts:  # each revert's action ran once (no second action execution)
                acts = c.http("GET", f"/v2/tasks/{t['id']}/action_executions").json()
                assert len(acts["action_executions"]) == 1, t["name"]
            info = c.execution(ex_id)["state_info"]
            assert "every revert succeeded: upgrade_app, upgrade_db, backup_db, stop_service" \
                in info, info
