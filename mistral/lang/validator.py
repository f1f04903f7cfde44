"""Semantic checks of DSL v2 on top of the JSON schemas; every problem gets a path and line.

``check_workflow`` / ``check_action`` add problems to a ``Problems`` and never raise on
malformed input: every check looks only at the parts whose shape it can use, so one
mistake does not hide the others. Graph checks (start tasks, joins, cycles) run once no
reference dangles.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from mistral.exceptions import ExpressionError
from mistral.expressions import scanner
from mistral.expressions.api import validate_found
from mistral.expressions.settings import check_language
from mistral.lang import compiler
from mistral.lang import schema as sc
from mistral.lang.errors import Problems
from mistral.lang.loader import LineDict
from mistral.lang.specs import DIRECT, ENGINE_COMMANDS, REVERSE, REVERT_PREFIX
from mistral.lang.util import InlineSyntaxError, clip, parse_inline, parse_params

Path = tuple[Any, ...]
_DIRECT_ONLY = sc.TRANSITION_KEYS + ("join",)
_RETRY_KEYS = {"count", "delay", "break-on", "continue-on", "backoff", "max-delay", "jitter"}


def walk_expressions(value: Any, path: Path, depth: int = 0) -> Iterator[tuple[Path, scanner.Found]]:
    """Every expression in ``value`` with its path as a tuple."""
    if depth > 200:
        return
    if isinstance(value, str):
        for found in scanner.find_expressions(value):
            yield path, found
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                for found in scanner.find_expressions(k):
                    yield path + (k,), found
            yield from walk_expressions(v, path + (k,), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_expressions(v, path + (i,), depth + 1)


def check_expressions(problems: Problems, value: Any, path: Path) -> None:
    for where, found in walk_expressions(value, path):
        try:
            check_language(found.kind, problems.allowed_languages)
            validate_found(found)
        except ExpressionError as e:
            problems.add(where, str(e))


def check_duplicates(problems: Problems, value: Any, path: Path = (), depth: int = 0) -> None:
    """Report keys given twice in one mapping (YAML would silently keep the last)."""
    if depth > 200:
        return
    if isinstance(value, LineDict):
        for key, _line in value.duplicates:
            problems.add(path + (key,), f"duplicate key '{key}'")
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                check_duplicates(problems, v, path + (k,), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                check_duplicates(problems, v, path + (i,), depth + 1)


def check_input_list(problems: Problems, items: Any, path: Path) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items if isinstance(items, list) else ()):
        name = next(iter(item)) if isinstance(item, dict) and item else item
        if not isinstance(name, str):
            continue
        if name in seen:
            problems.add(path + (i,), f"input '{name}' is declared twice")
        seen.add(name)


def _clause_items(value: Any, path: Path) -> Iterator[tuple[Any, Path]]:
    """(item, path) of every item of an on-* clause in any of its forms."""
    if isinstance(value, dict):
        value, path = value.get("next"), path + ("next",)
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield item, path + (i,)


Ref = tuple[Any, str, str, Path]  # (source task or None for task-defaults, key, target, path)


def _clause_targets(problems: Problems, source: Any, key: str, value: Any, path: Path
                    ) -> list[Ref]:
    out: list[Ref] = []
    for item, where in _clause_items(value, path):
        text = next(iter(item)) if isinstance(item, dict) and item else item
        if not isinstance(text, str):
            continue
        try:
            target, params = parse_inline(text)
        except InlineSyntaxError as e:
            problems.add(where, f"cannot parse '{clip(text)}': {e}")
            continue
        if target in ENGINE_COMMANDS and set(params) - {"msg"}:
            problems.add(where, f"engine command '{target}' only takes 'msg'")
        out.append((source, key, target, where))
    return out


def _check_policies(problems: Problems, body: Mapping[str, Any], path: Path) -> None:
    retry = body.get("retry")
    if isinstance(retry, str):
        try:
            params = parse_params(retry)
        except InlineSyntaxError as e:
            problems.add(path + ("retry",), f"cannot parse retry: {e}")
        else:
            for key in sorted(set(params) - _RETRY_KEYS):
                problems.add(path + ("retry",), f"unknown retry parameter '{key}'")
            if "count" not in params:
                problems.add(path + ("retry",), "missing required parameter 'count'")
            for key in ("count", "delay", "max-delay"):
                v = params.get(key, 0)
                if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0) and not (
                        scanner.is_expression(v)):
                    problems.add(path + ("retry",), f"retry {key} must be an integer >= 0 "
                                 "or an expression")
            _check_inline_backoff(problems, params, path + ("retry",))


def _check_inline_backoff(problems: Problems, params: Mapping[str, Any], path: Path) -> None:
    """The backoff parameters of an inline ``retry`` (the mapping form has the schema)."""
    if "backoff" in params and params["backoff"] not in sc.BACKOFF["enum"]:
        problems.add(path, "retry backoff must be one of "
                     + ", ".join(repr(v) for v in sc.BACKOFF["enum"]))
    if "jitter" in params:
        v = params["jitter"]
        number = isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
        if not (isinstance(v, bool) or number or scanner.is_expression(v)):
            problems.add(path, "retry jitter must be a boolean, a number between 0 and 1 "
                         "or an expression")


def _check_inline(problems: Problems, body: Mapping[str, Any], key: str, path: Path,
                  key_path: Path | None = None) -> None:
    value = body.get(key)
    if not isinstance(value, str):
        return
    where = key_path if key_path is not None else path + (key,)
    try:
        _, params = parse_inline(value)
    except InlineSyntaxError as e:
        problems.add(where, f"cannot parse '{clip(value)}': {e}")
        return
    if params and isinstance(body.get("input"), str):
        problems.add(where, "inline parameters cannot be combined with an 'input' "
                     "expression")


def _check_with_items(problems: Problems, value: Any, path: Path) -> None:
    clauses = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    for i, clause in enumerate(clauses):
        if not isinstance(clause, str):
            continue
        where = path if isinstance(value, str) else path + (i,)
        try:
            items = compiler.parse_with_items(clause)
        except InlineSyntaxError as e:
            problems.add(where, str(e))
            continue
        source = items[0].source
        if isinstance(source, str) and not scanner.is_expression(source):
            problems.add(where, f"'{clip(clause)}': the source must be an expression or a list")


def _refs_of(problems: Problems, source: Any, body: Mapping[str, Any], wf_type: str,
             path: Path) -> list[Ref]:
    refs: list[Ref] = []
    for key in sc.TRANSITION_KEYS:
        if key in body:
            if wf_type == REVERSE:
                problems.add(path + (key,), f"'{key}' is not allowed in a reverse workflow")
            else:
                refs += _clause_targets(problems, source, key, body[key], path + (key,))
    if "requires" in body:
        if wf_type != REVERSE:
            problems.add(path + ("requires",), "'requires' is only allowed in a reverse workflow")
        else:
            reqs = body["requires"]
            reqs = [reqs] if isinstance(reqs, str) else reqs if isinstance(reqs, list) else []
            refs += [(source, "requires", r, path + ("requires",)) for r in reqs
                     if isinstance(r, str)]
    return refs


MAX_TASK_NAME = 255


def check_task(problems: Problems, name: Any, body: Any, wf_type: str, path: Path) -> list[Ref]:
    """Check one task; return its references for the workflow-level checks."""
    if not isinstance(name, str):
        problems.add(path, "task names must be strings")
        return []
    if len(name) > MAX_TASK_NAME:  # a task execution's name column (as Mistral's)
        problems.add(path, f"task names must be at most {MAX_TASK_NAME} characters, "
                     f"not {len(name)}")
    # A task may be named like an engine command (as in Mistral 23): it is then a start
    # task or a requirement; a transition to that name is the command.
    problems.check(sc.TASK_VALIDATOR, body, path)
    if not isinstance(body, dict):
        return []
    if "action" in body and "workflow" in body:
        problems.add(path, "a task has either 'action' or 'workflow', not both")
    _check_inline(problems, body, "action", path)
    _check_inline(problems, body, "workflow", path)
    if wf_type == REVERSE and "join" in body:
        problems.add(path + ("join",), "'join' is not allowed in a reverse workflow")
    refs = _refs_of(problems, name, body, wf_type, path)
    if "with-items" in body:
        _check_with_items(problems, body["with-items"], path + ("with-items",))
    _check_policies(problems, body, path)
    if "revert" in body:
        _check_revert(problems, name, body["revert"], wf_type, path + ("revert",))
    check_expressions(problems, body, path)
    return refs


def _check_revert(problems: Problems, name: str, value: Any, wf_type: str, path: Path) -> None:
    """``revert:`` (the schema checked its shape): where it is allowed, what it runs."""
    if wf_type == REVERSE:
        problems.add(path, "'revert' is not allowed in a reverse workflow (only a direct "
                     "workflow reverts its tasks)")
        return
    if len(REVERT_PREFIX + name) > MAX_TASK_NAME:
        problems.add(path, f"a task with a revert has a name of at most "
                     f"{MAX_TASK_NAME - len(REVERT_PREFIX)} characters (its revert runs as "
                     f"'{REVERT_PREFIX}<name>')")
    if isinstance(value, str):
        _check_inline(problems, {"action": value}, "action", path[:-1], key_path=path)
        return
    if not isinstance(value, dict):
        return
    if ("action" in value) == ("workflow" in value):
        problems.add(path, "a revert names either an 'action' or a 'workflow'")
    _check_inline(problems, value, "action", path)
    _check_inline(problems, value, "workflow", path)
    _check_policies(problems, value, path)


def _check_reverts(problems: Problems, body: Mapping[str, Any], tasks: Mapping[Any, Any],
                   wf_type: str, path: Path) -> None:
    """Workflow-level revert checks: ``revert-on-error`` needs something to revert, and
    no task may be called like the revert of another (``revert:<task>``)."""
    with_revert = [t for t, b in tasks.items() if isinstance(t, str) and isinstance(b, dict)
                   and "revert" in b]
    for t in with_revert:
        if REVERT_PREFIX + t in tasks:
            problems.add(path + ("tasks", REVERT_PREFIX + t),
                         f"this name is taken by the revert of task '{t}'")
    if body.get("revert-on-error") is True:
        if wf_type == REVERSE:
            problems.add(path + ("revert-on-error",),
                         "'revert-on-error' is not allowed in a reverse workflow")
        elif not with_revert:
            problems.add(path + ("revert-on-error",),
                         "no task has a 'revert': there is nothing to revert")


def check_task_defaults(problems: Problems, body: Any, wf_type: str, path: Path) -> list[Ref]:
    problems.check(sc.TASK_DEFAULTS_VALIDATOR, body, path)
    if not isinstance(body, dict):
        return []
    refs = _refs_of(problems, None, body, wf_type, path)
    _check_policies(problems, body, path)
    check_expressions(problems, body, path)
    return refs


def check_workflow(problems: Problems, name: Any, body: Any, path: Path) -> None:
    """Every problem of one workflow body (``path`` locates it in the document)."""
    if not isinstance(name, str) or not name:
        problems.add(path, "workflow names must be non-empty strings")
        return
    if not isinstance(body, dict):
        problems.add(path, f"workflow '{name}' must be a mapping")
        return
    problems.check(sc.WORKFLOW_VALIDATOR, body, path)
    wf_type = body.get("type", DIRECT) if body.get("type") in (DIRECT, REVERSE) else DIRECT
    tasks = body.get("tasks")
    if isinstance(body.get("input"), list):
        check_input_list(problems, body["input"], path + ("input",))
    for key in ("input", "output", "output-on-error", "vars", "timeout"):
        if key in body:
            check_expressions(problems, body[key], path + (key,))
    if not isinstance(tasks, dict):
        return
    refs: list[Ref] = []
    if "task-defaults" in body:
        refs += check_task_defaults(problems, body["task-defaults"], wf_type,
                                    path + ("task-defaults",))
    for t_name, t_body in tasks.items():
        refs += check_task(problems, t_name, t_body, wf_type, path + ("tasks", t_name))
    _check_reverts(problems, body, tasks, wf_type, path)
    dangling = False
    for _source, _key, target, where in refs:
        if target not in tasks and not (wf_type == DIRECT and target in ENGINE_COMMANDS):
            problems.add(where, f"refers to undefined task '{target}'")
            dangling = True
    if not dangling:
        _check_graph(problems, tasks, wf_type, refs, path)


def _check_graph(problems: Problems, tasks: Mapping[Any, Any], wf_type: str, refs: list[Ref],
                 path: Path) -> None:
    names = [t for t in tasks if isinstance(t, str)]
    own: dict[str, dict[str, list[str]]] = {t: {} for t in names}
    defaults: dict[str, list[str]] = {}
    for source, key, target, _where in refs:
        bucket = defaults if source is None else own[source]
        bucket.setdefault(key, []).append(target)
    if wf_type == REVERSE:
        requires = {
            t: tuple(own[t].get("requires", [])) + tuple(
                r for r in defaults.get("requires", []) if r != t)
            for t in names
        }
        _, blocked = compiler.topological_order(requires)
        for t in sorted(_on_cycle(requires, blocked)):
            problems.add(path + ("tasks", t, "requires"),
                         f"task '{t}' is part of a 'requires' cycle")
        return
    inbound: dict[str, set[str]] = {t: set() for t in names}
    for t in names:
        body = tasks[t] if isinstance(tasks[t], dict) else {}
        for key in sc.TRANSITION_KEYS:
            targets = own[t].get(key, []) if key in body else defaults.get(key, [])
            for target in targets:
                if target in inbound and target != t:
                    inbound[target].add(t)
    if names and all(inbound[t] for t in names):
        problems.add(path + ("tasks",), "the workflow has no start task: every task is the "
                     "target of a transition")
    for t in names:
        join = tasks[t].get("join") if isinstance(tasks[t], dict) else None
        if isinstance(join, int) and not isinstance(join, bool) and join > len(inbound[t]):
            problems.add(path + ("tasks", t, "join"),
                         f"join {join} but only {len(inbound[t])} task(s) transition to this task")


def _on_cycle(requires: Mapping[str, tuple[str, ...]], blocked: set[str]) -> set[str]:
    """The blocked tasks that lie on a cycle (not those merely waiting on one): members of
    strongly connected components with more than one task, or with a self-requirement.
    Iterative Tarjan, linear in the size of the graph."""
    edges = {t: [r for r in requires.get(t, ()) if r in blocked] for t in blocked}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: set[str] = set()
    counter = 0
    for root in sorted(blocked):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    out.update(component)
    return out


def check_action(problems: Problems, name: Any, body: Any, path: Path) -> None:
    if not isinstance(name, str) or not name:
        problems.add(path, "action names must be non-empty strings")
        return
    if not problems.check(sc.ACTION_VALIDATOR, body, path):
        return
    try:
        parse_inline(body["base"])
    except InlineSyntaxError as e:
        problems.add(path + ("base",), f"cannot parse '{clip(body['base'])}': {e}")
    if isinstance(body.get("input"), list):
        check_input_list(problems, body["input"], path + ("input",))
    check_expressions(problems, body, path)
