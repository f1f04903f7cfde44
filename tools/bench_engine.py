#!/usr/bin/env python
"""Engine figures (not a test): one engine, one process, SQLite.

    python tools/bench_engine.py [--executor inline|local] [--db sqlite:///path]

Scenarios: a 50-task chain, a 100-way fan-out joined with ``join: all``, a
1,000-item with-items, a 100-task chain inside a 1,000-task definition (what one event
costs when the spec is large), and a 1,000-item with-items whose expressions see
~1 MB of workflow data (all at once, and 10 at a time) (``--only`` picks scenarios by number, e.g. ``--only 4,5``). ``inline`` runs each std action right after the engine's
commit, in the calling thread (no pool); ``local`` uses the real bounded-pool
``LocalExecutor`` with heartbeats. Prints seconds per scenario.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import deque
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mistral import lang  # noqa: E402
from mistral.actions.base import ActionContext  # noqa: E402
from mistral.actions.registry import ActionRegistry  # noqa: E402
from mistral.context import RequestContext  # noqa: E402
from mistral.db.api import Database  # noqa: E402
from mistral.engine.default_engine import DefaultEngine  # noqa: E402
from mistral.engine.interface import ActionResult, RunActionRequest  # noqa: E402
from mistral.engine.settings import EngineSettings  # noqa: E402

CTX = RequestContext()


def chain(n: int) -> str:
    tasks = []
    for i in range(n):
        nxt = f"\n      on-success: [t{i + 1}]" if i < n - 1 else ""
        tasks.append(f"    t{i}:\n      action: std.echo output={i}\n"
                     f"      publish: {{last: <% task().result %>}}{nxt}")
    return "version: '2.0'\nchain:\n  output: {last: <% $.last %>}\n  tasks:\n" + "\n".join(tasks)


def fan_out(n: int) -> str:
    branches = "\n".join(
        f"    b{i}:\n      action: std.echo output={i}\n      on-success: [join_all]"
        for i in range(n))
    names = ", ".join(f"b{i}" for i in range(n))
    return (f"version: '2.0'\nfan:\n  tasks:\n    start:\n      action: std.noop\n"
            f"      on-success: [{names}]\n{branches}\n    join_all:\n      join: all\n"
            f"      action: std.noop\n")


def with_items(n: int) -> str:
    return (f"version: '2.0'\nitems:\n  output: {{count: <% len($.r) %>}}\n  tasks:\n"
            f"    t:\n      with-items: i in <% range({n}) %>\n"
            f"      action: std.echo output=<% $.i %>\n      publish: {{r: <% task().result %>}}\n")


def big_definition(total: int, run: int) -> str:
    """``run`` tasks chained; the rest hang off t0's on-error and never run."""
    tasks = []
    for i in range(run):
        nxt = f"\n      on-success: [t{i + 1}]" if i < run - 1 else ""
        err = "\n      on-error: [x0]" if i == 0 else ""
        tasks.append(f"    t{i}:\n      action: std.noop{nxt}{err}")
    for i in range(total - run):
        nxt = f"\n      on-success: [x{i + 1}]" if i < total - run - 1 else ""
        tasks.append(f"    x{i}:\n      action: std.noop{nxt}")
    return "version: '2.0'\nbig:\n  tasks:\n" + "\n".join(tasks)


def items_with_data(n: int, concurrency: int = 0) -> str:
    extra = f"      concurrency: {concurrency}\n" if concurrency else ""
    return (f"version: '2.0'\nitems_data{concurrency}:\n  input: [items, blob]\n"
            "  output: {count: <% len($.r) %>}\n  tasks:\n"
            f"    t:\n{extra}      with-items: i in <% $.items %>\n"
            "      action: std.echo output=<% $.i.k0 %>\n"
            "      publish: {r: <% task().result %>}\n")


def items_data_input(n: int) -> dict:
    return {"items": [{f"k{j}": j for j in range(20)} for _ in range(n)],
            "blob": [{"a": i, "b": [i, str(i)], "c": {"d": i}} for i in range(10_000)]}


class InlineExecutor:
    """Runs queued actions after the engine's commit, in this thread (no pool)."""

    def __init__(self, registry: ActionRegistry) -> None:
        self.registry = registry
        self.engine: Any = None
        self.queue: deque = deque()

    def run_action(self, ctx: RequestContext, request: RunActionRequest) -> ActionResult | None:
        self.queue.append((ctx, request))
        return None

    def drain(self) -> None:
        while self.queue:
            ctx, req = self.queue.popleft()
            # what the real executor asks before it runs an action
            if not self.engine.claim_action(ctx, req.action_ex_id, "inline", "inline:1"):
                continue
            action = self.registry.build(req.action_name, req.action_input)
            value = action.run(ActionContext.build(ctx, req.action_ex_id, req.execution_context))
            self.engine.on_action_complete(ctx, req.action_ex_id, ActionResult(data=value))


class NoTimers:
    def schedule(self, tx: Any, handler_key: str, run_at: Any, args: dict,
                 key: str | None = None) -> None:
        raise RuntimeError("the benchmark scenarios use no timers")


def define(db: Database, text: str) -> str:
    spec = lang.parse_workflows(text).workflows[0]
    with db.transaction(CTX) as tx:
        tx.workflow_definitions.create({
            "name": spec.name, "namespace": "", "definition": text, "spec": spec.to_dict(),
            "checksum": str(hash(text)), "scope": "private"})
    return spec.name


def wait_done(db: Database, wf_id: str, executor: Any, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        if isinstance(executor, InlineExecutor):
            executor.drain()
        with db.transaction(CTX, readonly=True) as tx:
            wf = tx.workflow_executions.get(wf_id, fields=("state", "state_info", "output"))
            state, info, output = wf.state, wf.state_info, wf.output
        if state in ("SUCCESS", "ERROR", "CANCELLED"):
            return {"state": state, "state_info": info, "output": output}
        if time.monotonic() > deadline:
            raise SystemExit(f"{wf_id} still {state} after {timeout}s")
        time.sleep(0.01)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--executor", choices=("inline", "local"), default="inline")
    p.add_argument("--db", default=None)
    p.add_argument("--only", default="", help="scenario numbers, e.g. 1,4")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="cProfile the run (inline executor: one thread) and print the top N")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-engine-")
    db = Database(args.db or f"sqlite:///{tmp}/bench.db")
    db.create_schema()
    registry = ActionRegistry.load()
    if args.executor == "inline":
        executor: Any = InlineExecutor(registry)
    else:
        from mistral.executors.local import LocalExecutor

        executor = LocalExecutor(registry, max_workers=8)
    engine = DefaultEngine(db, executor, NoTimers(), EngineSettings(), registry=registry)
    if args.executor == "inline":
        executor.engine = engine
    else:
        executor.attach_engine(engine)
        executor.start()
    print(f"engine bench: executor={args.executor} db={db.dialect_name}")
    try:
        scenarios = (("50-task chain", chain(50), {}),
                     ("100-way fan-out + join: all", fan_out(100), {}),
                     ("1,000-item with-items", with_items(1000), {}),
                     ("100 of a 1,000-task definition", big_definition(1000, 100), {}),
                     ("1,000 items, ~1 MB of data", items_with_data(1000),
                      items_data_input(1000)),
                     ("same, concurrency: 10", items_with_data(1000, 10),
                      items_data_input(1000)))
        only = {int(x) for x in args.only.split(",") if x}
        prof = None
        if args.profile:
            import cProfile

            prof = cProfile.Profile()
        for number, (label, text, wf_input) in enumerate(scenarios, 1):
            if only and number not in only:
                continue
            name = define(db, text)
            t0, c0 = time.perf_counter(), time.process_time()
            if prof is not None:
                prof.enable()
            wf = engine.start_workflow(CTX, name, wf_input=wf_input)
            result = wait_done(db, wf["id"], executor)
            if prof is not None:
                prof.disable()
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            out = str(result["output"])
            print(f"  {label:32s} {dt:7.2f} s  {cpu:7.2f} s CPU   {result['state']} {out:.60}")
            if result["state"] != "SUCCESS":
                print("   ", result["state_info"])
        if prof is not None:
            import pstats

            pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)
    finally:
        if args.executor == "local":
            executor.stop()
        db.dispose()


if __name__ == "__main__":
    main()
