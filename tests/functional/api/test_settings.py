"""ApiSettings read from the real option definitions (names as in mistral.conf)."""

from __future__ import annotations

from pathlib import Path

from oslo_config import cfg

from mistral import config
from mistral.api.app import ApiSettings


def test_settings_from_conf(tmp_path: Path) -> None:
    conf_file = tmp_path / "mistral.conf"
    conf_file.write_text(
        "[DEFAULT]\nmax_definition_size_kb = 7\nmax_definition_depth = 9\n"
        "[api]\nmax_request_body_size_kb = 9\ndefault_list_limit = 3\nmax_limit = 30\n"
        "allow_action_execution_deletion = true\n"
        "[pecan]\nauth_enable = true\n"
    )
    conf = cfg.ConfigOpts()
    config.parse_args(["--config-file", str(conf_file)], conf=conf)
    assert ApiSettings.from_conf(conf) == ApiSettings(
        auth_enable=True, max_request_body_size_kb=9, default_list_limit=3,
        max_limit=30, max_definition_size_kb=7, max_definition_depth=9, allow_action_execution_deletion=True,
    )
    defaults = cfg.ConfigOpts()
    config.parse_args([], conf=defaults, default_config_files=[])
    assert ApiSettings.from_conf(defaults).auth_enable is False


def test_max_list_limit_is_a_deprecated_name_of_max_limit(tmp_path: Path) -> None:
    conf_file = tmp_path / "mistral.conf"
    conf_file.write_text("[api]\nmax_list_limit = 30\n")
    conf = cfg.ConfigOpts()
    config.parse_args(["--config-file", str(conf_file)], conf=conf)
    settings = ApiSettings.from_conf(conf)
    assert settings.max_limit == 30 and settings.default_list_limit is None
