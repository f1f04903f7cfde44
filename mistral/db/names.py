"""Finding a definition by what a user or a workflow calls it: Mistral 23's rules, once.

Two rules, as Mistral has them, used by the API and the engine alike:

* ``workflow_by_identifier`` (``POST /v2/executions``, cron and event triggers, members,
  ``GET /v2/workflows/<identifier>``, ``DefaultEngine.start_workflow``): a workflow's id, or
  its name in exactly the given namespace (no fallback). Mistral's
  ``get_workflow_definition``.
* ``workflow_for_task`` / ``action_for_task`` (a task's ``workflow:`` or ``action:``): inside
  a workbook the short name is tried as ``<workbook>.<name>`` first; each name is looked for
  in the execution's namespace, then in the default namespace (the given namespace wins).
  Mistral's ``resolve_workflow_definition`` / ``load_workflow_definition``.

Visibility (own, public, shared rows) is the transaction's, as for every query.
"""

from __future__ import annotations

import re
from typing import Any

from mistral import exceptions as exc

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def is_uuid(value: str | None) -> bool:
    return bool(UUID_RE.match(value or ""))


def workflow_by_identifier(tx: Any, identifier: str, namespace: str = "",
                           fields: tuple[str, ...] | None = None) -> Any:
    """The workflow with this id, or with this name in exactly ``namespace``."""
    repo = tx.workflow_definitions
    row = repo.find(fields=fields, id=identifier) if is_uuid(identifier) else None
    if row is None:
        row = repo.find(fields=fields, name=identifier, namespace=namespace or "")
    if row is None:
        raise exc.NotFoundError(
            f"Workflow not found [workflow_identifier={identifier}, namespace={namespace or ''}]"
        )
    return row


def _candidates(name: str, namespace: str, workbook: str | None) -> list[tuple[str, str]]:
    names = [name]
    if workbook and not name.startswith(workbook + "."):
        names.insert(0, f"{workbook}.{name}")
    spaces = [namespace] + ([""] if namespace else [])
    return [(n, ns) for n in names for ns in spaces]


def workflow_for_task(tx: Any, name: str, namespace: str = "",
                      workbook: str | None = None) -> Any:
    """The workflow a task's ``workflow: <name>`` starts (see the module's rules)."""
    repo = tx.workflow_definitions
    for n, ns in _candidates(name, namespace, workbook):
        row = repo.find(name=n, namespace=ns)
        if row is not None:
            return row
    where = f" in namespace '{namespace}'" if namespace else ""
    raise exc.NotFoundError(f"Workflow not found [name={name}]{where}")


def action_for_task(tx: Any, name: str, namespace: str = "",
                    workbook: str | None = None) -> Any | None:
    """The ad-hoc action row a task's ``action: <name>`` runs, or None (a Python action)."""
    repo = tx.action_definitions
    for n, ns in _candidates(name, namespace, workbook):
        row = repo.find(name=n, namespace=ns)
        if row is not None:
            return row
    return None
