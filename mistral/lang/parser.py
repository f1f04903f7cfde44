"""Public parsing: text → validated, frozen specs (or one ``DSLError`` with every problem)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from mistral.exceptions import DSLError, DSLProblem
from mistral.lang import compiler, validator
from mistral.lang import schema as sc
from mistral.lang.errors import Problems, type_name
from mistral.lang.loader import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, load
from mistral.lang.specs import ActionSpec, WorkbookSpec, WorkflowListSpec, WorkflowSpec

_VERSIONS = ("2.0", "2", 2.0)


def load_document(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH,
                  max_bytes: int = DEFAULT_MAX_BYTES,
                  allowed_languages: Collection[str] | None = None) -> tuple[Any, Problems]:
    """Load and check the envelope (a mapping with ``version: '2.0'``). An expression in
    a language outside ``allowed_languages`` (None: any) is a problem at its path."""
    root = load(text, max_depth=max_depth, max_bytes=max_bytes)
    problems = Problems(root, None if allowed_languages is None else frozenset(allowed_languages))
    if not isinstance(root, dict):
        what = "empty" if root is None else type_name(root)
        raise DSLError(errors=[DSLProblem("", f"the definition must be a mapping, not {what}", 1)])
    if "version" not in root:
        problems.add((), "missing required key 'version' (use version: '2.0')")
    elif isinstance(root["version"], bool) or root["version"] not in _VERSIONS:
        problems.add(("version",), f"unsupported version {root['version']!r} (use '2.0')")
    validator.check_duplicates(problems, root)
    return root, problems


def _entries(root: dict) -> list[tuple[Any, Any]]:
    return [(k, v) for k, v in root.items() if k != "version"]


def parse_workflows(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH,
                    max_bytes: int = DEFAULT_MAX_BYTES,
                    allowed_languages: Collection[str] | None = None) -> WorkflowListSpec:
    """A workflow definition document: ``version`` plus one or more ``name: {workflow}``."""
    root, problems = load_document(text, max_depth, max_bytes, allowed_languages)
    entries = _entries(root)
    if not entries:
        problems.add((), "the document defines no workflow")
    for name, body in entries:
        validator.check_workflow(problems, name, body, (name,))
    problems.raise_if_any()
    return WorkflowListSpec(tuple(compiler.build_workflow(n, b) for n, b in entries))


def parse_workflow(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH,
                   max_bytes: int = DEFAULT_MAX_BYTES,
                   allowed_languages: Collection[str] | None = None) -> WorkflowSpec:
    """A document that must define exactly one workflow."""
    specs = parse_workflows(text, max_depth, max_bytes, allowed_languages).workflows
    if len(specs) != 1:
        raise DSLError(errors=[DSLProblem("", f"expected one workflow, found {len(specs)}")])
    return specs[0]


def parse_actions(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH,
                  max_bytes: int = DEFAULT_MAX_BYTES,
                  allowed_languages: Collection[str] | None = None) -> tuple[ActionSpec, ...]:
    """An ad-hoc action document: ``version`` plus one or more ``name: {action}``."""
    root, problems = load_document(text, max_depth, max_bytes, allowed_languages)
    entries = _entries(root)
    if not entries:
        problems.add((), "the document defines no action")
    for name, body in entries:
        validator.check_action(problems, name, body, (name,))
    problems.raise_if_any()
    return tuple(compiler.build_action(n, b) for n, b in entries)


def parse_workbook(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH,
                   max_bytes: int = DEFAULT_MAX_BYTES,
                   allowed_languages: Collection[str] | None = None) -> WorkbookSpec:
    """A workbook: ``version``, ``name``, ``description``, ``tags``, ``workflows``, ``actions``."""
    root, problems = load_document(text, max_depth, max_bytes, allowed_languages)
    problems.check(sc.WORKBOOK_VALIDATOR, root, ())
    workflows = root.get("workflows") if isinstance(root.get("workflows"), dict) else {}
    actions = root.get("actions") if isinstance(root.get("actions"), dict) else {}
    for name, body in workflows.items():
        validator.check_workflow(problems, name, body, ("workflows", name))
    for name, body in actions.items():
        validator.check_action(problems, name, body, ("actions", name))
    problems.raise_if_any()
    return compiler.build_workbook(root)
