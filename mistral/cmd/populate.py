"""``mistral-db-manage populate``: install the system workflows.

The workflows shipped in ``mistral/resources/workflows/*.yaml`` (``create_instance`` /
``delete_instance`` on the nova actions) and those of the files that plugins list under
the ``mistral.preinstalled_workflows`` entry point (Mistral's group: a callable returning
file paths) are stored as public system workflows (``is_system``, scope ``public``,
namespace ''), in one transaction: all or nothing. Running it again changes only what
changed: a workflow whose text is the same is left as it is, a changed one is updated in
place (executions keep referring to it), one no longer shipped is deleted unless
executions still use it (then it stays, with a warning).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mistral import exceptions as exc

LOG = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "workflows"
ENTRY_POINT = "mistral.preinstalled_workflows"


def shipped_files() -> list[Path]:
    """Our workflow files, then the plugins' (in entry point order)."""
    files = sorted(RESOURCES.glob("*.yaml"))
    from stevedore import ExtensionManager

    def failed(_manager: Any, entry_point: Any, error: BaseException) -> None:
        LOG.error("Cannot load preinstalled workflows %s: %s", getattr(entry_point, "name", entry_point), error)

    for ext in ExtensionManager(ENTRY_POINT, invoke_on_load=False, on_load_failure_callback=failed):
        try:
            paths: Iterable[Any] = ext.plugin() if callable(ext.plugin) else ext.plugin
            files.extend(Path(str(p)) for p in paths)
        except Exception as e:  # noqa: BLE001 - one broken plugin must not stop the others
            LOG.error("Preinstalled workflows %s failed: %s", ext.name, e)
    return files


def populate(db: Any, files: Iterable[Path] | None = None) -> dict[str, list[str]]:
    """Install (or bring up to date) the system workflows; returns the names per outcome
    (``created``, ``updated``, ``unchanged``, ``deleted``, ``kept``)."""
    from mistral.api import definitions

    done: dict[str, list[str]] = {k: [] for k in ("created", "updated", "unchanged", "deleted", "kept")}
    limits = definitions.Limits()
    with db.transaction(None) as tx:
        wanted: set[str] = set()
        for path in files if files is not None else shipped_files():
            text = Path(path).read_text(encoding="utf-8")
            try:
                specs = definitions.parse("workflows", text, limits).workflows
            except exc.MistralError as e:
                raise exc.ValidationError(f"System workflow file {path}: {e}") from None
            single = len(specs) == 1
            for spec in specs:
                values = definitions._workflow_values(spec, text, single, "", "public")
                values["is_system"] = True
                wanted.add(spec.name)
                row = tx.workflow_definitions.find(name=spec.name, namespace="", is_system=True)
                if row is None:
                    tx.workflow_definitions.create(values)
                    done["created"].append(spec.name)
                elif row.checksum != values["checksum"]:
                    tx.workflow_definitions.update(row.id, values)
                    done["updated"].append(spec.name)
                else:
                    done["unchanged"].append(spec.name)
        for row in tx.workflow_definitions.list(filters={"is_system": True, "namespace": ""}):
            if row.name in wanted:
                continue
            if tx.workflow_executions.count(workflow_id=row.id):
                LOG.warning("System workflow %s is no longer shipped but executions use it: kept", row.name)
                done["kept"].append(row.name)
                continue
            tx.workflow_definitions.delete(row.id)
            done["deleted"].append(row.name)
    return done
