"""Dynamic actions without a database: checking, importing and running a code source."""

from __future__ import annotations

import pytest

from mistral import exceptions as exc
from mistral.actions import dynamic
from mistral.actions.base import ActionContext
from mistral.context import RequestContext
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.executors.default import DefaultExecutor
from mistral.actions.registry import ActionRegistry

SOURCE = '''from mistral.actions.base import Action

CALLS = []


class Hello(Action):
    """Says hello.

    More text.
    """

    def __init__(self, name, greeting="Hello"):
        super().__init__()
        self.name = name
        self.greeting = greeting

    def run(self, context):
        return "%s, %s! (%s)" % (self.greeting, self.name, context.request.project_id)


class Plain:
    def run(self, context):
        return {"plain": True}

    def is_sync(self):
        return False


class Failing:
    def __init__(self, x):
        raise ValueError("no " + x)

    def run(self, context):
        return None


NOT_A_CLASS = 42
'''


def _ref(content: str = SOURCE, class_name: str = "Hello", name: str = "mod") -> dynamic.DynamicRef:
    return dynamic.DynamicRef(code_source_id="id-1", code_source_name=name,
                              checksum=dynamic.source_checksum(content),
                              class_name=class_name, content=content)


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(exc.InputError) as e:
        dynamic.check_source("mod", "x = 1\n\ndef f(:\n    pass\n")
    assert "mod" in str(e.value) and "line 3" in str(e.value)
    with pytest.raises(exc.InputError, match="line 2"):
        dynamic.check_source("mod", "if True:\nx = 1\n")  # IndentationError
    with pytest.raises(exc.InputError, match="mod"):
        dynamic.check_source("mod", "x = '\x00'")
    dynamic.check_source("mod", "")  # an empty module is valid Python


def test_build_runs_the_class_with_its_input() -> None:
    cache = dynamic.ModuleCache()
    action = dynamic.build("hello", _ref(), {"name": "W"}, cache=cache)
    ctx = ActionContext(request=RequestContext(project_id="p1"))
    assert action.run(ctx) == "Hello, W! (p1)"
    assert action.is_sync()
    plain = dynamic.build("plain", _ref(class_name="Plain"), {}, cache=cache)
    assert plain.run(ctx) == {"plain": True} and not plain.is_sync()
    assert len(cache) == 1  # one import for both classes of one checksum


def test_module_cached_by_checksum_and_new_text_takes_effect() -> None:
    cache = dynamic.ModuleCache(size=2)
    first = cache.load("mod", SOURCE)
    assert cache.load("mod", SOURCE) is first
    first.CALLS.append(1)  # state of the imported module stays with its checksum
    v2 = SOURCE.replace('"%s, %s! (%s)"', '"v2 %s, %s! (%s)"')
    action = dynamic.build("hello", _ref(v2), {"name": "W"}, cache=cache)
    assert action.run(ActionContext()).startswith("v2 Hello, W!")
    assert cache.load("mod", v2) is not first
    cache.load("other", "A = 1")
    assert cache.load("mod", SOURCE) is not first  # least recently used went away


def test_bad_definitions_and_input_are_named() -> None:
    cache = dynamic.ModuleCache()
    with pytest.raises(exc.ActionError, match="Class Nope not found in code source mod"):
        dynamic.build("x", _ref(class_name="Nope"), {}, cache=cache)
    with pytest.raises(exc.ActionError, match="NOT_A_CLASS of code source mod is not an action"):
        dynamic.build("x", _ref(class_name="NOT_A_CLASS"), {}, cache=cache)
    with pytest.raises(exc.InputError, match="missing parameters: name"):
        dynamic.build("hello", _ref(), {"nam": "W"}, cache=cache)
    with pytest.raises(exc.InputError, match="unexpected parameters: x"):
        dynamic.build("plain", _ref(class_name="Plain"), {"x": 1}, cache=cache)
    with pytest.raises(exc.ActionError, match="Cannot build action failing: ValueError: no way"):
        dynamic.build("failing", _ref(class_name="Failing"), {"x": "way"}, cache=cache)
    broken = "A = 1\nimport no_such_module_here\n"
    with pytest.raises(exc.ActionError, match=r"Cannot import code source mod: .*line 2"):
        dynamic.build("x", _ref(broken), {}, cache=cache)
    with pytest.raises(exc.ActionError, match="without its text"):
        dynamic.build("x", dynamic.DynamicRef("i", "mod", "c", "Hello"), {}, cache=cache)


def test_describe_gives_signature_and_first_doc_line() -> None:
    module = dynamic.ModuleCache().load("mod", SOURCE)
    assert dynamic.describe(module.Hello) == ('name, greeting="Hello"', "Says hello.")
    assert dynamic.describe(module.Plain) == ("", "")


def test_ref_round_trip_and_stored_copy_without_text() -> None:
    ref = _ref()
    assert dynamic.DynamicRef.from_dict(ref.to_dict()) == ref
    assert "content" not in ref.to_dict(with_content=False)


def test_the_executor_runs_a_request_carrying_its_code_source() -> None:
    executor = DefaultExecutor(ActionRegistry({}), engine=None, max_workers=1,
                               heartbeat_interval=0)
    executor.start()
    try:
        req = RunActionRequest(action_ex_id="a1", action_name="hello", action_input={"name": "X"},
                               is_sync=True, dynamic=_ref().to_dict())
        result = executor.run_action(RequestContext(project_id="owner"), req)
        assert result == ActionResult(data="Hello, X! (owner)")
        bad = RunActionRequest(action_ex_id="a2", action_name="hello", action_input={},
                               is_sync=True, dynamic=_ref().to_dict())
        result = executor.run_action(RequestContext(), bad)
        assert result is not None and "missing parameters: name" in result.error
    finally:
        executor.stop(grace=1)
