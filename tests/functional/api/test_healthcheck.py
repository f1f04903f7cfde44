"""``[healthcheck] enabled``: oslo.middleware's healthcheck at /healthcheck, nothing else
changed. (Through mistral-server, outside authentication: tests/functional/auth.)"""

from __future__ import annotations

from pathlib import Path

from oslo_config import cfg

from mistral import config
from mistral.api.healthcheck import with_healthcheck
from tests.functional.api.client import ApiClient


def _conf(tmp_path: Path, text: str) -> cfg.ConfigOpts:
    f = tmp_path / "mistral.conf"
    f.write_text(text)
    conf = cfg.ConfigOpts()
    config.parse_args(["--config-file", str(f)], conf=conf)
    return conf


def test_disabled_by_default(tmp_path: Path, api: ApiClient) -> None:
    assert _conf(tmp_path, "").healthcheck.enabled is False
    assert api.get("/healthcheck").status_code == 404


def test_healthcheck_answers_only_its_path(tmp_path: Path, api: ApiClient) -> None:
    conf = _conf(tmp_path, "[healthcheck]\nenabled = true\n")
    assert conf.healthcheck.enabled is True
    checked = ApiClient(with_healthcheck(api.app, conf))
    r = checked.get("/healthcheck")
    assert r.status_code == 200, r.text
    assert checked.get("/v2/workflows").json == {"workflows": []}
    assert checked.get("/v2/nothing-here").status_code == 404


def test_disable_by_file(tmp_path: Path, api: ApiClient) -> None:
    # oslo.middleware's own [healthcheck] options apply
    flag = tmp_path / "maintenance"
    flag.write_text("")
    conf = _conf(tmp_path, "[healthcheck]\nenabled = true\nbackends = disable_by_file\n"
                 f"disable_by_file_path = {flag}\n")
    assert ApiClient(with_healthcheck(api.app, conf)).get("/healthcheck").status_code == 503
