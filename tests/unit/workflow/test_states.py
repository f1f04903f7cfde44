from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.workflow import states


@pytest.mark.parametrize("kind,old,new", [
    ("workflow", "RUNNING", "PAUSED"),
    ("workflow", "PAUSED", "RUNNING"),
    ("workflow", "ERROR", "RUNNING"),
    ("task", "WAITING", "RUNNING"),
    ("task", "RUNNING", "RUNNING_DELAYED"),
    ("task", "RUNNING_DELAYED", "RUNNING"),
    ("action", "RUNNING", "SUCCESS"),
    ("task", None, "IDLE"),
    ("task", "RUNNING", "RUNNING"),
])
def test_legal(kind: str, old: str | None, new: str) -> None:
    states.check_transition(kind, old, new)


@pytest.mark.parametrize("kind,old,new", [
    ("workflow", "SUCCESS", "RUNNING"),
    ("workflow", "SUCCESS", "PAUSED"),
    ("task", "SUCCESS", "RUNNING"),
    ("action", "ERROR", "RUNNING"),
    ("action", "SUCCESS", "ERROR"),
])
def test_illegal_raises_with_names(kind: str, old: str, new: str) -> None:
    with pytest.raises(exc.InvalidStateTransitionError) as e:
        states.check_transition(kind, old, new, "thing 42")
    assert old in str(e.value) and new in str(e.value) and "thing 42" in str(e.value)


def test_unknown_state_and_kind() -> None:
    with pytest.raises(exc.InvalidStateTransitionError):
        states.check_transition("workflow", "RUNNING", "WAITING")
    with pytest.raises(ValueError):
        states.check_transition("robot", "RUNNING", "ERROR")


def test_terminal_states_have_no_way_out_except_rerun_or_skip() -> None:
    assert states.TRANSITIONS["workflow"]["SUCCESS"] == frozenset()
    assert states.TRANSITIONS["task"]["ERROR"] == {"RUNNING", "SKIPPED"}
    assert states.TRANSITIONS["task"]["SKIPPED"] == frozenset()
    assert "SKIPPED" not in states.WORKFLOW_STATES and states.is_terminal("SKIPPED")
