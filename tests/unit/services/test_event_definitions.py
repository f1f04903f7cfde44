"""``[event_engine] event_definitions_cfg_file``: how a notification becomes event_params."""

from __future__ import annotations

from pathlib import Path

import pytest

from mistral import exceptions as exc
from mistral.services.event_engine import EventDefinitions, execution_id

EVENT = {"event_type": "compute.instance.create.end", "payload": {"id": "vm1"},
         "publisher": "compute.h1", "timestamp": "2026-01-01 00:00:00",
         "context": {"project_id": "p1"}}


def test_default_properties_are_mistrals() -> None:
    assert EventDefinitions.load(None).convert(EVENT) == {
        "service": "compute.h1", "project_id": "p1", "user_id": None,
        "timestamp": "2026-01-01 00:00:00"}


def test_the_last_matching_definition_converts(tmp_path: Path) -> None:
    f = tmp_path / "defs.yaml"
    f.write_text("- event_types: compute.*\n  properties: {first: <% $.payload.id %>}\n"
                 "- event_types: [compute.instance.*, other]\n"
                 "  properties: {vm: <% $.payload.id %>, who: '{{ _.context.project_id }}'}\n")
    defs = EventDefinitions.load(str(f))
    assert defs.convert(EVENT) == {"vm": "vm1", "who": "p1"}
    assert defs.convert({**EVENT, "event_type": "compute.volume"}) == {"first": "vm1"}
    assert EventDefinitions.load(str(tmp_path / "missing.yaml")).definitions == []


def test_a_bad_definitions_file_is_a_config_error(tmp_path: Path) -> None:
    f = tmp_path / "defs.yaml"
    f.write_text("- event_types: x\n")
    with pytest.raises(exc.ConfigError, match="item 0 needs event_types and properties"):
        EventDefinitions.load(str(f))
    f.write_text("{a: [\n")
    with pytest.raises(exc.ConfigError, match="event_definitions_cfg_file"):
        EventDefinitions.load(str(f))


def test_execution_ids_are_per_trigger_and_notification() -> None:
    assert execution_id("t1", "m1") == execution_id("t1", "m1")
    assert len({execution_id("t1", "m1"), execution_id("t2", "m1"), execution_id("t1", "m2")}) == 3
