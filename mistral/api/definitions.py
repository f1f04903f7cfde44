"""Storing definitions: YAML text → ``mistral.lang`` specs → rows, in one transaction.

A document is validated completely before anything is written, and every write of one
request happens in the caller's transaction, so a bad document never leaves a partial
row. Workbooks also store their workflows and actions as ``<workbook>.<name>`` rows,
as Mistral 23 does: created or updated with the workbook, left in place when it is deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from mistral import exceptions as exc
from mistral import lang
from mistral.db import names
from mistral.db.types import utcnow
from mistral.db.filters import Filter
from mistral.workflow import states

RUNNING_STATES = (states.RUNNING, states.PAUSED, states.IDLE)
SCOPES = ("private", "public")


is_uuid = names.is_uuid


def check_scope(scope: str | None) -> str:
    scope = scope or "private"
    if scope not in SCOPES:
        raise exc.ValidationError(f"Invalid scope '{scope}': expected private or public.")
    return scope


def check_size(text: str, limit_kb: int) -> None:
    if len(text.encode("utf-8")) > limit_kb * 1024:
        raise exc.SizeLimitExceededError(
            f"The definition is larger than the limit of {limit_kb} KiB."
        )


@dataclass(frozen=True)
class Limits:
    """How big and how deep a definition may be (``max_definition_size_kb/_depth``) and
    which expression languages it may use (``[expressions] allowed_languages``; None: any)."""

    max_kb: int = 1024
    max_depth: int = 64
    allowed_languages: tuple[str, ...] | None = None

    @classmethod
    def of(cls, settings: Any) -> "Limits":
        return cls(settings.max_definition_size_kb, settings.max_definition_depth,
                   getattr(settings, "allowed_languages", None))


PARSERS: dict[str, Callable[..., Any]] = {
    "workflows": lang.parse_workflows,
    "actions": lang.parse_actions,
    "workbook": lang.parse_workbook,
}


def parse(kind: str, text: str, limits: Limits) -> Any:
    """Validate a definition of ``kind`` within ``limits``; raises DSLError / size errors."""
    check_size(text, limits.max_kb)
    return PARSERS[kind](text, max_depth=limits.max_depth, max_bytes=limits.max_kb * 1024,
                         allowed_languages=limits.allowed_languages)


def checksum(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _section_text(name: str, spec_dict: Any, whole: str, single: bool) -> str:
    """The definition text stored for one workflow/action: the document itself when it
    holds only that one, else the spec's own mapping under a version header."""
    if single:
        return whole
    body = {k: v for k, v in (spec_dict or {}).items() if k != "name"}
    return yaml.safe_dump({"version": "2.0", name: body}, sort_keys=False,
                          default_flow_style=False)


def _workbook_section(whole: str, section: str, name: str) -> str | None:
    """The text of one workflow or action of a workbook as it was written (its name line
    and the lines indented below it, dedented), as Mistral 23 stores it; None when the
    text is not laid out that way (a JSON or flow-style workbook)."""
    lines = whole.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == section + ":")
    except StopIteration:
        return None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if stripped and not line[0].isspace():
            return None  # the section ended before the item
        if stripped == name + ":":
            indent = len(line) - len(line.lstrip())
            break
    else:
        return None
    out = [lines[i].lstrip()]
    for line in lines[i + 1:]:
        stripped = line.strip()
        depth = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#") and depth <= indent:
            break
        out.append(line[min(indent, depth):] if stripped else line)
    return "".join(out)


def _spec_dict(spec: Any) -> Any:
    to_dict = getattr(spec, "to_dict", None)
    return to_dict() if callable(to_dict) else None


def _tags(spec: Any) -> list[str]:
    return list(getattr(spec, "tags", None) or [])


def input_string(params: Any, workflow: bool = False) -> str:
    """Mistral's flat input description. An action's defaults are JSON (``b=1, c="x"``);
    a workflow's are Python's text in quotes, as Mistral 23 writes them (``b="1"``,
    ``c="None"``)."""

    def default(name: Any, value: Any) -> str:
        return f'{name}="{value}"' if workflow else f"{name}={json.dumps(value)}"

    parts: list[str] = []
    for p in params or ():
        name = getattr(p, "name", None)
        if name is not None:
            if getattr(p, "has_default", False):
                # a mapping or list default is frozen in the spec: thawed first
                parts.append(default(name, lang.thaw(getattr(p, "default", None))))
            else:
                parts.append(str(name))
        elif isinstance(p, dict):
            for k, v in p.items():
                parts.append(default(k, v))
        else:
            parts.append(str(p))
    return ", ".join(parts)


# -- workflows ------------------------------------------------------------------


def _workflow_values(spec: Any, text: str, single: bool, namespace: str,
                     scope: str, workbook: str | None = None, prefix: str = "") -> dict:
    """The row of one definition (a workflow; actions add their own columns)."""
    spec_dict = _spec_dict(spec)
    definition = _section_text(spec.name, spec_dict, text, single)
    return {
        "name": prefix + spec.name,
        "namespace": namespace,
        "definition": definition,
        "spec": spec_dict,
        "checksum": checksum(definition),
        "tags": _tags(spec),
        "scope": scope,
        "workbook_name": workbook,
    }


def save_workflows(tx: Any, text: str, namespace: str, scope: str, update: bool,
                   limits: Limits, identifier: str | None = None) -> list[Any]:
    """Create (or update) every workflow of a document; all or nothing."""
    specs = parse("workflows", text, limits).workflows
    single = len(specs) == 1
    if identifier is not None and not single:
        raise exc.InputError(
            "To update a workflow by its id the definition must hold exactly one workflow, "
            f"not {len(specs)}."
        )
    rows = []
    for spec in specs:
        values = _workflow_values(spec, text, single, namespace, scope)
        repo = tx.workflow_definitions
        if not update:
            rows.append(repo.create(values))
            continue
        if identifier is not None:
            existing = find_workflow(tx, identifier, namespace)
        else:
            existing = repo.find(name=values["name"], namespace=namespace)
            if existing is None:
                raise exc.NotFoundError(
                    f"Workflow not found [name={values['name']}, namespace={namespace}]"
                )
        rows.append(repo.update(existing.id, _touched(existing, values)))
    return rows


def find_workflow(tx: Any, identifier: str, namespace: str = "") -> Any:
    """By id, or by name in exactly ``namespace`` (``mistral.db.names``, Mistral's rule)."""
    return names.workflow_by_identifier(tx, identifier, namespace)


def check_workflow_unused(tx: Any, row: Any) -> None:
    triggers = tx.cron_triggers.list(filters={"workflow_id": row.id}, limit=5, fields=("name",))
    if triggers:
        names = ", ".join(t.name for t in triggers)
        raise exc.InUseError(
            f"Cannot delete workflow {row.name} [id={row.id}]: it is used by cron "
            f"trigger(s) {names}."
        )
    running = tx.workflow_executions.count(
        workflow_id=row.id, state=Filter("in", list(RUNNING_STATES))
    )
    if running:
        raise exc.InUseError(
            f"Cannot delete workflow {row.name} [id={row.id}]: {running} execution(s) of it "
            "are still running; stop them first."
        )
    if tx.event_triggers.count(workflow_id=row.id):
        raise exc.InUseError(
            f"Cannot delete workflow {row.name} [id={row.id}]: it is used by event triggers."
        )


def delete_workflow(tx: Any, identifier: str, namespace: str = "") -> None:
    row = find_workflow(tx, identifier, namespace)  # a workbook's too, as Mistral 23
    check_workflow_unused(tx, row)
    # the row first: only its owner may (a member's delete is a ForbiddenError, before
    # anything of the sharing is touched)
    tx.workflow_definitions.delete(row.id)
    tx.resource_members.delete_where(resource_id=row.id, resource_type="workflow")


# -- actions --------------------------------------------------------------------


def _action_values(spec: Any, text: str, single: bool, namespace: str,
                   scope: str, workbook: str | None = None, prefix: str = "") -> dict:
    values = _workflow_values(spec, text, single, namespace, scope, workbook, prefix)
    values.update({
        # As Mistral 23: null, not "", when the definition has none.
        "description": getattr(spec, "description", None) or None,
        "input": input_string(getattr(spec, "input", ())) or None,
        "is_system": False,
    })
    return values


def system_action_names(system_actions: Iterable[Any]) -> set[str]:
    return {_attr(a, "name") for a in system_actions}


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _touched(existing: Any, values: dict) -> dict:
    """As Mistral 23: an update changes a row's updated_at when it changes the row (a
    workflow of a multi-workflow upload left as it was keeps its own, null if never
    updated; the actions of one upload share its text, so a change of it touches all)."""
    if all(getattr(existing, k, None) == v for k, v in values.items()):
        return values
    return {**values, "updated_at": utcnow()}


def save_actions(tx: Any, text: str, namespace: str, scope: str, update: bool,
                 system_names: set[str], limits: Limits,
                 identifier: str | None = None) -> list[Any]:
    specs = parse("actions", text, limits)
    single = len(specs) == 1
    if identifier is not None and not single:
        raise exc.InputError(
            "To update an action by its id the definition must hold exactly one action."
        )
    rows = []
    for spec in specs:
        if spec.name in system_names:
            if update:  # as Mistral 23: there is no ad-hoc action of that name to update
                raise exc.NotFoundError(f"Action not found [name={spec.name}, namespace={namespace}]: "
                                        "system actions cannot be changed")
            raise exc.NotAllowedError(f"Cannot create or modify the system action {spec.name}.")
        # As Mistral 23: each action of an upload keeps the whole text as its definition.
        values = _action_values(spec, text, True, namespace, scope)
        repo = tx.action_definitions
        if not update:
            rows.append(repo.create(values))
            continue
        if identifier is not None:
            existing = repo.get(identifier) if is_uuid(identifier) else None
        else:
            existing = repo.find(name=spec.name, namespace=namespace)
        if existing is None:
            raise exc.NotFoundError(f"Action not found [name={spec.name}, namespace={namespace}]")
        rows.append(repo.update(existing.id, _touched(existing, values)))
    return rows


def find_action(tx: Any, identifier: str, namespace: str = "") -> Any:
    repo = tx.action_definitions
    if is_uuid(identifier):
        return repo.get(identifier)
    row = repo.find(name=identifier, namespace=namespace or "")
    if row is None:
        raise exc.NotFoundError(f"Action not found [name={identifier}, namespace={namespace}]")
    return row


# -- workbooks ------------------------------------------------------------------


def save_workbook(tx: Any, text: str, namespace: str, scope: str, update: bool,
                  limits: Limits) -> Any:
    spec = parse("workbook", text, limits)
    values = {
        "name": spec.name,
        "namespace": namespace,
        "definition": text,
        "spec": _spec_dict(spec),
        "checksum": checksum(text),
        "tags": _tags(spec),
        "scope": scope,
    }
    repo = tx.workbooks
    if update:
        existing = repo.find(name=spec.name, namespace=namespace)
        if existing is None:
            raise exc.NotFoundError(f"Workbook not found [name={spec.name}, namespace={namespace}]")
        row = repo.update(existing.id, _touched(existing, values))
    else:
        row = repo.create(values)
    save_workbook_children(tx, spec, text, namespace, scope)
    return row


def _children(spec: Any, key: str) -> Sequence[Any]:
    value = getattr(spec, key, None) or ()
    if isinstance(value, dict):
        return list(value.values())
    return list(value)


def save_workbook_children(tx: Any, spec: Any, text: str, namespace: str, scope: str) -> None:
    """Create or update a workbook's ``<workbook>.<name>`` workflows and actions."""
    prefix = spec.name + "."
    for wf in _children(spec, "workflows"):
        values = _workflow_values(wf, text, False, namespace, scope, spec.name, prefix)
        _written_as_in(values, text, "workflows", wf.name)
        existing = tx.workflow_definitions.find(name=values["name"], namespace=namespace)
        if existing is not None:
            tx.workflow_definitions.update(existing.id, values)
        else:
            tx.workflow_definitions.create(values)
    for action in _children(spec, "actions"):
        values = _action_values(action, text, False, namespace, scope, spec.name, prefix)
        _written_as_in(values, text, "actions", action.name)
        values["input"] = values["input"] or ""  # as Mistral 23 (a standalone one has null)
        existing = tx.action_definitions.find(name=values["name"], namespace=namespace)
        if existing is not None:
            tx.action_definitions.update(existing.id, values)
        else:
            tx.action_definitions.create(values)


def _written_as_in(values: dict, text: str, section: str, name: str) -> None:
    """As Mistral 23: a workbook's workflow or action keeps its own lines of the text. Its
    checksum (null on Mistral 23) stays: it keys the parsed-spec cache."""
    cut = _workbook_section(text, section, name)
    if cut is not None:
        values["definition"] = cut
        values["checksum"] = checksum(cut)


def delete_workbook(tx: Any, name: str, namespace: str = "") -> None:
    """As Mistral 23: only the workbook goes; the ``<workbook>.<name>`` workflows and
    actions it made stay (a later create or update of the workbook takes them over)."""
    row = tx.workbooks.find(name=name, namespace=namespace or "")
    if row is None:
        raise exc.NotFoundError(f"Workbook not found [name={name}, namespace={namespace}]")
    tx.workbooks.delete(row.id)
