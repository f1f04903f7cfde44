"""JSON-schema fragments of DSL v2, one per construct, and their compiled validators.

Schemas check shape and types only; meaning (references, cycles, which keys a workflow
type allows) is checked in ``validator.py``. Validators are compiled once at import.
"""

from __future__ import annotations

from typing import Any, Iterator

import fastjsonschema
import jsonschema

# Mistral reads the version as a number: '2.0', '2', 2.0 and 2 all mean v2.
VERSION = {"enum": ["2.0", "2", 2.0]}
EXPRESSION = {"type": "string", "pattern": r"^\s*(<%[\s\S]*%>|{{[\s\S]*}}|{%[\s\S]*%}[\s\S]*)\s*$"}
NONEMPTY_STRING = {"type": "string", "minLength": 1}
NAME = {"type": "string", "minLength": 1, "maxLength": 255}
STRING_LIST = {"type": "array", "items": NONEMPTY_STRING, "uniqueItems": True}
TAGS = STRING_LIST
ANY_DICT = {"type": "object"}
NON_NEGATIVE_INT_OR_EXPR = {"anyOf": [{"type": "integer", "minimum": 0}, EXPRESSION]}
POSITIVE_INT_OR_EXPR = {"anyOf": [{"type": "integer", "minimum": 1}, EXPRESSION]}
BOOL_OR_EXPR = {"anyOf": [{"type": "boolean"}, EXPRESSION]}
DICT_OR_EXPR = {"anyOf": [ANY_DICT, EXPRESSION]}

# ``input`` of workflows and ad-hoc actions: names, or one-key maps name → default.
INPUT_ITEM = {
    "anyOf": [
        NONEMPTY_STRING,
        {"type": "object", "minProperties": 1, "maxProperties": 1},
    ]
}
INPUT_LIST = {"type": "array", "items": INPUT_ITEM}
JOIN = {"anyOf": [{"enum": ["all", "one"]}, {"type": "integer", "minimum": 1}]}
WITH_ITEMS = {"anyOf": [NONEMPTY_STRING, {"type": "array", "items": NONEMPTY_STRING,
                                          "minItems": 1}]}
REQUIRES = {"anyOf": [NONEMPTY_STRING, STRING_LIST]}

# Ours (not Mistral's): how retry delays grow, their cap, and how much of each delay is
# drawn at random (0: none, 1: anywhere between 0 and the delay; true means 1).
BACKOFF = {"enum": ["constant", "exponential"]}
JITTER = {"anyOf": [{"type": "boolean"}, {"type": "number", "minimum": 0, "maximum": 1},
                    EXPRESSION]}

RETRY = {
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "count": NON_NEGATIVE_INT_OR_EXPR,
                "delay": NON_NEGATIVE_INT_OR_EXPR,
                "break-on": {"type": "string"},
                "continue-on": {"type": "string"},
                "backoff": BACKOFF,
                "max-delay": NON_NEGATIVE_INT_OR_EXPR,
                "jitter": JITTER,
            },
            "required": ["count"],
            "additionalProperties": False,
        },
        NONEMPTY_STRING,  # inline: "count=3 delay=1"
    ]
}

# One item of an on-* list: "t2", "fail msg='x'", or {t2: <% condition %>}.
ON_CLAUSE_ITEM = {
    "anyOf": [
        NONEMPTY_STRING,
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": {"type": ["string", "boolean", "null"]},
        },
    ]
}
ON_CLAUSE_LIST = {"anyOf": [NONEMPTY_STRING, {"type": "array", "items": ON_CLAUSE_ITEM}]}
PUBLISH_SCOPES = {
    "type": "object",
    "properties": {"branch": ANY_DICT, "global": ANY_DICT, "atomic": ANY_DICT},
    "additionalProperties": False,
}
ON_CLAUSE = {
    "anyOf": [
        ON_CLAUSE_LIST,
        {
            "type": "object",
            "properties": {"publish": PUBLISH_SCOPES, "next": ON_CLAUSE_LIST},
            "additionalProperties": False,
        },
    ]
}

POLICIES = {
    "retry": RETRY,
    "wait-before": NON_NEGATIVE_INT_OR_EXPR,
    "wait-after": NON_NEGATIVE_INT_OR_EXPR,
    "timeout": NON_NEGATIVE_INT_OR_EXPR,
    "pause-before": BOOL_OR_EXPR,
    "concurrency": POSITIVE_INT_OR_EXPR,
    "safe-rerun": BOOL_OR_EXPR,
    "fail-on": {"type": "string"},
}

TRANSITION_KEYS = ("on-success", "on-error", "on-complete", "on-skip")

# Ours: what undoes a task (an action written like ``action:``, or a mapping naming an
# action or a workflow with its input and, optionally, a retry of its own).
REVERT = {
    "anyOf": [
        NONEMPTY_STRING,
        {
            "type": "object",
            "properties": {
                "action": NONEMPTY_STRING,
                "workflow": NONEMPTY_STRING,
                "input": DICT_OR_EXPR,
                "retry": RETRY,
            },
            "additionalProperties": False,
        },
    ]
}

TASK = {
    "type": "object",
    "properties": {
        "name": NAME,
        "description": {"type": "string"},
        "tags": TAGS,
        "action": NONEMPTY_STRING,
        "workflow": NONEMPTY_STRING,
        "input": DICT_OR_EXPR,
        "publish": DICT_OR_EXPR,
        "publish-on-error": DICT_OR_EXPR,
        "publish-on-skip": DICT_OR_EXPR,
        **{key: ON_CLAUSE for key in TRANSITION_KEYS},
        "join": JOIN,
        "with-items": WITH_ITEMS,
        "keep-result": BOOL_OR_EXPR,
        "target": NONEMPTY_STRING,
        "requires": REQUIRES,
        "revert": REVERT,
        **POLICIES,
    },
    "additionalProperties": False,
}

TASK_DEFAULTS = {
    "type": "object",
    "properties": {
        **{key: ON_CLAUSE for key in TRANSITION_KEYS},
        "requires": REQUIRES,
        **POLICIES,
    },
    "additionalProperties": False,
}

WORKFLOW = {
    "type": "object",
    "properties": {
        "version": VERSION,
        "name": NAME,
        "type": {"enum": ["direct", "reverse"]},
        "description": {"type": "string"},
        "tags": TAGS,
        "input": INPUT_LIST,
        "output": {},
        "output-on-error": {},
        "vars": ANY_DICT,
        # ours: seconds the whole execution may take, then it fails
        "timeout": NON_NEGATIVE_INT_OR_EXPR,
        # ours: a failing execution first reverts what its tasks did
        "revert-on-error": {"type": "boolean"},
        "task-defaults": {"type": "object"},
        "tasks": {"type": "object", "minProperties": 1},
    },
    "required": ["tasks"],
    "additionalProperties": False,
}

ACTION = {
    "type": "object",
    "properties": {
        "version": VERSION,
        "name": NAME,
        "base": NONEMPTY_STRING,
        "base-input": DICT_OR_EXPR,
        "input": INPUT_LIST,
        "output": {},
        "description": {"type": "string"},
        "tags": TAGS,
    },
    "required": ["base"],
    "additionalProperties": False,
}

WORKBOOK = {
    "type": "object",
    "properties": {
        "version": VERSION,
        "name": NAME,
        "description": {"type": "string"},
        "tags": TAGS,
        "workflows": {"type": "object", "additionalProperties": {"type": "object"}},
        "actions": {"type": "object", "additionalProperties": {"type": "object"}},
    },
    "required": ["name"],
    "additionalProperties": False,
}


class Validator:
    """One schema, two engines: generated code (fastjsonschema) answers "valid?" quickly;
    only when it says no does jsonschema walk the value to name every problem. jsonschema
    is the authority: a value it accepts is valid whatever the fast check said."""

    def __init__(self, schema: dict[str, Any]) -> None:
        jsonschema.Draft7Validator.check_schema(schema)
        self.schema = schema
        self.detailed = jsonschema.Draft7Validator(schema)
        self._fast = fastjsonschema.compile(schema)

    def is_valid_fast(self, instance: Any) -> bool:
        try:
            self._fast(instance)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    def iter_errors(self, instance: Any) -> Iterator[jsonschema.ValidationError]:
        if self.is_valid_fast(instance):
            return iter(())
        return self.detailed.iter_errors(instance)


TASK_VALIDATOR = Validator(TASK)
TASK_DEFAULTS_VALIDATOR = Validator(TASK_DEFAULTS)
WORKFLOW_VALIDATOR = Validator(WORKFLOW)
ACTION_VALIDATOR = Validator(ACTION)
WORKBOOK_VALIDATOR = Validator(WORKBOOK)
