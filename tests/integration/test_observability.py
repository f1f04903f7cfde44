"""The request log line, request ids across processes, and Prometheus metrics at /metrics.

A cluster of three processes (api, engine, executor) over the real RabbitMQ, PostgreSQL
and Redis, with ``[metrics] enabled`` and debug logging. One execution is started with a
request id of our own; the API logs one line for the request (method, path, status,
duration, id), and the engine's and the executor's lines about that execution carry the
same id. ``/metrics`` on the API shows the execution and its task by state and the task's
duration; the engine's and the executor's own listeners show heartbeat lag, reconciler
repairs and the executor's queue.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.integration.harness import Cluster, cluster, free_port, wait_until

pytestmark = pytest.mark.xdist_group("integration")

WORKFLOW = """---
version: '2.0'
observed:
  tasks:
    hello:
      action: std.echo output=observed
"""


def _samples(text: str) -> dict[str, float]:
    """``{'name{labels}': value}`` of a Prometheus text exposition."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, dict[str, int]]]:
    ports = {"engine": free_port(), "executor": free_port()}
    with cluster(tmp_path_factory.mktemp("observability")) as c:
        debug = {"debug": "True"}
        c.start("engine", "engine", DEFAULT=debug, metrics={"enabled": "True", "port": ports["engine"]})
        c.start("executor", "executor", DEFAULT=debug,
                metrics={"enabled": "True", "port": ports["executor"]})
        c.start("api", "api", DEFAULT=debug, metrics={"enabled": "True"})
        c.wait_api()
        yield c, ports


def test_request_line_and_request_id_in_engine_and_executor_logs(observed: tuple[Cluster, dict]) -> None:
    c, _ = observed
    c.create_workflows(WORKFLOW)
    rid = f"req-{uuid.uuid4()}"
    r = c.http("POST", "/v2/executions", json={"workflow_name": "observed"},
               headers={"X-Openstack-Request-Id": rid})
    assert r.status_code == 201, r.text
    assert r.headers["X-Openstack-Request-Id"] == rid
    ex_id = r.json()["id"]
    assert c.wait_finished([ex_id]) == {ex_id: "SUCCESS"}

    api_log = next(p for p in c.procs if p.name == "api").log_text()
    line = re.compile(rf"mistral\.api\.request .*POST /v2/executions 201 \d+\.\d{{3}}s {re.escape(rid)}$", re.M)
    assert len(line.findall(api_log)) == 1, api_log[-3000:]
    # a request without an id gets one, logged and answered alike
    r = c.http("GET", "/v2/workflows/observed")
    new_id = r.headers["X-Openstack-Request-Id"]
    wait_until(lambda: f"GET /v2/workflows/observed 200" in next(
        p for p in c.procs if p.name == "api").log_text(), 10, "the GET's log line")
    assert re.search(rf"GET /v2/workflows/observed 200 \d+\.\d{{3}}s {re.escape(new_id)}$",
                     next(p for p in c.procs if p.name == "api").log_text(), re.M)

    def lines_with(name: str) -> list[str]:
        text = next(p for p in c.procs if p.name == name).log_text()
        return [ln for ln in text.splitlines() if rid in ln]

    # the engine's state changes of this execution and the executor's run of its action
    wait_until(lambda: any(ex_id in ln and "SUCCESS" in ln for ln in lines_with("engine")), 20,
               "an engine line of the execution with the request id")
    wait_until(lambda: any("Running action" in ln and "std.echo" in ln for ln in lines_with("executor")),
               20, "an executor line of the action with the request id")


def test_metrics_scraped_from_api_engine_and_executor(observed: tuple[Cluster, dict]) -> None:
    c, ports = observed
    c.create_workflows(WORKFLOW.replace("observed:", "observed_metrics:"))
    ex_id = c.start_execution("observed_metrics")
    assert c.wait_finished([ex_id]) == {ex_id: "SUCCESS"}

    r = c.http("GET", "/metrics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    api = _samples(r.text)
    assert api['mistral_workflow_executions{state="SUCCESS"}'] >= 1
    assert api['mistral_task_executions{state="SUCCESS"}'] >= 1
    assert 'mistral_task_executions{state="RUNNING"}' in api
    assert "mistral_scheduled_jobs_due" in api
    assert api["mistral_task_duration_seconds_count"] >= 1
    assert api['mistral_api_requests_total{method="POST",status="201"}'] >= 1

    engine = _samples(requests.get(f"http://127.0.0.1:{ports['engine']}/metrics", timeout=10).text)
    assert engine["mistral_engine_heartbeat_lag_seconds"] >= 0
    assert engine["mistral_reconciler_repairs_total"] >= 0
    assert "mistral_engine_heartbeats_pending" in engine
    assert 'mistral_workflow_executions{state="SUCCESS"}' in engine  # the engine reads the database too

    executor = _samples(requests.get(f"http://127.0.0.1:{ports['executor']}/metrics", timeout=10).text)
    assert executor["mistral_executor_actions"] == 0
    assert not any(k.startswith("mistral_workflow_executions") for k in executor)  # no database there
