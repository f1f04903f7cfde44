"""Mistral DSL v2: YAML/JSON definitions → validated, frozen spec objects. Pure, no I/O.

Public API::

    parse_workflows(text) -> WorkflowListSpec      # .workflows: tuple[WorkflowSpec]
    parse_workflow(text) -> WorkflowSpec           # exactly one workflow
    parse_workbook(text) -> WorkbookSpec
    parse_actions(text) -> tuple[ActionSpec, ...]
    spec.to_dict() / workflow_from_dict(d), action_from_dict(d), workbook_from_dict(d)
    cache.get_workflow_spec(definition_id, checksum, loader)

Every parse raises ``DSLError`` (``errors``: every ``DSLProblem`` with path and line) or
``SizeLimitExceededError``; limits ``max_depth`` (64) and ``max_bytes`` (1 MiB) are
keyword arguments.
"""

from __future__ import annotations

from mistral.lang.compiler import action_from_dict, workbook_from_dict, workflow_from_dict
from mistral.lang.parser import parse_actions, parse_workbook, parse_workflow, parse_workflows
from mistral.lang.specs import (
    DIRECT,
    ENGINE_COMMANDS,
    REVERSE,
    ActionSpec,
    InputParam,
    PublishSpec,
    RetrySpec,
    RevertSpec,
    TaskDefaultsSpec,
    TaskSpec,
    Transition,
    WithItem,
    WorkbookSpec,
    WorkflowGraph,
    WorkflowListSpec,
    WorkflowSpec,
)
from mistral.lang.util import freeze, thaw

__all__ = [
    "DIRECT", "ENGINE_COMMANDS", "REVERSE", "ActionSpec", "InputParam", "PublishSpec",
    "RetrySpec", "RevertSpec", "TaskDefaultsSpec", "TaskSpec", "Transition", "WithItem", "WorkbookSpec",
    "WorkflowGraph", "WorkflowListSpec", "WorkflowSpec", "action_from_dict", "freeze",
    "parse_actions",
    "parse_workbook", "parse_workflow", "parse_workflows", "thaw", "workbook_from_dict",
    "workflow_from_dict",
]
