"""Rehearsal: run a workflow with mocked action results and report the path it took.

A rehearsal runs the real ``DefaultEngine`` — the same publish, with-items, retry,
joins, subworkflows, transitions and policies as a real execution, not a second
implementation — over ports of its own:

* a private in-memory SQLite database for the runtime rows (executions, tasks, action
  executions), created for the rehearsal and dropped after it: nothing is stored as a
  real execution, nothing shows in ``/v2/executions``;
* definitions (workflows, ad-hoc actions, dynamic actions, environments) read from the
  real database, in one read-only transaction as the caller: names resolve exactly as
  they would for a real execution, and only what the caller may see is visible;
* an executor that runs nothing: each action gets its task's mock (see
  ``mistral.engine.mocks``) — nothing is sent to an executor, no action runs;
* a virtual clock and scheduler: wait-before/after, retry delays, timeouts and mock
  delays happen in virtual time, in order, without sleeping; no notifications are sent.

``Rehearsal.run(ctx, ...)`` returns the end state, the output, the path (tasks in the
order they finished, subworkflow tasks as ``parent/child``) and every task's result.
It runs in the caller's process (the API) and is bounded by ``max_steps``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import heapq
import itertools
import logging
import threading
from typing import Any, Callable, Iterator, Mapping

from mistral import exceptions as exc
from mistral import expressions
from mistral.context import RequestContext
from mistral.db import names
from mistral.db.api import Database
from mistral.db.filters import Filter
from mistral.engine import mocks as mocklib
from mistral.engine import specs
from mistral.engine.default_engine import DefaultEngine
from mistral.engine.interface import ActionResult, RunActionRequest
from mistral.engine.settings import EngineSettings
from mistral.workflow import states

LOG = logging.getLogger(__name__)

#: repositories read from the real database (definitions); the others are the scratch one's
DEFINITIONS = ("workbooks", "workflow_definitions", "action_definitions", "code_sources",
               "dynamic_actions", "environments", "resource_members")
MAX_STEPS = 20_000


class _Layered:
    """The scratch database for runtime rows; definition repositories from the real
    database's read-only transaction (the engine only ever calls ``transaction``)."""

    def __init__(self, scratch: Database, real_tx: Any) -> None:
        self._scratch = scratch
        self._real = real_tx

    @contextlib.contextmanager
    def transaction(self, ctx: RequestContext | None = None,
                    readonly: bool = False) -> Iterator[Any]:
        with self._scratch.transaction(ctx, readonly) as tx:
            for name in DEFINITIONS:
                setattr(tx, name, getattr(self._real, name))
            yield tx


class _Clock:
    """Virtual time. Each reading moves it on by a microsecond, so that events, and the
    tasks they finish, are ordered by their time even within one virtual instant."""

    TICK = datetime.timedelta(microseconds=1)

    def __init__(self) -> None:
        self.start = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.t = self.start

    def now(self) -> datetime.datetime:
        self.t += self.TICK
        return self.t

    def elapsed(self, at: datetime.datetime | None) -> float | None:
        return None if at is None else round((at - self.start).total_seconds(), 2)


class _Agenda:
    """Timers and mocked answers, in virtual-time order (then in the order queued)."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[datetime.datetime, int, Callable[[], None], str]] = []
        self._seq = itertools.count()

    def add(self, at: datetime.datetime, fn: Callable[[], None], key: str = "") -> None:
        heapq.heappush(self._heap, (at, next(self._seq), fn, key))

    def has(self, key: str) -> bool:
        return any(k == key for _, _, _, k in self._heap)

    def drop(self, key: str) -> None:
        self._heap = [e for e in self._heap if e[3] != key]
        heapq.heapify(self._heap)

    def step(self) -> bool:
        """Run the next item (moving the clock to it); False when nothing is left."""
        if not self._heap:
            return False
        at, _, fn, _ = heapq.heappop(self._heap)
        self.clock.t = max(self.clock.t, at)
        fn()
        return True


class _Scheduler:
    """The engine's ``Scheduler`` port on the agenda: a job runs, as whoever scheduled
    it, in a transaction of its own once the virtual clock reaches it."""

    def __init__(self, db: _Layered, agenda: _Agenda) -> None:
        self.db = db
        self.agenda = agenda
        self.handlers: dict[str, Callable[[Any, dict], None]] = {}

    def schedule(self, tx: Any, handler_key: str, run_at: Any, args: dict,
                 key: str | None = None) -> None:
        if not isinstance(run_at, datetime.datetime):
            run_at = self.agenda.clock.now() + datetime.timedelta(seconds=float(run_at))
        ctx, args = tx.ctx, dict(args)

        def fire() -> None:
            with self.db.transaction(ctx) as job_tx:
                self.handlers[handler_key](job_tx, args)

        tx.after_commit(lambda: self.agenda.add(run_at, fire, key or ""))

    def has_job(self, tx: Any, key: str) -> bool:
        return self.agenda.has(key)


class _MockExecutor:
    """The engine's ``Executor`` port: answers every request with its task's mock
    after the mock's virtual delay. Runs nothing."""

    def __init__(self, run: "_Run") -> None:
        self.run = run

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        mock = self.run.mock_for(ctx, request)
        result = (ActionResult(error=mock.error) if mock.failed
                  else ActionResult(data=mock.result))
        if request.is_sync:
            return result
        at = self.run.clock.now() + datetime.timedelta(seconds=mock.delay)
        engine = self.run.engine

        def answer() -> None:
            engine.on_action_complete(ctx, request.action_ex_id, result)

        self.run.agenda.add(at, answer, "action:" + request.action_ex_id)
        return None

    def cancel_action(self, ctx: RequestContext, action_ex_id: str) -> None:
        self.run.agenda.drop("action:" + action_ex_id)


class Rehearsal:
    """Runs rehearsals for the API: ``db`` is the real database (definitions are read
    from it, nothing is written), ``registry`` the action registry (actions are resolved
    and their input checked as for a real run, never run; None: ``ActionRegistry.load()``
    at the first rehearsal), ``settings`` the engine's (``[engine]``, expressions)."""

    def __init__(self, db: Any, registry: Any = None, settings: EngineSettings | None = None,
                 max_steps: int = MAX_STEPS) -> None:
        self.db = db
        self._registry = registry
        self.settings = dataclasses.replace(settings or EngineSettings(), notify=())
        self.max_steps = max_steps

    @property
    def registry(self) -> Any:
        if self._registry is None:
            from mistral.actions.registry import ActionRegistry

            self._registry = ActionRegistry.load()
        return self._registry

    def run(self, ctx: RequestContext, wf_identifier: str, namespace: str = "",
            wf_input: Mapping[str, Any] | None = None, params: Mapping[str, Any] | None = None,
            mocks: Any = None) -> dict[str, Any]:
        """Rehearse the workflow; ``InputError`` for bad mocks (naming them) and whatever
        a real start refuses (unknown workflow, bad input, ...)."""
        parsed = mocklib.parse_mocks(mocks)
        with self.db.transaction(ctx, readonly=True) as real:
            definition = names.workflow_by_identifier(real, wf_identifier, namespace)
            check_paths(real, definition, parsed)
            scratch = _scratch_database(self.db.field_size_limit_kb)
            try:
                return _Run(self, ctx, _Layered(scratch, real), parsed).execute(
                    definition, dict(wf_input or {}), dict(params or {}))
            finally:
                scratch.dispose()


_TEMPLATE: Any = None
_TEMPLATE_LOCK = threading.Lock()


def _scratch_database(field_size_limit_kb: int | None) -> Database:
    """A new in-memory database with the schema: a copy (SQLite's backup) of one made
    once per process, several times faster than creating the tables each time."""
    global _TEMPLATE
    scratch = Database("sqlite://", field_size_limit_kb=field_size_limit_kb)
    with _TEMPLATE_LOCK:
        if _TEMPLATE is None:
            template = Database("sqlite://")
            template.create_schema()
            _TEMPLATE = (template, template.engine.raw_connection())
        target = scratch.engine.raw_connection()
        try:
            _TEMPLATE[1].driver_connection.backup(target.driver_connection)
        finally:
            target.close()
    return scratch


def check_paths(tx: Any, definition: Any, mocks: Mapping[str, Any]) -> None:
    """Every mocked path names an action task of the workflow (or of a subworkflow it
    calls by a literal name); ``InputError`` listing those that do not."""
    root = specs.workflow_spec_of_definition(definition)
    problems = []
    for path in mocks:
        problem = _check_path(tx, root, definition.namespace or "",
                              definition.workbook_name, path)
        if problem:
            problems.append(f"mocks.{path}: {problem}")
    if problems:
        raise exc.InputError("Mocks for tasks that do not exist: " + "; ".join(problems))


def _check_path(tx: Any, spec: Any, namespace: str, workbook: str | None,
                path: str) -> str | None:
    parts = path.split("/")
    for i, name in enumerate(parts):
        tspec = spec.tasks.get(name) or spec.reverts.get(name)  # a revert: 'revert:<task>'
        if tspec is None:
            return (f"workflow '{spec.name}' has no task '{name}' "
                    f"(tasks: {', '.join(sorted(spec.tasks)) or 'none'})")
        last = i == len(parts) - 1
        if last:
            if tspec.workflow:
                return (f"task '{name}' runs workflow '{tspec.workflow}': mock the tasks "
                        f"of the subworkflow ('{'/'.join(parts[:i + 1])}/<task>')")
            return None
        if not tspec.workflow:
            return f"task '{name}' of workflow '{spec.name}' runs no subworkflow"
        if expressions.is_expression(tspec.workflow):
            return None  # chosen at run time: cannot be checked beforehand
        try:
            row = names.workflow_for_task(tx, tspec.workflow, namespace, workbook)
        except exc.NotFoundError:
            return f"the subworkflow '{tspec.workflow}' of task '{name}' does not exist"
        spec, workbook = specs.workflow_spec_of_definition(row), row.workbook_name
    return None


class _Run:
    """One rehearsal: the engine on its private ports, driven until nothing is left."""

    def __init__(self, owner: Rehearsal, ctx: RequestContext, db: _Layered,
                 mocks: Mapping[str, tuple[mocklib.Mock, ...]]) -> None:
        self.ctx = ctx
        self.db = db
        self.mocks = mocks
        self.max_steps = owner.max_steps
        self.clock = _Clock()
        self.agenda = _Agenda(self.clock)
        scheduler = _Scheduler(db, self.agenda)
        self.engine = DefaultEngine(db, _MockExecutor(self), scheduler, owner.settings,
                                    registry=owner.registry, clock=self.clock)
        scheduler.handlers = self.engine.timer_handlers()
        self.runs: dict[str, int] = {}
        self.unmocked: dict[str, None] = {}
        self.order: dict[str, int] = {}
        self._prefixes: dict[str, str] = {}

    # -- the executor's questions ---------------------------------------------------------

    def mock_for(self, ctx: RequestContext, request: RunActionRequest) -> mocklib.Mock:
        with self.db.transaction(ctx, readonly=True) as tx:
            action = tx.action_executions.get(request.action_ex_id,
                                              fields=("task_execution_id",))
            task = tx.task_executions.get(action.task_execution_id,
                                          fields=("name", "workflow_execution_id"))
            shown = self._prefix(tx, task.workflow_execution_id) + task.name
        key = mocklib.normalize_path(shown, shown)
        run = self.runs.get(key, 0)
        self.runs[key] = run + 1
        if key in self.mocks:
            return mocklib.pick(self.mocks[key], run)
        simulated = mocklib.simulate(request.action_name, request.action_input or {})
        if simulated is not None:
            return simulated
        self.unmocked[key] = None
        return mocklib.Mock()

    def _prefix(self, tx: Any, wf_ex_id: str) -> str:
        """``parent/`` (``parent[i]/`` for a with-items item) for a subworkflow's tasks."""
        if wf_ex_id not in self._prefixes:
            wf_ex = tx.workflow_executions.get(wf_ex_id,
                                               fields=("task_execution_id", "runtime_context"))
            prefix = ""
            if wf_ex.task_execution_id:
                parent = tx.task_executions.get(
                    wf_ex.task_execution_id,
                    fields=("name", "workflow_execution_id", "runtime_context"))
                item = ""
                if (parent.runtime_context or {}).get("with_items"):
                    item = f"[{int((wf_ex.runtime_context or {}).get('index', 0))}]"
                prefix = (self._prefix(tx, parent.workflow_execution_id)
                          + parent.name + item + "/")
            self._prefixes[wf_ex_id] = prefix
        return self._prefixes[wf_ex_id]

    # -- driving --------------------------------------------------------------------------

    def execute(self, definition: Any, wf_input: dict[str, Any],
                params: dict[str, Any]) -> dict[str, Any]:
        started = self.engine.start_workflow(
            self.ctx, definition.id, definition.namespace or "", wf_input=wf_input,
            params=params)
        self._record()
        steps, complete = 0, True
        while self.agenda.step():
            self._record()
            steps += 1
            if steps >= self.max_steps:
                complete = False
                break
        return self._report(started["id"], complete, steps)

    def _record(self) -> None:
        """Note the tasks that finished since the last step, in the order they did."""
        with self.db.transaction(self.ctx, readonly=True) as tx:
            rows = tx.task_executions.list(
                filters={"state": Filter("in", sorted(states.TERMINAL))},
                fields=("id", "name", "finished_at"))
            new = [(r.finished_at or self.clock.t, r.name, r.id) for r in rows
                   if r.id not in self.order]
        for _, _, task_id in sorted(new):
            self.order[task_id] = len(self.order)

    # -- the answer -----------------------------------------------------------------------

    def _report(self, root_id: str, complete: bool, steps: int) -> dict[str, Any]:
        with self.db.transaction(self.ctx, readonly=True) as tx:
            root = tx.workflow_executions.get(root_id).to_dict()
            rows = tx.task_executions.list(sort_keys=("created_at",))
            units = _unit_counts(tx)
            tasks = [self._task(tx, r, units) for r in rows]
        last = len(self.order)
        tasks.sort(key=lambda t: self.order.get(t.pop("_id"), last))
        info = root["state_info"]
        if not complete:
            info = (f"The rehearsal stopped after {steps} steps with the workflow still "
                    f"{root['state']}" + (f": {info}" if info else ""))
        return {
            "workflow_name": root["workflow_name"],
            "workflow_namespace": root["workflow_namespace"] or "",
            "state": root["state"],
            "state_info": info,
            "output": root["output"] or {},
            "path": [t["path"] for t in tasks if t["state"] in states.TERMINAL],
            "tasks": tasks,
            "unmocked": sorted(self.unmocked),
            "unused_mocks": sorted(k for k in self.mocks if k not in self.runs),
            "elapsed": self.clock.elapsed(self.clock.t) or 0.0,
            "complete": complete,
        }

    def _task(self, tx: Any, row: Any, units: Mapping[str, int]) -> dict[str, Any]:
        rc = row.runtime_context or {}
        path = self._prefix(tx, row.workflow_execution_id) + row.name
        return {
            "_id": row.id,
            "path": path,
            "name": row.name,
            "workflow_name": row.workflow_name,
            "type": row.type,
            "state": row.state,
            "state_info": row.state_info,
            "result": rc.get("result"),
            "published": row.published or {},
            "runs": units.get(row.id, 0),
            "retries": int(rc.get("retry_no", 0)),
            "items": row.items_total if rc.get("with_items") else None,
            "mocked": mocklib.normalize_path(path, path) in self.mocks,
            "started_at": self.clock.elapsed(row.started_at),
            "finished_at": self.clock.elapsed(row.finished_at),
        }


def _unit_counts(tx: Any) -> dict[str, int]:
    """Action executions and subworkflows per task execution (its runs)."""
    counts: dict[str, int] = {}
    for repo in (tx.action_executions, tx.workflow_executions):
        for r in repo.list(fields=("task_execution_id",)):
            if r.task_execution_id:
                counts[r.task_execution_id] = counts.get(r.task_execution_id, 0) + 1
    return counts
