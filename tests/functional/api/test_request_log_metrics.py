"""The per-request log line and ``/metrics`` in one process (across processes:
tests/integration/test_observability.py)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from oslo_config import cfg

from mistral import config
from mistral.api.metrics import ServiceMetrics, with_metrics
from mistral.api.requestlog import with_request_log
from mistral.utils import logcontext
from tests.functional.api.client import ApiClient


def _conf(tmp_path: Path, text: str) -> cfg.ConfigOpts:
    f = tmp_path / "mistral.conf"
    f.write_text(text)
    conf = cfg.ConfigOpts()
    config.parse_args(["--config-file", str(f)], conf=conf)
    return conf


def test_metrics_are_off_by_default(tmp_path: Path, api: ApiClient) -> None:
    assert _conf(tmp_path, "").metrics.enabled is False
    assert api.get("/metrics").status_code == 404


def test_one_line_per_request_with_the_request_id(api: ApiClient, caplog: pytest.LogCaptureFixture) -> None:
    logged = ApiClient(with_request_log(api.app))
    caplog.set_level(logging.INFO, logger="mistral.api.request")
    caplog.handler.addFilter(logcontext.ContextFilter())  # what install() adds to real handlers
    r = logged.get("/v2/workflows?limit=1", headers={"X-Openstack-Request-Id": "req-given-1"})
    assert r.status_code == 200 and r.headers["X-Openstack-Request-Id"] == "req-given-1"
    r = logged.get("/v2/nothing-here")
    new_id = r.headers["X-Openstack-Request-Id"]
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "mistral.api.request"]
    assert len(lines) == 2, lines
    assert re.fullmatch(r"GET /v2/workflows\?limit=1 200 \d+\.\d{3}s req-given-1", lines[0])
    assert re.fullmatch(rf"GET /v2/nothing-here 404 \d+\.\d{{3}}s {re.escape(new_id)}", lines[1])
    assert new_id.startswith("req-")
    # the records carry the id for oslo.log's context format
    rec = [rec for rec in caplog.records if rec.name == "mistral.api.request"][0]
    assert rec.context["request_id"] == "req-given-1" and rec.request_id == "req-given-1"


def test_metrics_page(sqlite_database: object, api: ApiClient) -> None:
    metrics = ServiceMetrics()
    metrics.add_database(sqlite_database)
    app = ApiClient(with_request_log(with_metrics(api.app, metrics), metrics.observe_request))
    assert app.get("/v2/workflows").status_code == 200
    r = app.get("/metrics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert 'mistral_workflow_executions{state="RUNNING"} 0.0' in r.text
    assert 'mistral_api_requests_total{method="GET",status="200"} 1.0' in r.text
    assert "mistral_task_duration_seconds_count 0.0" in r.text
    assert app.post("/metrics", body="x").status_code == 405
