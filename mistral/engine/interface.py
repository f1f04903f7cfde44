"""The seams between engine, executor and their callers.

``Engine`` and ``Executor`` are Protocols with a local implementation (``mistral.engine``,
``mistral.executors``) and an RPC one (``mistral.rpc``); callers cannot tell them apart.
Everything that crosses a process boundary is one of the typed payloads below, turned
into plain dicts in one place (``to_dict``/``from_dict``) — no ``**params`` through RPC.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from mistral.context import RequestContext


@dataclass(frozen=True)
class ActionResult:
    """What an action produced: ``data`` on success, ``error`` on failure, or cancelled."""

    data: Any = None
    error: Any = None
    cancel: bool = False

    def is_error(self) -> bool:
        return self.error is not None and not self.cancel

    def is_success(self) -> bool:
        return self.error is None and not self.cancel

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ActionResult":
        return cls(data=d.get("data"), error=d.get("error"), cancel=bool(d.get("cancel")))


@dataclass(frozen=True)
class RunActionRequest:
    """Ask an executor to run one action execution.

    Ad-hoc actions are resolved by the engine to their base action and its input before
    sending, so an executor only needs the registry of Python actions. A dynamic action
    carries ``dynamic`` (``mistral.actions.dynamic.DynamicRef.to_dict()``: code source id,
    name, checksum, class name and the module text) instead: an executor never reads the
    database.
    """

    action_ex_id: str
    action_name: str
    action_input: dict = field(default_factory=dict)
    namespace: str = ""
    safe_rerun: bool = False
    execution_context: dict = field(default_factory=dict)
    target: str | None = None
    timeout: float | None = None
    is_sync: bool = False
    dynamic: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RunActionRequest":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


class Engine(Protocol):
    """What the API, the executors and the scheduler ask of an engine."""

    def start_workflow(
        self,
        ctx: RequestContext,
        wf_identifier: str,
        wf_namespace: str = "",
        wf_ex_id: str | None = None,
        wf_input: dict | None = None,
        description: str = "",
        params: dict | None = None,
    ) -> dict: ...

    def start_action(
        self,
        ctx: RequestContext,
        action_name: str,
        action_input: dict | None = None,
        description: str | None = None,
        namespace: str = "",
        params: dict | None = None,
    ) -> dict: ...

    def on_action_complete(
        self, ctx: RequestContext, action_ex_id: str, result: ActionResult, async_: bool = False
    ) -> None: ...

    def on_action_update(self, ctx: RequestContext, action_ex_id: str, state: str) -> None: ...

    def pause_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict: ...

    def resume_workflow(self, ctx: RequestContext, wf_ex_id: str, env: dict | None = None) -> dict: ...

    def stop_workflow(
        self, ctx: RequestContext, wf_ex_id: str, state: str, message: str | None = None
    ) -> dict: ...

    def rerun_workflow(
        self,
        ctx: RequestContext,
        task_ex_id: str,
        reset: bool = True,
        skip: bool = False,
        env: dict | None = None,
    ) -> dict: ...

    def revert_workflow(self, ctx: RequestContext, wf_ex_id: str) -> dict:
        """Revert a finished ERROR or CANCELLED execution (ours)."""
        ...

    def report_running_actions(
        self, ctx: RequestContext, action_ex_ids: list[str], host: str | None = None,
        queued: bool = False,
    ) -> None:
        """Executor heartbeat: these action executions are still running on a live
        executor (``host``, stored as their ``executor_host``); with ``queued`` they are
        held there waiting for a free slot (alive, not started)."""
        ...

    def claim_action(self, ctx: RequestContext, action_ex_id: str, host: str,
                     claim: str) -> bool:
        """May the executor process ``claim`` start this action execution now?"""
        ...


class Executor(Protocol):
    """Runs actions. ``run_action`` returns the result for sync requests, else None and the
    result is delivered later through ``Engine.on_action_complete``."""

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None: ...

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        """Stop the action execution if it runs (or waits) here (``Action.cancel()``)."""
        ...
