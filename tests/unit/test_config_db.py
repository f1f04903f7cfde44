"""The [database] wiring of mistral.config."""

from __future__ import annotations

from pathlib import Path

from oslo_config import cfg

from mistral import config


def _conf(tmp_path: Path, text: str) -> cfg.ConfigOpts:
    f = tmp_path / "mistral.conf"
    f.write_text(text)
    conf = cfg.ConfigOpts()
    config.parse_args(["--config-file", str(f)], conf=conf)
    return conf


def test_default_connection_is_sqlite_in_state_path(tmp_path: Path) -> None:
    conf = _conf(tmp_path, f"[DEFAULT]\nstate_path = {tmp_path}/state\n")
    assert conf.database.connection == f"sqlite:///{tmp_path}/state/mistral.db"


def test_database_options_carry_url_pool_and_field_limit(tmp_path: Path) -> None:
    conf = _conf(
        tmp_path,
        "[database]\nconnection = postgresql://u@h/db\nmax_pool_size = 7\n"
        "[engine]\nexecution_field_size_limit_kb = 64\n",
    )
    opts = config.database_options(conf)
    assert opts["url"] == "postgresql://u@h/db"
    assert opts["max_pool_size"] == 7
    assert opts["field_size_limit_kb"] == 64


def test_sample_defaults_hook_sets_embedded_transport() -> None:
    from oslo_messaging import transport

    config.set_sample_defaults()
    (opt,) = [o for o in transport._transport_opts if o.dest == "transport_url"]
    assert opt.default == "fake:/"
