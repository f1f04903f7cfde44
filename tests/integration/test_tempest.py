"""Mistral's own black-box REST API suite (mistral-tempest-plugin, run by tempest 47 with
dynamic Keystone credentials, as devstack runs it) passes against our server.

Every test passes, or is skipped by the plugin itself (``PLUGIN_SKIPS``), or is excluded
with the outside dependency that keeps it from running here (``EXCLUDED``: the internet).
The set-up is ``tests/integration/tempest_suite.py`` (which also runs it by hand); the
tempest virtualenv is built on first use. It takes 2-3 minutes on a quiet machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration import tempest_suite
from tests.compat.real_client import unavailable

pytestmark = pytest.mark.xdist_group("tempest")


def test_mistral_tempest_api_suite(tmp_path: Path) -> None:
    try:
        outcome = tempest_suite.run_suite(tmp_path, concurrency=2)
    except tempest_suite.TempestUnavailable as e:
        unavailable(f"tempest cannot run here: {e}")
    report = tempest_suite.failure_report(outcome)
    if outcome.failed:
        pytest.fail(f"{len(outcome.failed)} of Mistral's tempest API tests failed "
                    f"(logs in {tmp_path}):\n{report}", pytrace=False)
    # a skip we caused (a service tempest thinks is missing, ...) hides a test
    not_the_plugins = sorted(set(outcome.by_status("skip")) - tempest_suite.PLUGIN_SKIPS)
    assert not not_the_plugins, "skipped, but not by the plugin itself: " + ", ".join(
        f"{t} ({outcome.tests[t]['details'].strip()})" for t in not_the_plugins)
    # every test of the suite ran (or is excluded): none lost to a crashed worker
    assert len(outcome.tests) + len(outcome.excluded) == tempest_suite.SUITE_SIZE, report
