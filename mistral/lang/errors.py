"""Collecting problems with their path and line, and wording jsonschema errors for people."""

from __future__ import annotations

from typing import Any, Iterable

import jsonschema

from mistral.exceptions import DSLError, DSLProblem
from mistral.lang import schema as sc
from mistral.lang.loader import format_path, line_of

_DESCRIPTIONS = {
    id(sc.NON_NEGATIVE_INT_OR_EXPR): "an integer >= 0 or an expression",
    id(sc.POSITIVE_INT_OR_EXPR): "an integer >= 1 or an expression",
    id(sc.BOOL_OR_EXPR): "a boolean or an expression",
    id(sc.DICT_OR_EXPR): "a mapping or an expression",
    id(sc.RETRY): "a mapping with 'count' (and 'delay', 'break-on', 'continue-on', "
                  "'backoff', 'max-delay', 'jitter') or an inline string 'count=3 delay=1'",
    id(sc.REVERT): "an action with inline parameters ('std.echo output=x') or a mapping "
                   "with 'action' or 'workflow' (and 'input', 'retry')",
    id(sc.JITTER): "a boolean, a number between 0 and 1 or an expression",
    id(sc.ON_CLAUSE_ITEM): "a task name or a one-key mapping {task: <% condition %>}",
    id(sc.ON_CLAUSE): "a task name, a list of task names / {task: condition} items, or a "
                      "mapping with 'next' and 'publish'",
    id(sc.EXPRESSION): "an expression (<% ... %> or {{ ... }})",
    id(sc.INPUT_ITEM): "a name or a one-key mapping {name: default}",
    id(sc.JOIN): "'all', 'one' or an integer >= 1",
    id(sc.WITH_ITEMS): "'var in <% expression %>' or a list of them",
    id(sc.REQUIRES): "a task name or a list of task names",
}

# Same-level failures better worded by the construct's description than by themselves.
_SUMMARIZED = frozenset({"maxProperties", "minProperties", "pattern", "minimum", "maximum",
                         "type", "enum"})

_JSON_TYPES = {
    "string": "a string", "integer": "an integer", "number": "a number",
    "boolean": "a boolean", "object": "a mapping", "array": "a list", "null": "null",
}


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__


MAX_IN_MESSAGE = 50
_MAX_MESSAGE = 400  # characters of one problem's message


class Problems:
    """Every problem of one document; ``raise_if_any`` raises one ``DSLError`` with all."""

    def __init__(self, root: Any, allowed_languages: frozenset[str] | None = None) -> None:
        self.root = root
        self.items: list[DSLProblem] = []
        #: expression languages the document may use (None: every one)
        self.allowed_languages = allowed_languages

    def add(self, path: tuple[Any, ...], message: str) -> None:
        if len(message) > _MAX_MESSAGE:  # it may quote a huge value: keep head and reason
            half = _MAX_MESSAGE // 2
            message = f"{message[:half]} ... {message[-half:]}"
        self.items.append(DSLProblem(format_path(self._display(path)), message,
                                     line_of(self.root, path)))

    def _display(self, path: tuple[Any, ...]) -> tuple[Any, ...]:
        """Mapping keys as text (``tasks.5``), list positions as indexes (``[5]``)."""
        out: list[Any] = []
        node = self.root
        for part in path:
            if isinstance(node, dict):
                out.append(str(part))
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                out.append(part)
                node = node[part]
            else:
                out.append(part if isinstance(part, int) and not isinstance(part, bool)
                           else str(part))
                node = None
        return tuple(out)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            shown = "; ".join(str(p) for p in self.items[:MAX_IN_MESSAGE])
            more = len(self.items) - MAX_IN_MESSAGE
            if more > 0:
                shown += f"; ... and {more} more problem(s)"
            raise DSLError(shown, errors=self.items)

    def check(self, validator: sc.Validator, instance: Any,
              base: tuple[Any, ...]) -> bool:
        """Validate ``instance``; add one problem per schema error. True when valid."""
        ok = True
        for err in validator.iter_errors(instance):
            ok = False
            for path, message in _describe(err):
                self.add(base + path, message)
        return ok


def _same_level_mismatch(e: jsonschema.ValidationError, level: int) -> bool:
    if len(e.absolute_path) != level:
        return False
    if e.validator == "type" or e.validator == "enum":
        return True
    if e.validator in ("anyOf", "oneOf"):
        return _matching_branch_errors(e) is None
    return False


def _matching_branch_errors(err: jsonschema.ValidationError
                            ) -> list[jsonschema.ValidationError] | None:
    """The errors of the one anyOf branch whose type fits the value (None if not exactly
    one): ``retry: {count: -1}`` is then reported as ``retry.count: must be >= 0``."""
    level = len(err.absolute_path)
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in err.context or ():
        branches.setdefault(sub.schema_path[0], []).append(sub)
    fitting = [errs for errs in branches.values()
               if not any(_same_level_mismatch(e, level) for e in errs)]
    return fitting[0] if len(fitting) == 1 else None


def show(value: Any) -> str:
    """A short rendering of a scalar, or the type of a container."""
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:40]) + "..."
    return type_name(value)


def _describe(err: jsonschema.ValidationError) -> Iterable[tuple[tuple[Any, ...], str]]:
    path = tuple(err.absolute_path)
    kind = err.validator
    if kind == "additionalProperties":
        allowed = err.schema.get("properties", {})
        extra = [k for k in err.instance if k not in allowed]
        for key in extra:
            yield path + (key,), "unknown key"
        return
    if kind in ("anyOf", "oneOf"):
        inner = _matching_branch_errors(err)
        desc = _DESCRIPTIONS.get(id(err.schema))
        level = len(err.absolute_path)
        if inner and (desc is None or not all(
                len(e.absolute_path) == level and e.validator in _SUMMARIZED for e in inner)):
            for sub in inner:
                yield from _describe(sub)
            return
        if desc is None and err.context:
            deepest = jsonschema.exceptions.best_match(err.context)
            if deepest is not None and len(deepest.absolute_path) > len(path):
                yield from _describe(deepest)
                return
        yield path, f"must be {desc or 'of another form'}, not {show(err.instance)}"
        return
    if kind == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        expected = " or ".join(_JSON_TYPES.get(str(t), str(t)) for t in types)
        yield path, f"must be {expected}, not {show(err.instance)}"
        return
    if kind == "required":
        missing = [k for k in err.validator_value if k not in err.instance]
        for key in missing:
            yield path, f"missing required key '{key}'"
        return
    if kind == "enum":
        choices = ", ".join(repr(v) for v in err.validator_value)
        yield path, f"must be one of {choices}"
        return
    messages = {
        "minimum": f"must be >= {err.validator_value}, not {show(err.instance)}",
        "maximum": f"must be <= {err.validator_value}, not {show(err.instance)}",
        "minLength": "must not be empty",
        "maxLength": f"must be at most {err.validator_value} characters",
        "minProperties": "must not be empty" if err.validator_value == 1
        else f"must have at least {err.validator_value} keys",
        "maxProperties": "must be a single {key: value} pair" if err.validator_value == 1
        else f"must have at most {err.validator_value} keys",
        "minItems": "must not be empty",
        "uniqueItems": "must not contain duplicates",
        "pattern": "must be an expression (<% ... %> or {{ ... }})",
    }
    yield path, messages.get(kind, err.message[:200])
