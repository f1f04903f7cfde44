"""Loading YAML/JSON text safely: size and depth limits, line numbers, duplicate keys.

The document is built straight from the parser's event stream (libyaml when available)
in one iterative pass, so hostile nesting cannot overflow the stack; depth and the size
of the document once aliases are expanded ("billion laughs") are checked as it goes.
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


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool",
                          "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_STRING_TAGS = frozenset({_STR, "tag:yaml.org,2002:timestamp"})  # dates stay strings
_NO_KEY = object()
_MERGE = object()  # the key '<<' resolved as a YAML merge key


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


def _problem(message: str, line: int | None) -> DSLError:
    return DSLError(errors=[DSLProblem("", message, line)])


class _Frame:
    __slots__ = ("value", "anchor", "size", "key", "key_line", "explicit", "merges")

    def __init__(self, value: Any, anchor: str | None) -> None:
        self.value = value
        self.anchor = anchor
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.explicit: set[Any] = set()
        self.merges: list[Any] = []


class _Builder:
    """Builds the document straight from parser events, in one iterative pass: depth and
    expanded size (aliases counted in full) are checked as it goes, mappings record the
    line of each key, and only JSON-like types are produced."""

    _resolver = yaml.resolver.Resolver()
    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, max_depth: int, max_nodes: int) -> None:
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.root: Any = None

    def build(self, text: str) -> Any:
        documents = 0
        for event in yaml.parse(text, Loader=_Base):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self._add(self._scalar(event), 1, event.start_mark.line + 1, event.anchor)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._open(event, kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = self.stack.pop()
                if isinstance(frame.value, LineDict):
                    self._merge(frame)
                self._add(frame.value, frame.size, frame.value.line, frame.anchor, opened=True)
            elif kind is yaml.AliasEvent:
                line = event.start_mark.line + 1
                if event.anchor not in self.anchors:
                    raise _problem(f"invalid YAML: unknown or recursive alias '*{event.anchor}'",
                                   line)
                value, size = self.anchors[event.anchor]
                self._add(value, size, line, None)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _problem("expected a single document, found several",
                                   event.start_mark.line + 1)
        return self.root

    def _open(self, event: Any, mapping: bool) -> None:
        line = event.start_mark.line + 1
        if len(self.stack) >= self.max_depth:
            raise _problem(f"the document is nested deeper than {self.max_depth} levels", line)
        tag = event.tag
        if tag not in (None, "!", _MAP if mapping else _SEQ):
            raise _problem(f"the YAML type '{_short_tag(tag)}' is not supported (definitions "
                           "hold JSON-like data)", line)
        value: Any = LineDict() if mapping else LineList()
        value.line = line
        self.stack.append(_Frame(value, event.anchor))

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag in _STRING_TAGS:
            return event.value
        if tag == "tag:yaml.org,2002:merge":
            return _MERGE
        if tag not in _SCALAR_TAGS:
            raise _problem(f"the YAML type '{_short_tag(tag)}' is not supported (definitions "
                           "hold JSON-like data)", event.start_mark.line + 1)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self._constructor.yaml_constructors[tag](self._constructor, node)
        except (ValueError, OverflowError) as e:
            raise _problem(f"invalid YAML value: {e}", event.start_mark.line + 1) from None

    def _add(self, value: Any, size: int, line: int, anchor: str | None,
             opened: bool = False) -> None:
        if anchor:
            self.anchors[anchor] = (value, size)
        self.total += 1 if opened else size
        if self.total > self.max_nodes:
            raise SizeLimitExceededError(
                f"the document expands to more than {self.max_nodes} nodes (aliases included)")
        top = self.stack[-1] if self.stack else None
        if value is _MERGE and (top is None or isinstance(top.value, LineList)
                                or top.key is not _NO_KEY):
            value = "<<"  # a plain '<<' anywhere but in key position is just text
        if top is None:
            self.root = value
            return
        top.size += size
        if isinstance(top.value, LineList):
            top.value.append(value)
            top.value.lines.append(line)
        elif top.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise _problem("mapping keys must be scalars", line)
            top.key, top.key_line = value, line
        else:
            key, top.key = top.key, _NO_KEY
            if key is _MERGE:
                if not isinstance(value, (dict, list)):
                    raise _problem("'<<' merges mappings only", top.key_line)
                top.merges.append(value)
                return
            mapping = top.value
            if key in mapping:
                mapping.duplicates.append((key, top.key_line))
            mapping[key] = value
            mapping.lines[key] = top.key_line
            top.explicit.add(key)

    @staticmethod
    def _merge(frame: _Frame) -> None:
        """YAML merge keys: keys of the merged mappings the mapping does not set itself."""
        mapping = frame.value
        for merged in frame.merges:
            sources = merged if isinstance(merged, list) else [merged]
            for source in sources:
                if not isinstance(source, dict):
                    raise _problem("'<<' merges mappings only", mapping.line)
                for k, v in source.items():
                    if k not in frame.explicit and k not in mapping:
                        mapping[k] = v
                        mapping.lines[k] = mapping.line


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
        return _Builder(max_depth, max_nodes).build(text)
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
