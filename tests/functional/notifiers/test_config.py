"""``[notifier] notify`` takes JSON objects, as in Mistral, and reaches the engine."""

from __future__ import annotations

from pathlib import Path

from oslo_config import cfg

from mistral import config
from mistral.engine.settings import EngineSettings


def test_notify_option_reads_json_objects(tmp_path: Path) -> None:
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    path = tmp_path / "mistral.conf"
    path.write_text(
        "[notifier]\n"
        'notify = {"type": "webhook", "url": "http://127.0.0.1:1/x", '
        '"headers": {"X-A": "b"}, "event_types": ["WORKFLOW_FAILED"]}, {"type": "noop"}\n'
    )
    conf(["--config-file", str(path)], project="mistral", default_config_files=[])
    settings = EngineSettings.from_conf(conf)
    assert settings.notify == (
        {"type": "webhook", "url": "http://127.0.0.1:1/x", "headers": {"X-A": "b"},
         "event_types": ["WORKFLOW_FAILED"]},
        {"type": "noop"},
    )
