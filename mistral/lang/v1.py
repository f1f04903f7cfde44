"""Mistral's 2014 workbooks (DSL v1) converted to DSL v2 specs. Pure, no I/O.

A v1 workbook has ``Services`` (each of a ``type`` with ``parameters`` and ``actions``),
one ``Workflow`` of ``tasks`` and periodic ``events``::

    Services:
      MyRest:
        type: REST_API
        parameters: {baseUrl: http://host:8988}
        actions:
          task1: {parameters: {url: /tasks/task1, method: GET}}
    Workflow:
      tasks:
        task1: {action: MyRest:task1}
        task2: {action: MyRest:task1, requires: [task1], parameters: {x: $.x},
                publish: {y: some_key}, on-success: task3}
      events:
        every_minute: {type: periodic, tasks: task2, parameters: {cron-pattern: '* * * * *'}}

``convert(text, name)`` gives a :class:`V1Workbook`: a v2 workbook ``<name>`` with one
reverse workflow ``Workflow`` (``requires`` as is: an execution runs a *target* task and
what it requires) and one ad-hoc action ``<Service>.<action>`` per service action
(``REST_API`` on ``std.http``, the response body as the result, the action's ``output``
mapping applied to it; ``ECHO`` on ``std.echo``, the action's ``output`` as the result),
plus the events as cron triggers to create. v1 expressions become v2 ones: a value that
starts with ``$`` is a YAQL expression, ``{$.x}`` is one inside a string; ``publish``
reads the task's result (``var: key`` or ``var: $.expr``) and every task also publishes
``task: {<name>: <result>}``, as v1 did. ``on-success`` / ``on-error`` / ``on-finish``
are transitions of the reverse workflow (``mistral.workflow.reverse``). The context an
execution is started with becomes its input: the workflow declares, with a null default,
every top-level name its expressions read that no task publishes.

Problems are reported all at once with their v1 path (``Workflow.tasks.t2.requires[0]``)
and line, as ``DSLError``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from mistral.exceptions import DSLError, DSLProblem
from mistral.lang import compiler
from mistral.lang.errors import Problems
from mistral.lang.loader import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, load
from mistral.lang.parser import parse_workbook
from mistral.lang.specs import WorkbookSpec

WORKFLOW = "Workflow"
SERVICE_TYPES = ("REST_API", "ECHO")
BODY_METHODS = ("POST", "PUT", "PATCH")
TOP_KEYS = ("Services", "Workflow", "events", "triggers")
TASK_KEYS = ("action", "parameters", "requires", "dependsOn", "publish", "on-success",
             "on-error", "on-finish", "headers", "description", "tags")
ACTION_KEYS = ("parameters", "output", "headers", "task-parameters", "description")
_INLINE = re.compile(r"\{(\$[^{}]*)\}")
_ROOT = re.compile(r"\$(?![A-Za-z0-9_])")
_READS = re.compile(r"\$\.([A-Za-z_][A-Za-z0-9_]*)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class V1Event:
    """A periodic event: a cron trigger starting ``task`` on ``pattern``."""

    name: str
    task: str
    pattern: str


@dataclass(frozen=True)
class V1Workbook:
    name: str
    workbook: WorkbookSpec
    events: tuple[V1Event, ...] = ()
    #: task name -> its v1 action (``Service:action``)
    actions: Mapping[str, str] | None = None

    @property
    def workflow(self) -> Any:
        return self.workbook.workflows[0]

    def to_dict(self) -> dict[str, Any]:
        return {"workbook": self.workbook.to_dict(), "actions": dict(self.actions or {}),
                "events": [{"name": e.name, "task": e.task, "pattern": e.pattern}
                           for e in self.events]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "V1Workbook":
        wb = compiler.workbook_from_dict(d["workbook"])
        return cls(wb.name, wb, tuple(V1Event(**e) for e in d.get("events") or ()),
                   dict(d.get("actions") or {}))


# -- expressions ------------------------------------------------------------------------


def expression(value: Any) -> Any:
    """A v1 value as v2: ``$...`` → ``<% $... %>``, ``{$.x}`` inside text → ``<% $.x %>``,
    recursively in mappings and lists; anything else unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("$"):
            return f"<% {text} %>"
        return _INLINE.sub(lambda m: f"<% {m.group(1).strip()} %>", value)
    if isinstance(value, Mapping):
        return {k: expression(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expression(v) for v in value]
    return value


def rebase(expr: str, root: str) -> str:
    """A v1 expression over some value (``$.x``, ``$``) as one over ``root``."""
    return _ROOT.sub(root, expr.strip())


def _published(key: Any) -> Any:
    """A v1 ``publish`` value (a key of the result, or an expression over the result)."""
    if not isinstance(key, str):
        return key
    text = key.strip()
    if text.startswith("$"):
        return f"<% {rebase(text, 'task().result')} %>"
    if _IDENT.fullmatch(text):
        return f"<% task().result.{text} %>"
    return "<% task().result.get(" + json.dumps(text).replace('"', "'") + ") %>"


def _reads(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        out.update(_READS.findall(value))
    elif isinstance(value, Mapping):
        for v in value.values():
            _reads(v, out)
    elif isinstance(value, list):
        for v in value:
            _reads(v, out)


# -- checking the v1 document -------------------------------------------------------------


def _names(value: Any) -> list[Any]:
    """``requires`` / ``on-*``: a name, a list of names and ``{name: condition}``, or a
    mapping ``{name: condition}`` → a list of (name, condition or None)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [(value, None)]
    if isinstance(value, Mapping):
        return [(k, v or None) for k, v in value.items()]
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if isinstance(item, Mapping) and len(item) == 1:
                out.extend((k, v or None) for k, v in item.items())
            else:
                out.append((item, None))
        return out
    return [(value, None)]


def _mapping(problems: Problems, value: Any, path: tuple[Any, ...],
             required: bool = False) -> dict[str, Any]:
    if value is None:
        if required:
            problems.add(path, "missing: a mapping is required here")
        return {}
    if not isinstance(value, Mapping):
        problems.add(path, f"must be a mapping, not {type(value).__name__}")
        return {}
    return dict(value)


def _unknown(problems: Problems, body: Mapping[str, Any], allowed: tuple[str, ...],
             path: tuple[Any, ...]) -> None:
    for key in body:
        if key not in allowed:
            problems.add(path + (key,), f"unknown key '{key}' (allowed: {', '.join(allowed)})")


def _services(problems: Problems, root: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    services = _mapping(problems, root.get("Services"), ("Services",))
    for name, body in services.items():
        path = ("Services", name)
        body = _mapping(problems, body, path, required=True)
        kind = body.get("type")
        if kind not in SERVICE_TYPES:
            problems.add(path + ("type",) if "type" in body else path,
                         f"unknown service type {kind!r}: use one of {', '.join(SERVICE_TYPES)}")
        params = _mapping(problems, body.get("parameters"), path + ("parameters",))
        if kind == "REST_API" and not isinstance(params.get("baseUrl"), str):
            problems.add(path + ("parameters",), "a REST_API service needs parameters.baseUrl")
        actions = _mapping(problems, body.get("actions"), path + ("actions",), required=True)
        for aname, abody in actions.items():
            apath = path + ("actions", aname)
            abody = _mapping(problems, abody, apath) if abody is not None else {}
            _unknown(problems, abody, ACTION_KEYS, apath)
            aparams = _mapping(problems, abody.get("parameters"), apath + ("parameters",))
            if kind == "REST_API" and not isinstance(aparams.get("url", ""), str):
                problems.add(apath + ("parameters", "url"), "must be a string")
            actions[aname] = abody
        services[name] = {"type": kind, "parameters": params, "actions": actions}
    return services


def _check_tasks(problems: Problems, tasks: dict[str, Any],
                 services: Mapping[str, Any]) -> None:
    for name, body in tasks.items():
        path = ("Workflow", "tasks", name)
        if not isinstance(body, Mapping):
            problems.add(path, f"must be a mapping, not {type(body).__name__}")
            tasks[name] = {}
            continue
        _unknown(problems, body, TASK_KEYS, path)
        action = body.get("action")
        if not isinstance(action, str) or ":" not in action:
            problems.add(path + ("action",), "required: 'Service:action' (a service of "
                         "this workbook and one of its actions)")
        else:
            service, _, act = action.partition(":")
            if service not in services:
                problems.add(path + ("action",), f"unknown service '{service}' (services: "
                             f"{', '.join(services) or 'none'})")
            elif act not in services[service]["actions"]:
                problems.add(path + ("action",), f"service '{service}' has no action '{act}'")
        for key in ("requires", "dependsOn", "on-success", "on-error", "on-finish"):
            for i, (target, _) in enumerate(_names(body.get(key))):
                where = path + (key,) + ((i,) if isinstance(body.get(key), list) else ())
                if not isinstance(target, str) or target not in tasks:
                    problems.add(where, f"task '{target}' does not exist in this workbook")
        _mapping(problems, body.get("parameters"), path + ("parameters",))
        _mapping(problems, body.get("publish"), path + ("publish",))
        _mapping(problems, body.get("headers"), path + ("headers",))
    _check_cycles(problems, tasks)


def _requires(body: Mapping[str, Any]) -> list[str]:
    found = _names(body.get("requires")) + _names(body.get("dependsOn"))
    return list(dict.fromkeys(t for t, _ in found if isinstance(t, str)))


def _check_cycles(problems: Problems, tasks: Mapping[str, Any]) -> None:
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for req in _requires(tasks.get(name) or {}):
            if req not in tasks:
                continue
            if state.get(req) == 1:
                cycle = trail[trail.index(req):] + [req] if req in trail else [name, req]
                problems.add(("Workflow", "tasks", name, "requires"),
                             f"tasks require each other in a cycle: {' -> '.join(cycle)}")
            elif req not in state:
                visit(req, trail + [req])
        state[name] = 2

    for name in tasks:
        if name not in state:
            visit(name, [name])


def _events(problems: Problems, root: Mapping[str, Any], workflow: Mapping[str, Any],
            tasks: Mapping[str, Any]) -> tuple[V1Event, ...]:
    found: list[V1Event] = []
    for where, value in ((("Workflow", "events"), workflow.get("events")),
                         (("events",), root.get("events")), (("triggers",), root.get("triggers"))):
        for name, body in _mapping(problems, value, where).items():
            path = where + (name,)
            body = _mapping(problems, body, path, required=True)
            if body.get("type") != "periodic":
                problems.add(path + ("type",), f"unknown event type {body.get('type')!r}: "
                             "only 'periodic' events exist")
            task = body.get("tasks")
            if isinstance(task, list) and len(task) == 1:
                task = task[0]
            if not isinstance(task, str) or task not in tasks:
                problems.add(path + ("tasks",), f"task {task!r} does not exist in this workbook")
            pattern = _mapping(problems, body.get("parameters"), path + ("parameters",),
                               required=True).get("cron-pattern")
            if not isinstance(pattern, str) or not pattern.strip():
                problems.add(path + ("parameters", "cron-pattern"), "required: a cron pattern")
            if isinstance(task, str) and isinstance(pattern, str):
                found.append(V1Event(str(name), task, pattern))
    return tuple(found)


# -- building the v2 document -------------------------------------------------------------


def _adhoc(service: Mapping[str, Any], action: Mapping[str, Any]) -> dict[str, Any]:
    params = action.get("parameters") or {}
    if service["type"] == "ECHO":
        return {"base": "std.echo", "input": [{"output": None}, {"parameters": {}}],
                "base-input": {"output": "<% $.output %>"}}
    method = str(params.get("method") or "GET").upper()
    carry = "body" if method in BODY_METHODS else "params"
    output: Any = "<% $.content %>"
    if action.get("output"):
        output = _content(action["output"])
    return {"base": "std.http",
            "input": ["url", {"parameters": {}}, {"headers": {}}],
            "base-input": {"url": "<% $.url %>", "method": method,
                           carry: "<% $.parameters %>", "headers": "<% $.headers %>"},
            "output": output}


def _content(value: Any) -> Any:
    """A REST_API action's ``output`` mapping over the response body (``$.content``)."""
    if isinstance(value, str) and value.strip().startswith("$"):
        return f"<% {rebase(value, '$.content')} %>"
    if isinstance(value, Mapping):
        return {k: _content(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_content(v) for v in value]
    return value


def _task(name: str, body: Mapping[str, Any], services: Mapping[str, Any]) -> dict[str, Any]:
    service_name, _, act = str(body["action"]).partition(":")
    service = services[service_name]
    action = service["actions"][act]
    given: dict[str, Any] = {"parameters": expression(dict(body.get("parameters") or {}))}
    if service["type"] == "ECHO":
        given["output"] = expression(action.get("output"))
    else:
        base = str(service["parameters"].get("baseUrl") or "")
        given["url"] = expression(base + str((action.get("parameters") or {}).get("url") or ""))
        given["headers"] = expression({**(body.get("headers") or {}),
                                       **(action.get("headers") or {})})
    publish = {"task": {name: "<% task().result %>"}}
    publish.update({str(k): _published(v) for k, v in (body.get("publish") or {}).items()})
    task: dict[str, Any] = {"action": f"{service_name}.{act}", "input": given,
                            "publish": publish}
    requires = _requires(body)
    if requires:
        task["requires"] = requires
    for key in ("description",):
        if isinstance(body.get(key), str):
            task[key] = body[key]
    if isinstance(body.get("tags"), list):
        task["tags"] = [str(t) for t in body["tags"]]
    return task


def _transitions(body: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for v1_key, v2_key in (("on-success", "on-success"), ("on-error", "on-error"),
                           ("on-finish", "on-complete")):
        items = [target if cond is None else {target: expression(cond)}
                 for target, cond in _names(body.get(v1_key))]
        if items:
            out[v2_key] = items
    return out


def convert(text: str | bytes, name: str, max_depth: int = DEFAULT_MAX_DEPTH,
            max_bytes: int = DEFAULT_MAX_BYTES,
            allowed_languages: Any = None) -> V1Workbook:
    """The v2 workbook ``name`` a v1 workbook text converts to; ``DSLError`` naming every
    problem at its v1 path."""
    root = load(text, max_depth=max_depth, max_bytes=max_bytes)
    if not isinstance(root, Mapping):
        raise DSLError(errors=[DSLProblem("", "a v1 workbook is a mapping with 'Services' "
                                              "and 'Workflow'", 1)])
    problems = Problems(root)
    _unknown(problems, root, TOP_KEYS, ())
    services = _services(problems, root)
    workflow = _mapping(problems, root.get("Workflow"), ("Workflow",), required=True)
    _unknown(problems, workflow, ("tasks", "events"), ("Workflow",))
    tasks = _mapping(problems, workflow.get("tasks"), ("Workflow", "tasks"), required=True)
    if "tasks" in workflow and not tasks:
        problems.add(("Workflow", "tasks"), "the workflow has no task")
    _check_tasks(problems, tasks, services)
    events = _events(problems, root, workflow, tasks)
    problems.raise_if_any()
    return _build(name, services, tasks, events, max_depth, max_bytes, allowed_languages)


def _build(name: str, services: Mapping[str, Any], tasks: Mapping[str, Any],
           events: tuple[V1Event, ...], max_depth: int, max_bytes: int,
           allowed_languages: Any) -> V1Workbook:
    v2_tasks = {t: _task(t, body, services) for t, body in tasks.items()}
    reads: set[str] = set()
    _reads([t["input"] for t in v2_tasks.values()], reads)
    _reads([[c for _, c in _names(b.get(k))] for b in tasks.values()
            for k in ("on-success", "on-error", "on-finish")], reads)
    published = {k for t in v2_tasks.values() for k in t["publish"]}
    inputs = [{n: None} for n in sorted(reads - published)]
    doc: dict[str, Any] = {
        "version": "2.0", "name": name,
        "workflows": {WORKFLOW: {"type": "reverse", "input": inputs, "tasks": v2_tasks}},
        "actions": {f"{s}.{a}": _adhoc(body, abody) for s, body in services.items()
                    for a, abody in body["actions"].items()},
    }
    try:  # the v2 checks (expressions above all), before transitions v2 has not in reverse
        parse_workbook(json.dumps(doc), max_depth=max_depth + 4, max_bytes=max_bytes * 4,
                       allowed_languages=allowed_languages)
    except DSLError as e:
        raise DSLError(errors=[_v1_problem(p) for p in e.errors]) from None
    for t, body in tasks.items():
        v2_tasks[t].update(_transitions(body))
    return V1Workbook(name, compiler.build_workbook(doc), events,
                      {t: str(body["action"]) for t, body in tasks.items()})


def _v1_problem(p: DSLProblem) -> DSLProblem:
    """A problem of the generated v2 document, at the v1 place it comes from."""
    path = p.path
    path = re.sub(rf"^workflows\.{WORKFLOW}\.tasks\.([^.\[]+)\.input\.?", r"Workflow.tasks.\1.",
                  path)
    path = re.sub(rf"^workflows\.{WORKFLOW}\.", "Workflow.", path)
    path = re.sub(r"^actions\.([^.]+)\.([^.]+)", r"Services.\1.actions.\2", path)
    return DSLProblem(path.rstrip("."), p.message, None)
