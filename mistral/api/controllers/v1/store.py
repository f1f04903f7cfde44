"""Storing 2014 (v1) workbooks: the v1 row, and the v2 definitions and cron triggers it
converts to (``mistral.lang.v1``), all in the caller's transaction and project.

A v1 workbook ``wb`` becomes, in the namespace ``v1``: the workflow ``wb.Workflow`` (a
reverse workflow), the ad-hoc actions ``wb.<Service>.<action>`` and one cron trigger
``wb.<event>`` per periodic event. Uploading a new definition replaces them all; deleting
the workbook (or renaming it) removes them, refused while an execution still runs.
"""

from __future__ import annotations

import datetime
from typing import Any

import croniter

from mistral import exceptions as exc
from mistral.api import definitions
from mistral.lang import v1 as lang_v1

NAMESPACE = "v1"
# (trust_id, trigger_id) of deleted triggers
Released = list[tuple[Any, str]]


def workflow_name(workbook: str) -> str:
    return f"{workbook}.{lang_v1.WORKFLOW}"


def find(tx: Any, name: str) -> Any:
    row = tx.workbooks_v1.find(name=name)
    if row is None:
        raise exc.NotFoundError(f"Workbook not found [name={name}]")
    return row


def spec_of(row: Any) -> lang_v1.V1Workbook:
    if not row.spec:
        raise exc.InputError(f"Workbook '{row.name}' has no definition yet: upload one with "
                             f"PUT /v1/workbooks/{row.name}/definition")
    return lang_v1.V1Workbook.from_dict(row.spec)


def convert(text: str, name: str, limits: definitions.Limits) -> lang_v1.V1Workbook:
    definitions.check_size(text, limits.max_kb)
    return lang_v1.convert(text, name, max_depth=limits.max_depth,
                           max_bytes=limits.max_kb * 1024,
                           allowed_languages=limits.allowed_languages)


def save_definition(tx: Any, row: Any, text: str, wb: lang_v1.V1Workbook,
                    creators: list[dict[str, Any]]) -> Released:
    """Store the definition and replace what the workbook converted to; what the old
    triggers leave to release (after commit: ``mistral.api.triggers.release_all``)."""
    released = remove_converted(tx, row, keep=wb)
    values = {"definition": text, "spec": wb.to_dict(),
              "checksum": definitions.checksum(text)}
    row = tx.workbooks_v1.update(row.id, values)
    store_converted(tx, row, wb, creators)
    return released


def store_converted(tx: Any, row: Any, wb: lang_v1.V1Workbook,
                    creators: list[dict[str, Any]]) -> None:
    """``creators``: what each event's trigger keeps of its creator, one each (its own
    trust, ``mistral.api.triggers.creators``), in the order of ``wb.events``."""
    if len(creators) != len(wb.events):
        raise exc.NotAllowedError(f"Workbook '{row.name}' changed meanwhile; try again.")
    definitions.save_workbook_children(tx, wb.workbook, "", NAMESPACE, row.scope)
    wf = tx.workflow_definitions.find(name=workflow_name(row.name), namespace=NAMESPACE)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for event, creator in zip(wb.events, creators):
        if not croniter.croniter.is_valid(event.pattern):
            raise exc.InputError(f"Workflow.events.{event.name}.parameters.cron-pattern: "
                                 f"'{event.pattern}' is not a valid cron pattern")
        tx.cron_triggers.create({
            "name": f"{row.name}.{event.name}", "pattern": event.pattern,
            "workflow_name": wf.name, "workflow_id": wf.id,
            "workflow_input": {}, "workflow_params": {"task_name": event.task},
            "next_execution_time": croniter.croniter(event.pattern, now).get_next(
                datetime.datetime),
            "scope": row.scope,
            # it fires as its creator, as a v2 trigger: through its trust with auth on
            **creator,
        })


def remove_converted(tx: Any, row: Any, keep: lang_v1.V1Workbook | None = None) -> Released:
    """Delete the definitions and triggers ``row``'s current spec made (those ``keep``
    makes again under the same names are updated in place instead, by ``store_converted``);
    the (trust, trigger) of each deleted trigger, to release after commit."""
    if not row.spec:
        return []
    old = lang_v1.V1Workbook.from_dict(row.spec)
    released: Released = []
    for event in old.events:
        name = f"{row.name}.{event.name}"
        released += [(t.trust_id, t.id) for t in tx.cron_triggers.list(
            filters={"name": name}, fields=("id", "trust_id"))]
        tx.cron_triggers.delete_where(name=name)
    kept = set() if keep is None or keep.name != row.name else {
        f"{row.name}.{w.name}" for w in keep.workbook.workflows}
    for wf in old.workbook.workflows:
        name = f"{row.name}.{wf.name}"
        found = tx.workflow_definitions.find(name=name, namespace=NAMESPACE)
        if found is not None and name not in kept:
            definitions.check_workflow_unused(tx, found)
            tx.workflow_definitions.delete(found.id)
    kept_actions = set() if keep is None or keep.name != row.name else {
        f"{row.name}.{a.name}" for a in keep.workbook.actions}
    for action in old.workbook.actions:
        name = f"{row.name}.{action.name}"
        if name not in kept_actions:
            tx.action_definitions.delete_where(name=name, namespace=NAMESPACE)
    return released
