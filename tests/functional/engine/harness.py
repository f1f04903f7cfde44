"""Fakes of the engine's ports, and a harness that drives an engine to idle.

* ``FakeClock``: time moves only when a test says so.
* ``FakeScheduler``: timers kept in memory once their transaction commits; ``pump``
  runs the due ones (by the fake clock) through the engine's real handlers, as the
  context that scheduled them (the real scheduler keeps it as ``auth_ctx``).
* ``SyncExecutor``: queues run requests; ``pump`` runs the real std actions inline and
  reports results through ``Engine.on_action_complete``. Sync requests run at once.

No sleeping and no polling: ``Harness.run_until_idle()`` pumps until nothing is left.
"""

from __future__ import annotations

import datetime
from collections import deque
from typing import Any

from mistral import lang
from mistral.actions.base import ActionContext, raised_error
from mistral.actions.registry import ActionRegistry
from mistral.context import RequestContext
from mistral.engine.default_engine import DefaultEngine
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.engine.settings import EngineSettings
from mistral.executors.default import build_action
from mistral.workflow import states

CTX = RequestContext()
_REGISTRY = ActionRegistry.load()


class FakeClock:
    def __init__(self) -> None:
        # starts at the real time: rows stamped by the database compare sensibly
        self.t = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    def now(self) -> datetime.datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += datetime.timedelta(seconds=seconds)


class FakeScheduler:
    def __init__(self, db: Any, clock: FakeClock) -> None:
        self.db = db
        self.clock = clock
        self.jobs: list[dict] = []
        self.handlers: dict[str, Any] = {}

    def schedule(self, tx: Any, handler_key: str, run_at: Any, args: dict,
                 key: str | None = None) -> None:
        # like the real scheduler: the job runs as whoever scheduled it (its auth_ctx)
        job = {"handler": handler_key, "run_at": run_at, "args": dict(args), "key": key, "ctx": tx.ctx}
        tx.after_commit(lambda: self.jobs.append(job))

    def has_job(self, tx: Any, key: str) -> bool:
        return any(j["key"] == key for j in self.jobs)

    def pump(self) -> int:
        due = [j for j in self.jobs if j["run_at"] <= self.clock.now()]
        for job in due:
            self.jobs.remove(job)
            with self.db.transaction(job.get("ctx") or RequestContext(is_admin=True)) as tx:
                self.handlers[job["handler"]](tx, job["args"])
        return len(due)


class SyncExecutor:
    def __init__(self, registry: ActionRegistry) -> None:
        self.registry = registry
        self.engine: Any = None
        self.queue: deque[tuple[RequestContext, RunActionRequest]] = deque()
        self.hold = False  # tests may hold requests to simulate a lost executor
        self.sent: list[RunActionRequest] = []
        self.cancelled: list[str] = []

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        self.sent.append(request)
        if request.is_sync:
            return self._run(ctx, request)[0]
        self.queue.append((ctx, request))
        return None

    def _run(self, ctx: RequestContext, request: RunActionRequest) -> tuple[ActionResult, bool]:
        try:
            action = build_action(self.registry, request)
        except Exception as e:  # noqa: BLE001 - results travel as values
            return ActionResult(error=f"{type(e).__name__}: {e}"), True
        try:
            value = action.run(ActionContext.build(
                ctx, request.action_ex_id, request.execution_context))
        except Exception as e:  # noqa: BLE001 - as the real executor words it
            return ActionResult(error=raised_error(action, request.action_ex_id, e)), True
        if isinstance(value, ActionResult):
            return value, action.is_sync()
        return ActionResult(data=value), action.is_sync()

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        """The engine cancelled it: a queued request is dropped (it never runs)."""
        self.cancelled.append(action_ex_id)
        self.queue = deque((c, r) for c, r in self.queue if r.action_ex_id != action_ex_id)

    def pump(self) -> int:
        n = 0
        while self.queue and not self.hold:
            ctx, request = self.queue.popleft()
            result, report = self._run(ctx, request)
            if report:
                self.engine.on_action_complete(ctx, request.action_ex_id, result)
            n += 1
        return n


class Harness:
    def __init__(self, db: Any, settings: EngineSettings | None = None,
                 notifier: Any = None, registry: ActionRegistry | None = None) -> None:
        self.db = db
        self.clock = FakeClock()
        self.scheduler = FakeScheduler(db, self.clock)
        self.executor = SyncExecutor(registry or _REGISTRY)
        self.engine = DefaultEngine(
            db, self.executor, self.scheduler, settings or EngineSettings(),
            registry=registry or _REGISTRY, clock=self.clock, notifier=notifier,
        )
        self.executor.engine = self.engine
        self.scheduler.handlers = self.engine.timer_handlers()

    # -- definitions ------------------------------------------------------------------

    def define(self, text: str, namespace: str = "") -> list[str]:
        specs = lang.parse_workflows(text).workflows
        with self.db.transaction(CTX) as tx:
            for spec in specs:
                tx.workflow_definitions.create({
                    "name": spec.name, "namespace": namespace, "definition": text,
                    "spec": spec.to_dict(), "checksum": str(hash(text)), "scope": "private",
                })
        return [s.name for s in specs]

    def define_actions(self, text: str) -> None:
        with self.db.transaction(CTX) as tx:
            for spec in lang.parse_actions(text):
                tx.action_definitions.create({
                    "name": spec.name, "namespace": "", "definition": text,
                    "spec": spec.to_dict(), "checksum": str(hash(text)), "scope": "private",
                })

    def define_workbook(self, text: str) -> None:
        """Store a workbook's workflows and actions as ``<workbook>.<name>`` rows."""
        wb = lang.parse_workbook(text)
        with self.db.transaction(CTX) as tx:
            for spec in wb.workflows:
                tx.workflow_definitions.create({
                    "name": f"{wb.name}.{spec.name}", "namespace": "", "definition": text,
                    "spec": spec.to_dict(), "checksum": str(hash(text)), "scope": "private",
                    "workbook_name": wb.name,
                })
            for aspec in wb.actions:
                tx.action_definitions.create({
                    "name": f"{wb.name}.{aspec.name}", "namespace": "", "definition": text,
                    "spec": aspec.to_dict(), "checksum": str(hash(text)), "scope": "private",
                    "workbook_name": wb.name,
                })

    # -- driving ----------------------------------------------------------------------

    def start(self, name: str, wf_input: dict | None = None, **params: Any) -> str:
        wf = self.engine.start_workflow(CTX, name, wf_input=wf_input or {}, params=params)
        return wf["id"]

    def pump(self) -> int:
        return self.executor.pump() + self.scheduler.pump()

    def run_until_idle(self, max_rounds: int = 10000) -> None:
        for _ in range(max_rounds):
            if not self.pump():
                return
        raise AssertionError("engine did not become idle")

    def run_with_clock(self, step: float = 1.0, max_steps: int = 200) -> None:
        """Pump, advancing the fake clock while timers are pending."""
        for _ in range(max_steps):
            self.run_until_idle()
            if not self.scheduler.jobs:
                return
            self.clock.advance(step)
        raise AssertionError("timers still pending")

    def run(self, name: str, wf_input: dict | None = None, **params: Any) -> dict:
        wf_id = self.start(name, wf_input, **params)
        self.run_with_clock()
        return self.execution(wf_id)

    # -- reading ----------------------------------------------------------------------

    def execution(self, wf_id: str) -> dict:
        with self.db.transaction(CTX, readonly=True) as tx:
            return tx.workflow_executions.get(wf_id).to_dict()

    def tasks(self, wf_id: str) -> list[dict]:
        with self.db.transaction(CTX, readonly=True) as tx:
            rows = tx.task_executions.list(
                filters={"workflow_execution_id": wf_id}, sort_keys=("created_at",))
            return [r.to_dict() for r in rows]

    def task(self, wf_id: str, name: str) -> dict:
        found = [t for t in self.tasks(wf_id) if t["name"] == name]
        assert found, f"no task {name}"
        return found[-1]

    def task_states(self, wf_id: str) -> dict[str, str]:
        return {t["name"]: t["state"] for t in self.tasks(wf_id)}

    def actions(self, task_id: str) -> list[dict]:
        with self.db.transaction(CTX, readonly=True) as tx:
            rows = tx.action_executions.list(
                filters={"task_execution_id": task_id}, sort_keys=("created_at",))
            return [r.to_dict() for r in rows]

    def children(self, task_id: str) -> list[dict]:
        with self.db.transaction(CTX, readonly=True) as tx:
            rows = tx.workflow_executions.list(
                filters={"task_execution_id": task_id}, sort_keys=("created_at",))
            return [r.to_dict() for r in rows]


def result_of(task: dict) -> Any:
    return (task.get("runtime_context") or {}).get("result")


TERMINAL = states.TERMINAL
