from __future__ import annotations

import pytest

from mistral.workflow import commands as c

ALL = [
    c.RunTask("t", {"x": 1}, "id1", ("a", "b"), True),
    c.WaitForJoin("j", {"y": 2}, 1, 2, "id2"),
    c.FailTask("j", "why", {}),
    c.RunExistingTask("tid", reset=False),
    c.FailWorkflow("msg", "t"),
    c.SucceedWorkflow(None, "t"),
    c.PauseWorkflow("p", "t"),
    c.Noop("t"),
    c.RevertTask("t", "tid"),
    c.EndRevert("ERROR", "why"),
]


@pytest.mark.parametrize("cmd", ALL, ids=lambda x: type(x).__name__)
def test_round_trip(cmd: c.Command) -> None:
    d = c.to_dict(cmd)
    assert d["type"] == type(cmd).__name__
    assert c.from_dict(d) == cmd


def test_unknown_type() -> None:
    with pytest.raises(ValueError):
        c.from_dict({"type": "Explode"})


def test_commands_are_frozen() -> None:
    with pytest.raises(AttributeError):
        ALL[0].task_name = "other"  # type: ignore[misc]
