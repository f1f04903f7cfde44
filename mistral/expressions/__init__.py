"""YAQL and Jinja expressions with Mistral's functions; pure, no I/O.

Public API::

    evaluate(expression, data, env=None, settings=None) -> Any
    evaluate_recursively(value, data, env=None, settings=None) -> Any
    validate(expression, settings=None) -> None          # raises ExpressionError
    is_expression(value) -> bool
    find_expressions(value) -> Iterator[Found]           # Found(kind, source, text, path)
    FunctionEnv (Protocol), StaticFunctionEnv, ExpressionSettings
    PreparedData(data).overlay(extra)                    # convert large data once

Data context: ``$`` in YAQL, ``_`` in Jinja. Functions: ``task(name=None)``, ``tasks(...)``,
``execution()``, ``executions(...)``, ``env()``, ``global(name)``, ``json_pp``, ``json_dump``,
``json_parse``, ``yaml_dump``, ``yaml_parse``, ``uuid``.
"""

from __future__ import annotations

from mistral.expressions.api import (
    PreparedData,
    evaluate,
    evaluate_recursively,
    validate,
    validate_found,
)
from mistral.expressions.env import NULL_ENV, FunctionEnv, StaticFunctionEnv, select_tasks
from mistral.expressions.scanner import Found, find_expressions, is_expression
from mistral.expressions.settings import DEFAULT_SETTINGS, ExpressionSettings

__all__ = [
    "DEFAULT_SETTINGS",
    "ExpressionSettings",
    "Found",
    "FunctionEnv",
    "NULL_ENV",
    "PreparedData",
    "StaticFunctionEnv",
    "select_tasks",
    "evaluate",
    "evaluate_recursively",
    "find_expressions",
    "is_expression",
    "validate",
    "validate_found",
]
