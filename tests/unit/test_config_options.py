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


def test_yaql_options_reach_the_engine(tmp_path: Path) -> None:
    from mistral.engine.settings import EngineSettings
    from mistral.expressions import evaluate

    default = EngineSettings.from_conf(_conf(tmp_path, "")).expressions
    assert default.limit_iterators == 100000 and default.memory_quota == 64 * 1024 * 1024
    tight = EngineSettings.from_conf(_conf(
        tmp_path, "[yaql]\nlimit_iterators = 5\n[expressions]\nallowed_languages = yaql\n")).expressions
    assert tight.limit_iterators == 5
    assert tight.allowed_languages == frozenset({"yaql"})
    assert evaluate("<% len(list(range(5))) %>", {}, settings=tight) == 5
    assert evaluate("<% len(list(range(50))) %>", {}, settings=default) == 50
    import pytest

    from mistral.exceptions import ExpressionError

    with pytest.raises(ExpressionError, match="limit of 5 items"):
        evaluate("<% len(list(range(50))) %>", {}, settings=tight)
