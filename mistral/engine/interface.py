"""The seams between engine, executor and their callers.

``Engine`` and ``Executor`` are Protocols with a local implementation (``mistral.engine``,
``mistral.executors``) and an RPC one (``mistral.rpc``); callers cannot tell them apart.
Everything that crosses a process boundary is one of the typed payloads below: a
``Call`` per Protocol method (``StartWorkflowCall`` for ``start_workflow`` ...: its fields
are the method's parameters after ``ctx``), carrying ``RunActionRequest`` and
``ActionResult`` where it needs them. ``mistral.rpc.serialization`` turns them into
plain values and back in one place; the RPC client and server are generic over
``ENGINE_CALLS`` / ``EXECUTOR_CALLS``, so a new engine method is written here (Protocol
method + Call), in its implementation, and nowhere else. No ``**params`` through RPC.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Protocol

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
        return {"data": self.data, "error": self.error, "cancel": self.cancel}

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
        """The fields as a (shallow) dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

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
        trigger_id: str | None = None,
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

    def on_actions_complete(self, ctx: RequestContext, action_ex_ids: list[str],
                            results: list[ActionResult]) -> None:
        """Several results at once (what an executor finished together), applied per
        execution in one transaction; returns once all are committed. A failure is
        raised after the others were applied (a result delivered again is ignored)."""
        ...

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

    def claim_actions(self, ctx: RequestContext, action_ex_ids: list[str], host: str,
                      claim: str) -> list[str]:
        """Which of these action executions may the executor process ``claim`` start
        now? (Those granted; executors claim what got a slot at once in one call.)"""
        ...


class Executor(Protocol):
    """Runs actions. ``run_action`` returns the result for sync requests, else None and the
    result is delivered later through ``Engine.on_action_complete``."""

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None: ...

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        """Stop the action execution if it runs (or waits) here (``Action.cancel()``)."""
        ...


# -- the calls: one typed payload per Protocol method -------------------------------------


class Call:
    """A Protocol method's arguments (after ``ctx``) as a value; ``METHOD`` names it and
    ``CAST`` says the caller needs no answer (a one-way message)."""

    METHOD: ClassVar[str]
    CAST: ClassVar[bool] = False

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class StartWorkflowCall(Call):
    METHOD = "start_workflow"
    wf_identifier: str
    wf_namespace: str = ""
    wf_ex_id: str | None = None
    wf_input: dict | None = None
    description: str = ""
    params: dict | None = None
    trigger_id: str | None = None


@dataclass(frozen=True)
class StartActionCall(Call):
    METHOD = "start_action"
    action_name: str
    action_input: dict | None = None
    description: str | None = None
    namespace: str = ""
    params: dict | None = None


@dataclass(frozen=True)
class OnActionCompleteCall(Call):
    METHOD = "on_action_complete"
    action_ex_id: str
    result: ActionResult
    async_: bool = False


@dataclass(frozen=True)
class OnActionsCompleteCall(Call):
    METHOD = "on_actions_complete"
    action_ex_ids: list[str]
    results: list[ActionResult]


@dataclass(frozen=True)
class OnActionUpdateCall(Call):
    METHOD = "on_action_update"
    CAST = True
    action_ex_id: str
    state: str


@dataclass(frozen=True)
class PauseWorkflowCall(Call):
    METHOD = "pause_workflow"
    wf_ex_id: str


@dataclass(frozen=True)
class ResumeWorkflowCall(Call):
    METHOD = "resume_workflow"
    wf_ex_id: str
    env: dict | None = None


@dataclass(frozen=True)
class StopWorkflowCall(Call):
    METHOD = "stop_workflow"
    wf_ex_id: str
    state: str
    message: str | None = None


@dataclass(frozen=True)
class RerunWorkflowCall(Call):
    METHOD = "rerun_workflow"
    task_ex_id: str
    reset: bool = True
    skip: bool = False
    env: dict | None = None


@dataclass(frozen=True)
class RevertWorkflowCall(Call):
    METHOD = "revert_workflow"
    wf_ex_id: str


@dataclass(frozen=True)
class ReportRunningActionsCall(Call):
    METHOD = "report_running_actions"
    CAST = True
    action_ex_ids: list[str]
    host: str | None = None
    queued: bool = False


@dataclass(frozen=True)
class ClaimActionsCall(Call):
    METHOD = "claim_actions"
    action_ex_ids: list[str]
    host: str
    claim: str


@dataclass(frozen=True)
class RunActionCall(Call):
    METHOD = "run_action"
    request: RunActionRequest


@dataclass(frozen=True)
class CancelActionCall(Call):
    METHOD = "cancel_action"
    CAST = True
    action_ex_id: str


ENGINE_CALLS: tuple[type[Call], ...] = (
    StartWorkflowCall, StartActionCall, OnActionCompleteCall, OnActionsCompleteCall,
    OnActionUpdateCall,
    PauseWorkflowCall, ResumeWorkflowCall, StopWorkflowCall, RerunWorkflowCall,
    RevertWorkflowCall, ReportRunningActionsCall, ClaimActionsCall,
)
EXECUTOR_CALLS: tuple[type[Call], ...] = (RunActionCall, CancelActionCall)
