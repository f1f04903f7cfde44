"""Cron triggers: start a workflow at each due time, exactly once however many run this.

Triggers are rows in ``cron_triggers_v2`` (written by the API) with their
``next_execution_time``. Firing uses the durable scheduler:

1. ``sync()`` (every ``[cron_trigger] execution_interval`` seconds, in every periodic
   process) schedules one job per trigger due soon, keyed ``cron:<id>:<due time>``; the
   unique key makes concurrent syncs harmless.
2. The job (handler ``cron_trigger.fire``) is claimed by exactly one scheduler. It starts
   the workflow with an execution id derived from the trigger and the due time — starting
   it again returns the same execution — then advances the trigger with a conditional
   update (``WHERE next_execution_time = <due>``), or deletes it after its last run. A
   crash in between re-runs the job after the lease: same execution id, no second run.

A missed period (the service was down) fires once, then the next time after now.

The execution acts as the trigger's creator (``mistral.services.trusts.firing_context``):
through the trigger's Keystone trust with a fresh token when it has one, else as the
creator's stored context; never as admin, never as a bare project. A trigger whose
trust Keystone refuses skips that run (logged) and keeps its schedule; Keystone
unreachable makes the job run again later. After its last run the trigger is deleted,
and its trust once its execution ended.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import croniter

from mistral import exceptions as exc
from mistral.context import RequestContext, admin_context, owner_context
from mistral.engine.interface import Engine
from mistral.scheduler import Scheduler
from mistral.services.trusts import KeystoneTrusts, firing_context

LOG = logging.getLogger(__name__)

FIRE = "cron_trigger.fire"
_ID_NAMESPACE = uuid.UUID("1f0e6f5e-8c9b-4a8e-9a57-6d1c0c1e2a11")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def execution_id(trigger_id: str, due: datetime.datetime) -> str:
    """The id of the execution a trigger starts at ``due``: the same every time it is asked."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{trigger_id}@{due.strftime(_TIME_FORMAT)}"))


def next_time(pattern: str | None, due: datetime.datetime, now: datetime.datetime) -> datetime.datetime | None:
    """The next due time after ``due`` (skipping periods missed before ``now``); None: no more."""
    if not pattern:
        return None
    return croniter.croniter(pattern, max(due, now)).get_next(datetime.datetime)


def trigger_description(kind: str, trigger_id: str, name: str) -> str:
    """Mistral 23's description of an execution a trigger started: JSON with
    ``triggered_by`` ({type: cron_trigger|event_trigger, id, name}); the plain sentence
    when that would not fit the 255-character column."""
    import json

    text = f"Workflow execution created by {kind} trigger '({trigger_id})'."
    described = json.dumps({"description": text,
                            "triggered_by": {"type": f"{kind}_trigger", "id": trigger_id, "name": name}})
    return described if len(described) <= 255 else text


def _release(trusts: KeystoneTrusts, trust_id: str, trigger_id: str) -> None:
    try:
        trusts.release(trust_id, trigger_id)
    except exc.MistralError as e:
        LOG.warning("Trust %s of cron trigger %s not released: %s", trust_id, trigger_id, e)


class CronTriggerService:
    """Fires due cron triggers through ``engine.start_workflow``."""

    def __init__(
        self,
        db: Any,
        engine: Engine,
        scheduler: Scheduler,
        interval: float = 1.0,
        clock: Callable[[], datetime.datetime] = utcnow,
        trusts: KeystoneTrusts | None = None,
    ) -> None:
        self._db = db
        self._trusts = trusts
        self._engine = engine
        self._scheduler = scheduler
        self.interval = interval
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        scheduler.register_handler(FIRE, self.fire, transactional=False)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="mistral-cron-triggers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _loop(self) -> None:
        while True:
            try:
                self.sync()
            except Exception:  # noqa: BLE001 - keep firing after a DB hiccup
                LOG.exception("Cron trigger sync failed")
            if self._stop.wait(self.interval):
                return

    def sync(self, batch: int = 1000) -> int:
        """Schedule a fire job for every trigger due within one interval; returns how many."""
        from mistral.db.filters import Filter

        horizon = self._clock() + datetime.timedelta(seconds=self.interval)
        with self._db.transaction(admin_context(), readonly=True) as tx:
            rows = tx.cron_triggers.list(
                filters={"next_execution_time": Filter("lte", horizon)},
                sort_keys=("next_execution_time",), limit=batch,
                fields=("id", "next_execution_time"),
            )
            due = [(r.id, r.next_execution_time) for r in rows if r.next_execution_time]
        if not due:
            return 0
        with self._db.transaction(admin_context()) as tx:
            for trigger_id, when in due:
                self._scheduler.schedule(
                    tx, FIRE, when, {"trigger_id": trigger_id, "due": when.strftime(_TIME_FORMAT)},
                    key=f"cron:{trigger_id}:{when.strftime(_TIME_FORMAT)}",
                )
        return len(due)

    def fire(self, ctx: RequestContext, args: dict) -> None:
        """The ``cron_trigger.fire`` job: start the workflow (idempotently), then advance."""
        trigger_id = str(args["trigger_id"])
        due = datetime.datetime.strptime(str(args["due"]), _TIME_FORMAT)
        with self._db.transaction(admin_context(), readonly=True) as tx:
            trigger = tx.cron_triggers.find(id=trigger_id)
            if trigger is None or trigger.next_execution_time != due:
                LOG.info("Cron trigger %s already fired for %s or was deleted", trigger_id, due)
                return
            values = trigger.to_dict()
        ex_id = execution_id(trigger_id, due)
        try:
            owner = firing_context(self._trusts, values)  # Keystone down: the job runs again
        except exc.ServiceUnavailableError:
            raise
        except exc.MistralError as e:
            LOG.warning("Cron trigger %s skips its run of %s: it cannot act as its creator: %s",
                        values["name"], due, e)
            self._advance(values, due)
            return
        try:
            self._engine.start_workflow(
                owner,
                values["workflow_id"] or values["workflow_name"],
                wf_ex_id=ex_id,
                wf_input=dict(values.get("workflow_input") or {}),
                description=trigger_description("cron", trigger_id, values["name"]),
                params=dict(values.get("workflow_params") or {}),
                trigger_id=trigger_id,
            )
            LOG.info("Cron trigger %s fired for %s", values["name"], due)
        except (exc.DBError, exc.ServiceUnavailableError):
            raise  # the job is released and runs again (the execution id makes it idempotent)
        except exc.MistralError as e:
            # the workflow or its input went bad: skip this run, keep the schedule
            LOG.warning("Cron trigger %s could not start its workflow: %s", values["name"], e)
        self._advance(values, due)

    def _advance(self, values: dict, due: datetime.datetime) -> None:
        nxt = next_time(values.get("pattern"), due, self._clock())
        remaining = values.get("remaining_executions")
        with self._db.transaction(owner_context(values.get("auth_context"),
                                                values["project_id"])) as tx:
            if nxt is None or remaining == 1:
                gone = tx.cron_triggers.delete_where(id=values["id"], next_execution_time=due)
                if gone and values.get("trust_id") and self._trusts is not None:
                    trusts, trust_id = self._trusts, values["trust_id"]
                    tx.after_commit(lambda: _release(trusts, trust_id, values["id"]))
                return
            changes: dict[str, Any] = {"next_execution_time": nxt}
            if remaining is not None:
                changes["remaining_executions"] = remaining - 1
            tx.cron_triggers.update_where(changes, id=values["id"], next_execution_time=due)
