"""The differential test's runner: the same requests against the real Mistral 23 and ours.

The corpus is data under ``tests/integration/differential/``: ``requests/*.yaml`` (steps
run in file and list order, each server in a thread of its own), ``workflows.yaml`` (whole
workflows compared by end state, tasks, published data and output) and
``deliberate/*.yaml`` (every difference allowed, with its reason: one file per requests
file, named like it, and ``workflows.yaml`` for the ``workflow:<case>`` entries).

A step::

    - name: workflows list by name desc      # unique; failures name it
      method: GET                            # default GET
      path: /v2/workflows?sort_keys=name&sort_dirs=desc
      text: "..."                            # a text/plain body (definitions), or
      json: {...}                            # a JSON body
      save: {wf_id: id}                      # remember body fields (per server) as ${wf_id}
      until: {state: [SUCCESS, ERROR]}       # GET again until the field has one of these values
      sort: {workflows: name}                # order a list by a field (or [fields]) before comparing
      ignore: {input: why}                   # fields not compared (each with its reason)

``${name}`` in a path or body is a saved value. What must differ between two servers (ids,
timestamps, the host) is replaced in one place, :func:`normalise`.
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

CORPUS = Path(__file__).resolve().parent / "differential"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?")
VAR = re.compile(r"\$\{(\w+)\}")
ABSENT = "<absent>"
TERMINAL = ("SUCCESS", "ERROR", "CANCELLED")


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class Server:
    """One server's side of the run: its saved values and what its ids stand for."""

    url: str  # ends with /v2
    vars: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # uuid -> the variable that saved it
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def root(self) -> str:
        return self.url[: -len("/v2")]

    def sub(self, value: Any) -> Any:
        if isinstance(value, str):
            whole = VAR.fullmatch(value)
            if whole:  # a whole-value reference keeps the saved value's type
                return self.vars[whole.group(1)]
            return VAR.sub(lambda m: str(self.vars[m.group(1)]), value)
        if isinstance(value, dict):
            return {self.sub(k): self.sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.sub(v) for v in value]
        return value

    def call(self, method: str, path: str, text: str | None = None, body: Any = None) -> Answer:
        # As python-mistralclient: no Accept (so */*). A fresh connection each time: a
        # server may close an idle kept-alive one just as the next request goes out.
        headers: dict[str, str] = {"Connection": "close"}
        data: bytes | None = None
        if text is not None:
            headers["Content-Type"] = "text/plain"
            data = text.encode()
        elif body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        try:
            r = self.http.request(method, self.root + path, data=data, headers=headers, timeout=300)
        except requests.ConnectionError:  # status 0: the server closed without an answer
            return Answer(0, None)
        try:
            parsed = r.json() if r.content else None
        except ValueError:
            parsed = {"<text>": r.text}
        return Answer(r.status_code, parsed)

    def step(self, step: dict[str, Any]) -> Answer:
        method = step.get("method", "GET")
        path = self.sub(step["path"])
        text = self.sub(step["text"]) if "text" in step else None
        body = self.sub(step["json"]) if "json" in step else None
        deadline = time.monotonic() + step.get("timeout", 60)
        while True:
            answer = self.call(method, path, text, body)
            if answer.status == 0 and method == "GET":  # a dropped connection: once more
                answer = self.call(method, path, text, body)
            if not step.get("until") or answer.status >= 400 or time.monotonic() > deadline or all(
                    get(answer.body, k) in v for k, v in step["until"].items()):
                break
            time.sleep(0.3)
        for name, where in step.get("save", {}).items():
            self.save(name, get(answer.body, where))
        return answer

    def save(self, name: str, value: Any) -> None:
        self.vars[name] = value
        if isinstance(value, str) and UUID.fullmatch(value):
            self.names.setdefault(value, name)


def get(body: Any, where: str) -> Any:
    """``a.0.b`` in a JSON body; None when it is not there."""
    for part in where.split("."):
        if isinstance(body, list) and part.isdigit() and int(part) < len(body):
            body = body[int(part)]
        elif isinstance(body, dict) and part in body:
            body = body[part]
        else:
            return None
    return body


def normalise(value: Any, server: Server, error: bool = False) -> Any:
    """The one place where what must differ is made equal: ids become the name they were
    saved under (``<wf_id>``) or ``<uuid>``; timestamps ``<time>`` (``<time.frac>`` with
    fractional seconds, so that a format difference still shows); the server's own address
    ``<host>``; a JSON string its parsed value under ``(json)`` (so that a string and an
    object still differ); an error's wording ``<message>`` (its shape is compared)."""
    if isinstance(value, dict):
        out = {k: normalise(v, server) for k, v in value.items()}
        if error and isinstance(out.get("faultstring"), str):
            out["faultstring"] = "<message>"
        return out
    if isinstance(value, list):
        return [normalise(v, server) for v in value]
    if not isinstance(value, str):
        return value
    if value[:1] in "{[" and value[-1:] in "}]":
        try:
            return {"(json)": normalise(json.loads(value), server)}
        except ValueError:
            pass
    value = value.replace(server.root, "<host>")
    value = UUID.sub(lambda m: "<%s>" % server.names.get(m.group(0), "uuid"), value)
    return TIME.sub(lambda m: "<time.frac>" if m.group(1) else "<time>", value)


def diff(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every field where ``a`` (Mistral's) and ``b`` (ours) differ, as (path, a, b)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            yield from diff(a.get(k, ABSENT), b.get(k, ABSENT), "%s.%s" % (path, k) if path else k)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield (path + ".length", len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            yield from diff(x, y, "%s.%d" % (path, i))
    elif a != b or type(a) is not type(b):
        yield (path, a, b)


def prepare(step: dict[str, Any], answer: Answer, server: Server) -> dict[str, Any]:
    """An answer as compared: status and normalised body, lists in the step's order,
    ignored fields left out."""
    raw = answer.body
    if "path" in step and "sort_keys=" not in step["path"]:
        raw = _ties_in_order(raw, server)
    body = normalise(raw, server, error=answer.status >= 400)
    for key, by in step.get("sort", {}).items():
        items = get(body, key)
        if isinstance(items, list):
            fields = by if isinstance(by, list) else [by]
            items.sort(key=lambda item: json.dumps([get(item, f) for f in fields], sort_keys=True))
    for where in step.get("ignore", {}):
        _drop(body, where.split("."))
    return {"status": answer.status, "body": body}


def _ties_in_order(body: Any, server: Server) -> Any:
    """A list in its default order (created_at) with the rows of one created_at second in one
    order on both servers: Mistral 23 keeps created_at to the second and orders the rows of
    one second by their random ids, so that part of its order is chance, not behaviour."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    for key, rows in body.items():
        if not (isinstance(rows, list) and rows and all(isinstance(r, dict) and "created_at" in r for r in rows)):
            continue
        ordered: list[Any] = []
        i = 0
        while i < len(rows):
            j = i
            while j < len(rows) and rows[j]["created_at"] == rows[i]["created_at"]:
                j += 1
            ordered += sorted(rows[i:j], key=lambda r: json.dumps(
                [normalise(r.get(k), server) for k in ("name", "workflow_name", "id")]))
            i = j
        out[key] = ordered
    return out


def _drop(body: Any, parts: list[str]) -> None:
    if isinstance(body, list):
        for item in body:
            _drop(item, parts)
    elif isinstance(body, dict) and parts:
        if parts[0] == "*":
            for v in body.values():
                _drop(v, parts[1:])
        elif len(parts) == 1:
            body.pop(parts[0], None)
        elif parts[0] in body:
            _drop(body[parts[0]], parts[1:])


@dataclass
class Deliberate:
    """Where ours answers differently: request and field (fnmatch patterns; a list index
    is a path segment, ``actions.0.id``). ``kind`` is ``deliberate`` (safer, stricter or
    Mistral 23's own bug, with the reason) or ``open`` (not yet made to answer as Mistral
    23 does; the reason says what differs). ``racy``: the difference shows only when one
    server wins a race (which task ends first), so a run that does not show it is no sign
    that the entry is stale."""

    request: str
    field: str
    reason: str
    kind: str = "deliberate"
    racy: bool = False
    used: int = 0

    def covers(self, request: str, where: str) -> bool:
        return fnmatch.fnmatchcase(request, self.request) and fnmatch.fnmatchcase(where, self.field)


def load_deliberate() -> list[Deliberate]:
    """Every entry of ``deliberate/*.yaml``: ``request`` (a step's name, or
    ``workflow:<case>``) and ``field`` (a path in the compared answer, a list index being a
    segment; fnmatch patterns; ``'*'`` for the whole answer when the status differs),
    ``kind``, ``reason`` and ``racy`` (optional). A deliberate entry that explains nothing
    fails the test, unless it is racy."""
    entries: list[dict[str, Any]] = []
    for path in sorted((CORPUS / "deliberate").glob("*.yaml")):
        entries.extend(yaml.safe_load(path.read_text()) or [])
    for e in entries:
        assert e.get("kind", "deliberate") in ("deliberate", "open"), e
    return [Deliberate(e["request"], str(e["field"]), e["reason"], e.get("kind", "deliberate"),
                       bool(e.get("racy", False)))
            for e in entries]


def load_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for path in sorted((CORPUS / "requests").glob("*.yaml")):
        steps.extend(yaml.safe_load(path.read_text()) or [])
    names = [s["name"] for s in steps]
    dup = sorted({n for n in names if names.count(n) > 1})
    assert not dup, "step names must be unique: %s" % dup
    return steps


def run_both(mistral: Server, ours: Server, job: Any) -> tuple[Any, Any]:
    """``job(server)`` on both servers at once."""
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.submit(job, mistral), pool.submit(job, ours)
        return a.result(), b.result()


def compare(request: str, a: dict[str, Any], b: dict[str, Any],
            deliberate: list[Deliberate]) -> list[str]:
    """The unexplained differences of one request, each naming the request and the field."""
    found = list(diff(a, b))
    status_explained = False
    problems = []
    for where, x, y in found:
        entry = next((d for d in deliberate if d.covers(request, where)), None)
        if entry is not None:
            entry.used += 1
            status_explained |= where == "status"
        elif not (status_explained and where.startswith("body")):
            problems.append("%s: %s: Mistral 23 %s, ours %s" % (request, where, _short(x), _short(y)))
    if status_explained:  # a different status: the bodies are of different kinds
        problems = [p for p in problems if ": body" not in p]
    return problems


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) < 300 else text[:297] + "..."
