"""Options placed and named as in Mistral 23 (and their deprecated aliases)."""

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


def test_auth_type_is_in_default_group(tmp_path: Path) -> None:
    assert _conf(tmp_path, "").auth_type == "keystone"
    assert _conf(tmp_path, "[DEFAULT]\nauth_type = keycloak-oidc\n").auth_type == "keycloak-oidc"
    assert "auth_type" not in _conf(tmp_path, "").api


def test_auth_type_in_api_group_is_a_deprecated_alias(tmp_path: Path) -> None:
    assert _conf(tmp_path, "[api]\nauth_type = keycloak-oidc\n").auth_type == "keycloak-oidc"
