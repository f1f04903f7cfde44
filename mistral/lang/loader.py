"""Loading YAML/JSON text safely: size and depth limits, line numbers, duplicate keys.

The text is first scanned as a stream of parser events (iterative, so hostile nesting
cannot overflow the stack), counting depth and the size of the document once aliases are
expanded ("billion laughs"); only then is it constructed, with libyaml when available.
Mappings come back as ``LineDict`` (a ``dict`` that remembers the line of each key).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from mistral.exceptions import DSLError, DSLProblem, SizeLimitExceededError

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_BYTES = 1024 * 1024
# Nodes once aliases are expanded; bounds the work of everything that walks the document.
DEFAULT_MAX_NODES = 1_000_000

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A dict with ``line`` (of the mapping), ``lines`` (key → line) and ``duplicates``."""

    __slots__ = ("line", "lines", "duplicates")

    def __init__(self) -> None:
        super().__init__()
        self.line: int | None = None
        self.lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []


class LineList(list):
    """A list with ``line`` and ``lines`` (index → line)."""

    __slots__ = ("line", "lines")

    def __init__(self) -> None:
        super().__init__()
        self.line: int | None = None
        self.lines: list[int] = []


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_map(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise DSLError(errors=[DSLProblem("", "mapping keys must be scalars", line)])
        if key in out:
            out.duplicates.append((key, line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> LineList:
    out = LineList()
    out.line = node.start_mark.line + 1
    for child in node.value:
        out.append(loader.construct_object(child, deep=True))
        out.lines.append(child.start_mark.line + 1)
    return out


def _construct_str(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _refuse(loader: Any, node: yaml.Node) -> Any:
    tag = str(node.tag).rsplit(":", 1)[-1]
    raise DSLError(errors=[DSLProblem(
        "", f"the YAML type '!!{tag}' is not supported (definitions hold JSON-like data)",
        node.start_mark.line + 1)])


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
for _tag in ("set", "binary", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
# Timestamps and binary stay strings / fail clearly rather than becoming datetime/bytes.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


def _scan(text: str, max_depth: int, max_nodes: int) -> None:
    depth = 0
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, expanded node count]
    try:
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > max_depth:
                    line = event.start_mark.line + 1
                    raise DSLError(errors=[DSLProblem(
                        "", f"the document is nested deeper than {max_depth} levels", line)])
                stack.append([event.anchor, 1])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                anchor, size = stack.pop()
                if anchor:
                    sizes[anchor] = size
                stack[-1][1] += size
            elif isinstance(event, yaml.ScalarEvent):
                stack[-1][1] += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                stack[-1][1] += sizes.get(event.anchor, 1)
            if stack[-1][1] > max_nodes:
                raise SizeLimitExceededError(
                    f"the document expands to more than {max_nodes} nodes (aliases included)")
    except yaml.YAMLError as e:
        raise _yaml_problem(e) from None


def _yaml_problem(e: yaml.YAMLError) -> DSLError:
    mark = getattr(e, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    message = f"invalid YAML: {context + ', ' if context else ''}{problem}"
    return DSLError(errors=[DSLProblem("", message, line)])


def load(
    text: str | bytes,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Any:
    """Parse YAML (or JSON, a subset of it) with the limits; raise ``DSLError`` /
    ``SizeLimitExceededError`` on bad or oversized input, never a parser traceback."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise SizeLimitExceededError(f"the definition is larger than {max_bytes} bytes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise DSLError(errors=[DSLProblem("", "the definition is not valid UTF-8")]) from None
    if not isinstance(text, str):
        raise DSLError(errors=[DSLProblem("", "the definition must be text")])
    if len(text) > max_bytes or (len(text) * 4 > max_bytes and len(text.encode("utf-8")) > max_bytes):
        raise SizeLimitExceededError(f"the definition is larger than {max_bytes} bytes")
    try:
        _scan(text, max_depth, max_nodes)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise _yaml_problem(e) from None
    except DSLError as e:
        # JSON that YAML rejects (tabs in indentation, for one) is still JSON.
        if text.lstrip().startswith("{") and "invalid YAML" in str(e):
            return _load_json(text, max_depth, e)
        raise
    except (ValueError, TypeError, OverflowError) as e:
        raise DSLError(errors=[DSLProblem("", f"invalid YAML value: {e}")]) from None


def _depth_ok(value: Any, max_depth: int) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth >= max_depth:
                return False
            children = node.values() if isinstance(node, dict) else node
            stack.extend((c, depth + 1) for c in children)
    return True


def _load_json(text: str, max_depth: int, yaml_error: DSLError) -> Any:
    try:
        value = json.loads(text)
    except RecursionError:
        raise DSLError(errors=[DSLProblem(
            "", f"the document is nested deeper than {max_depth} levels")]) from None
    except ValueError:
        raise yaml_error from None
    if not _depth_ok(value, max_depth):
        raise DSLError(errors=[DSLProblem(
            "", f"the document is nested deeper than {max_depth} levels")])
    return value


def _int_key(part: str, node: dict) -> Any:
    """Paths hold non-string keys as text (``tasks.5``); find the original key."""
    for key in node:
        if not isinstance(key, str) and str(key) == part:
            return key
    return part


def line_of(root: Any, path: tuple[Any, ...]) -> int | None:
    """The line of the deepest node of ``path`` found in ``root`` (keys / list indexes)."""
    line: int | None = getattr(root, "line", None)
    node = root
    for part in path:
        if isinstance(node, LineDict) and part not in node and isinstance(part, str):
            part = _int_key(part, node)
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line


def format_path(path: tuple[Any, ...]) -> str:
    """``('wf', 'tasks', 't2', 'on-success', 0)`` → ``wf.tasks.t2.on-success[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
