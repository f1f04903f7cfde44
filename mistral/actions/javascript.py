"""std.javascript (alias std.js): evaluate a JavaScript snippet on V8 (``mini-racer``).

As in Mistral, ``script`` is the body of a function: it ``return``s the result, and
``$`` is ``context`` (any JSON value). The result is the returned value as JSON
(``JSON.stringify`` semantics: ``undefined`` becomes null, functions are dropped).

Every script runs in a V8 isolate of its own, closed afterwards, under a time limit
(``ActionSettings.js_time_limit`` seconds, and never past the action's own timeout)
and a hard heap limit (``ActionSettings.js_memory_limit`` bytes): an endless loop or a
runaway allocation fails the action instead of holding an executor thread or its
memory. A JavaScript error fails the action with its line in the script.

``[DEFAULT] js_implementation`` is Mistral's option; ``py_mini_racer`` is the one
implementation here and any other value is refused when the service starts
(``check_implementation``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from mistral.actions.base import Action, ActionContext, ActionSettings
from mistral.exceptions import ActionError, ConfigError

SUPPORTED_IMPLEMENTATIONS = ("py_mini_racer",)
_LINE = re.compile(r"^<anonymous>:(\d+): (.*)$", re.M)


def check_implementation(name: str) -> str:
    """``name`` if std.javascript can run on it, else ``ConfigError`` saying what to set."""
    if name not in SUPPORTED_IMPLEMENTATIONS:
        raise ConfigError(
            f"[DEFAULT] js_implementation = {name} is not available: std.javascript runs on "
            f"V8 through the mini-racer package; set js_implementation = py_mini_racer"
        )
    try:
        import py_mini_racer  # noqa: F401
    except ImportError:
        raise ConfigError("[DEFAULT] js_implementation = py_mini_racer needs the mini-racer package "
                          "(pip install mini-racer)") from None
    return name


def _js_error(e: BaseException, first_line: int, lines: int) -> str:
    """``line N: <what>`` with N counted in the user's script (an error found on the
    wrapper's closing line, such as an unclosed bracket, is on the script's last line)."""
    text = str(e)
    m = _LINE.search(text)
    if m:
        line = min(int(m.group(1)) - first_line + 1, lines)
        return f"line {line}: {m.group(2).strip()}" if line >= 1 else m.group(2).strip()
    return text.strip().splitlines()[0] if text.strip() else type(e).__name__


def _settle(racer: Any) -> None:
    """Wait for V8 to finish stopping a script it interrupted (its last callback comes
    after the timeout), so closing the isolate does not race that callback."""
    try:
        racer.eval("0", timeout_sec=5)
    except Exception:  # noqa: BLE001, S110 - closing comes next either way
        pass


class JavaScriptAction(Action):
    """Evaluates given JavaScript: ``script`` is a function body, ``$`` is ``context``."""

    description = "Evaluates 'script' (a JavaScript function body; '$' is 'context') and returns its result."

    def __init__(self, script: str, context: Any = None) -> None:
        super().__init__()
        if not isinstance(script, str):
            raise ActionError("std.javascript: 'script' must be a string")
        self.script = script
        self.js_context = context
        self.settings = ActionSettings()

    def configure(self, settings: ActionSettings) -> None:
        self.settings = settings

    def run(self, context: ActionContext) -> Any:
        from py_mini_racer import JSOOMException, JSTimeoutException, MiniRacer

        try:
            data = json.dumps(self.js_context)
        except (TypeError, ValueError) as e:
            raise ActionError(f"std.javascript: 'context' is not JSON: {e}") from None
        # line 1 is the wrapper, the script starts on line 2; $ comes after it
        source = f"JSON.stringify((function ($) {{\n{self.script}\n}})({data}))"
        limit = context.remaining(self.settings.js_time_limit)
        racer = MiniRacer()
        try:
            racer.set_hard_memory_limit(self.settings.js_memory_limit)
            out = racer.eval(source, timeout_sec=limit)
        except JSTimeoutException:
            _settle(racer)
            raise ActionError(f"std.javascript: the script did not finish within {limit:.3g} s") from None
        except JSOOMException:
            raise ActionError(
                f"std.javascript: the script went over its memory limit "
                f"({self.settings.js_memory_limit // (1024 * 1024)} MiB)") from None
        except Exception as e:  # noqa: BLE001 - a JavaScript error of the user's script
            if racer.was_hard_memory_limit_reached():
                raise ActionError(
                    f"std.javascript: the script went over its memory limit "
                    f"({self.settings.js_memory_limit // (1024 * 1024)} MiB)") from None
            raise ActionError(f"std.javascript: {_js_error(e, 2, self.script.count(chr(10)) + 1)}") from None
        finally:
            racer.close()
        if out is None or not isinstance(out, str):  # undefined: JSON.stringify gave undefined
            return None
        return json.loads(out)
