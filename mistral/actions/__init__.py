"""Python actions: the base class, the std.* actions and the registry."""

from __future__ import annotations

from mistral.actions.base import Action, ActionContext, ActionSettings, input_signature, validate_input
from mistral.actions.registry import ActionDescriptor, ActionRegistry

__all__ = [
    "Action",
    "ActionContext",
    "ActionDescriptor",
    "ActionRegistry",
    "ActionSettings",
    "input_signature",
    "validate_input",
]
