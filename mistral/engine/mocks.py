"""Mocked action results for a rehearsal (``mistral.engine.rehearsal``).

A rehearsal's ``mocks`` map a task to what its actions return instead of running::

    {"get_vm": {"result": {"id": "vm-1"}},            # every run of get_vm
     "check": [{"error": "not yet"}, {"result": "ok"}],  # 1st run fails, then succeeds
     "slow": {"result": 1, "delay": 30},              # answers after 30 virtual seconds
     "call_sub/s1": {"result": 2}}                    # task s1 of the subworkflow of call_sub

A key is a task's *path*: its name, prefixed by the workflow tasks leading to its
subworkflow (``parent/child``). A list is consumed one entry per run of the task (each
retry, each with-items item, in the order the engine sends them); the last entry
repeats. ``error`` makes the action fail with that value as its error; ``delay`` is in
virtual seconds (timeouts, waits and retry delays use the same virtual clock).

A task without a mock gets ``null``, except the pure std actions whose result follows
from their input alone (``std.noop``, ``std.echo``, ``std.fail``): their result is
computed, never run.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

from mistral import exceptions as exc

#: the longest virtual delay a mock may take (as the engine's timers: ~31 years)
MAX_DELAY = 10 ** 9
_KEYS = frozenset(("result", "error", "delay"))
_INDEX = re.compile(r"\[\d+\]$")
FAIL_MESSAGE = "Fail action expected exception."


@dataclass(frozen=True)
class Mock:
    """What one run of a mocked action returns."""

    result: Any = None
    error: Any = None
    failed: bool = False
    delay: float = 0.0


def parse_mocks(value: Any, where: str = "mocks") -> dict[str, tuple[Mock, ...]]:
    """``{path: (Mock, ...)}`` from the request's ``mocks``; ``InputError`` naming the place."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise exc.InputError(f"'{where}' must be an object mapping task paths to mocks, "
                             f"got {type(value).__name__}")
    out: dict[str, tuple[Mock, ...]] = {}
    for key, entry in value.items():
        path = normalize_path(str(key), f"{where}.{key}")
        if path in out:
            raise exc.InputError(f"'{where}.{key}': task path '{path}' is mocked twice")
        if isinstance(entry, list):
            if not entry:
                raise exc.InputError(f"'{where}.{key}': an empty list mocks nothing")
            out[path] = tuple(_mock(e, f"{where}.{key}[{i}]") for i, e in enumerate(entry))
        else:
            out[path] = (_mock(entry, f"{where}.{key}"),)
    return out


def normalize_path(key: str, where: str) -> str:
    """``a/b`` with blanks and item indices (``a[2]/b``) dropped; ``InputError`` if empty."""
    parts = [_INDEX.sub("", p.strip()) for p in key.split("/")]
    if not key.strip() or any(not p for p in parts):
        raise exc.InputError(f"'{where}': a mock key is a task name, or 'task/subtask' for a "
                             "task of a subworkflow")
    return "/".join(parts)


def _mock(entry: Any, where: str) -> Mock:
    if not isinstance(entry, Mapping):
        raise exc.InputError(f"'{where}' must be an object with 'result' or 'error' "
                             f"(and optionally 'delay'), got {type(entry).__name__}")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise exc.InputError(f"'{where}': unknown key(s) {', '.join(unknown)}; a mock has "
                             "'result' or 'error', and optionally 'delay'")
    if ("result" in entry) == ("error" in entry):
        raise exc.InputError(f"'{where}': give exactly one of 'result' and 'error'")
    return Mock(result=entry.get("result"), error=entry.get("error"),
                failed="error" in entry, delay=_delay(entry.get("delay", 0), where))


def _delay(value: Any, where: str) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0 or number > MAX_DELAY:
        raise exc.InputError(f"'{where}.delay' must be a number of seconds from 0 to "
                             f"{MAX_DELAY}, got {value!r:.80}")
    return number


def pick(mocks: tuple[Mock, ...], run: int) -> Mock:
    """The mock of the ``run``-th run (0-based) of a task: the last one repeats."""
    return mocks[min(run, len(mocks) - 1)]


def simulate(action_name: str, action_input: Mapping[str, Any]) -> Mock | None:
    """The result of a pure std action computed from its input, or None for any other
    action (its result is unknown without a mock)."""
    if action_name == "std.noop":
        return Mock()
    if action_name == "std.echo":
        try:
            delay = _delay(action_input.get("delay") or 0, "std.echo delay")
        except exc.InputError:
            delay = 0.0
        return Mock(result=action_input.get("output"), delay=delay)
    if action_name == "std.fail":
        error = action_input.get("error_data") or FAIL_MESSAGE
        return Mock(error=error, failed=True)
    return None
