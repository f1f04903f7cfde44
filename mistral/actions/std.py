"""The small std.* actions: echo, noop, fail, sleep, async_noop, test_dict."""

from __future__ import annotations

from typing import Any

from mistral.actions.base import Action, ActionContext
from mistral.engine.interface import ActionResult
from mistral.exceptions import ActionError


class EchoAction(Action):
    """Returns its output unchanged, after an optional delay in seconds."""

    description = "Returns the given output (after 'delay' seconds)."

    def __init__(self, output: Any, delay: float = 0) -> None:
        super().__init__()
        self.output = output
        self.delay = delay

    def run(self, context: ActionContext) -> Any:
        if self.delay and self.wait_cancelled(float(self.delay)):
            return ActionResult(cancel=True)
        return self.output


class NoOpAction(Action):
    description = "Does nothing and returns null."

    def __init__(self) -> None:
        super().__init__()

    def run(self, context: ActionContext) -> None:
        return None


class AsyncNoOpAction(NoOpAction):
    description = "Does nothing; its result is sent later through the API."

    def is_sync(self) -> bool:
        return False


class FailAction(Action):
    """Always fails: with ``error_data`` as the error, or with a standard message."""

    description = "Always fails, with 'error_data' as the error if given."

    def __init__(self, error_data: Any = None) -> None:
        super().__init__()
        self.error_data = error_data

    def __repr__(self) -> str:
        return "Fail action"  # as Mistral 23 names it in the error it raises

    def run(self, context: ActionContext) -> ActionResult:
        if self.error_data:
            return ActionResult(error=self.error_data)
        raise ActionError("Fail action expected exception.")


class SleepAction(Action):
    description = "Sleeps for 'seconds' seconds and returns null."

    def __init__(self, seconds: float = 1) -> None:
        super().__init__()
        try:
            self.seconds = max(float(seconds), 0.0)
        except (TypeError, ValueError):
            raise ActionError(f"std.sleep: 'seconds' must be a number, got {seconds!r}") from None

    def run(self, context: ActionContext) -> ActionResult | None:
        if self.wait_cancelled(self.seconds):
            return ActionResult(cancel=True)
        return None


class TestDictAction(Action):
    """Builds a dict of ``size`` entries (used to test large results)."""

    __test__ = False  # not a pytest test class
    description = "Returns a dict of 'size' keys '<key_prefix><n>' with value 'val'."

    def __init__(self, size: int = 0, key_prefix: str = "", val: str = "") -> None:
        super().__init__()
        self.size = int(size)
        self.key_prefix = key_prefix
        self.val = val

    def run(self, context: ActionContext) -> dict:
        return {f"{self.key_prefix}{i}": self.val for i in range(self.size)}
