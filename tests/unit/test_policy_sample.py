"""etc/policy.yaml.sample is generated from mistral/api/policy.py and must not go stale;
the rules keep Mistral's names and defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mistral.api import policy

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "etc" / "policy.yaml.sample"


def test_committed_policy_sample_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "policy.yaml.sample"
    env = dict(os.environ, PYTHON=sys.executable, HOME=str(tmp_path))
    result = subprocess.run(["bash", str(ROOT / "tools" / "generate-policy-sample.sh"), str(out)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == SAMPLE.read_text(), (
        "etc/policy.yaml.sample is stale: run tools/generate-policy-sample.sh and commit it")


def test_rules_have_mistral_names_and_defaults() -> None:
    rules = {r.name: r.check_str for r in policy.list_rules()}
    assert rules["admin_only"] == "is_admin:True"
    assert rules["admin_or_owner"] == "is_admin:True or project_id:%(project_id)s"
    for name in ("workflows:create", "workflows:delete", "workflows:get", "workflows:list",
                 "workflows:update", "executions:create", "executions:delete",
                 "executions:get", "executions:list", "executions:update", "members:create",
                 "tasks:update", "services:list", "environments:get", "workbooks:list",
                 "action_executions:create", "cron_triggers:create", "event_triggers:list"):
        assert rules[name] == "rule:admin_or_owner", name
    for name in ("workflows:list:all_projects", "executions:list:all_projects",
                 "cron_triggers:list:all_projects", "event_triggers:list:all_projects",
                 "event_triggers:publicize", "workflows:publicize", "actions:publicize",
                 "workbooks:publicize", "environments:publicize", "cron_triggers:publicize"):
        assert rules[name] == "rule:admin_only", name
