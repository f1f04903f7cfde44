"""The typed calls of ``mistral.engine.interface`` are the Protocol methods' parameters:
one per method, same names, same order, same defaults (so the generic RPC client and
server carry every argument, and a new method cannot be half-added)."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from mistral.engine import interface
from mistral.engine.interface import ENGINE_CALLS, EXECUTOR_CALLS, Engine, Executor


def _protocol_methods(proto: type) -> set[str]:
    return {n for n, v in vars(proto).items() if inspect.isfunction(v) and not n.startswith("_")}


@pytest.mark.parametrize("proto, calls", [(Engine, ENGINE_CALLS), (Executor, EXECUTOR_CALLS)])
def test_one_call_per_protocol_method(proto: type, calls: tuple) -> None:
    assert sorted(c.METHOD for c in calls) == sorted(_protocol_methods(proto))


@pytest.mark.parametrize("call", ENGINE_CALLS + EXECUTOR_CALLS, ids=lambda c: c.__name__)
def test_a_call_has_its_methods_parameters(call: type) -> None:
    proto = Engine if call in ENGINE_CALLS else Executor
    params = list(inspect.signature(getattr(proto, call.METHOD)).parameters.values())[2:]
    fields = dataclasses.fields(call)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields):
        default = f.default if f.default is not dataclasses.MISSING else inspect.Parameter.empty
        assert p.default == default, f"{call.__name__}.{f.name}"


def test_calls_are_frozen_values() -> None:
    call = interface.StopWorkflowCall("wf-1", "CANCELLED")
    assert call.arguments() == {"wf_ex_id": "wf-1", "state": "CANCELLED", "message": None}
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.state = "ERROR"  # type: ignore[misc]
