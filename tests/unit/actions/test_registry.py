from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.actions import Action, ActionContext, ActionRegistry
from mistral.engine.interface import ActionResult


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    return ActionRegistry.load()


CTX = ActionContext()


def test_std_actions_are_registered_from_entry_points(registry: ActionRegistry) -> None:
    for name in ("std.echo", "std.noop", "std.fail", "std.sleep", "std.async_noop",
                 "std.test_dict", "std.http", "std.mistral_http", "std.email"):
        assert name in registry


def test_definitions_list_has_mistral_style_input_strings(registry: ActionRegistry) -> None:
    defs = {d.name: d for d in registry.list_definitions()}
    assert defs["std.echo"].input == "output, delay=0"
    assert defs["std.fail"].input == "error_data=null"
    assert defs["std.sleep"].input == "seconds=1"
    assert defs["std.noop"].input == ""
    assert defs["std.http"].input.startswith('url, method="GET", params=null, body=null, json=null')
    assert defs["std.echo"].to_dict()["is_system"] is True
    assert defs["std.echo"].description
    assert [d.name for d in registry.list_definitions(["std.noop", "nope"])] == ["std.noop"]


def test_unknown_action_is_not_found(registry: ActionRegistry) -> None:
    with pytest.raises(exc.NotFoundError, match="std.nope"):
        registry.build("std.nope", {})


def test_input_errors_name_unknown_and_missing_parameters(registry: ActionRegistry) -> None:
    with pytest.raises(exc.InputError) as info:
        registry.build("std.echo", {"outptu": 1, "colour": "red"})
    msg = str(info.value)
    assert "unexpected parameters: colour, outptu" in msg
    assert "missing parameters: output" in msg
    with pytest.raises(exc.InputError, match="unexpected parameters: x"):
        registry.validate("std.noop", {"x": 1})
    registry.validate("std.echo", {"output": None})


def test_a_constructor_refusing_its_values_is_an_action_error(registry: ActionRegistry) -> None:
    with pytest.raises(exc.ActionError, match="seconds"):
        registry.build("std.sleep", {"seconds": "soon"})


def test_echo_noop_test_dict(registry: ActionRegistry) -> None:
    assert registry.build("std.echo", {"output": {"a": [1]}}).run(CTX) == {"a": [1]}
    assert registry.build("std.noop").run(CTX) is None
    assert registry.build("std.test_dict", {"size": 3, "key_prefix": "k", "val": "v"}).run(CTX) == {
        "k0": "v", "k1": "v", "k2": "v"}


def test_fail_with_and_without_error_data(registry: ActionRegistry) -> None:
    assert registry.build("std.fail", {"error_data": {"code": 7}}).run(CTX) == ActionResult(
        error={"code": 7})
    with pytest.raises(exc.ActionError, match="Fail action expected exception"):
        registry.build("std.fail").run(CTX)


def test_sleep_is_cancellable_and_async_noop_is_async(registry: ActionRegistry) -> None:
    action = registry.build("std.sleep", {"seconds": 60})
    action.cancel()
    assert action.run(CTX) == ActionResult(cancel=True)
    assert registry.build("std.sleep", {"seconds": 0}).run(CTX) is None
    assert registry.build("std.async_noop").is_sync() is False
    assert registry.build("std.noop").is_sync() is True


def test_a_registry_of_custom_actions() -> None:
    class Add(Action):
        def __init__(self, a: int, b: int = 1) -> None:
            super().__init__()
            self.a, self.b = a, b

        def run(self, context: ActionContext) -> int:
            return self.a + self.b

    reg = ActionRegistry({"my.add": Add})
    assert reg.build("my.add", {"a": 2}).run(CTX) == 3
    assert reg.describe("my.add").input == "a, b=1"
    assert ActionRegistry.load("mistral.no_such_group").names() == []


def test_a_lazy_namespace_is_generated_when_first_asked_for() -> None:
    """OpenStack actions come from lazy groups: generated once, on the first name of
    their namespace (or a full listing), never at start; a name already there wins."""
    class Mine(Action):
        def run(self, ctx: ActionContext) -> str:
            return "mine"

    class Theirs(Mine):
        pass

    calls: list[str] = []

    def cloud() -> dict[str, type[Action]]:
        calls.append("cloud")
        return {"cloud.servers_list": Theirs, "cloud.mine": Theirs}

    reg = ActionRegistry({"std.mine": Mine, "cloud.mine": Mine}, lazy={"cloud": cloud})
    assert "std.mine" in reg and "other.x" not in reg
    assert calls == []
    assert reg.get("cloud.servers_list") is Theirs
    assert "cloud.nope" not in reg
    assert reg.get("cloud.mine") is Mine
    assert reg.names() == ["cloud.mine", "cloud.servers_list", "std.mine"]
    assert calls == ["cloud"]
