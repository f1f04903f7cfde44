"""Data-layer micro-benchmark: engine-style write transactions, reads, a 1,000-row list.

    python tools/bench_db.py [URL ...]      (default: a temporary SQLite file)

Each write transaction locks an execution, inserts a task and updates the execution
context, like one engine event. Figures only; nothing here is a test.
"""

from __future__ import annotations

import sys
import tempfile
import time

from mistral.context import RequestContext
from mistral.db.api import Database

N = 500


def bench(url: str) -> None:
    db = Database(url)
    db.drop_schema()
    db.create_schema()
    ctx = RequestContext(project_id="bench")
    with db.transaction(ctx) as tx:
        ex_id = tx.workflow_executions.create({"state": "RUNNING"}).id
    t0 = time.perf_counter()
    for i in range(N):
        with db.transaction(ctx) as tx:
            ex = tx.workflow_executions.lock(ex_id)
            tx.task_executions.create(
                {"workflow_execution_id": ex_id, "name": f"t{i}", "published": {"i": i}}
            )
            ex.context = {"i": i}
    write = (time.perf_counter() - t0) / N
    t0 = time.perf_counter()
    for _ in range(N):
        with db.transaction(ctx, readonly=True) as tx:
            tx.workflow_executions.get(ex_id)
    read = (time.perf_counter() - t0) / N
    with db.transaction(ctx) as tx:
        tx.task_executions.create_many(
            [{"workflow_execution_id": ex_id, "name": f"x{i}"} for i in range(1000 - N)]
        )
    t0 = time.perf_counter()
    with db.transaction(ctx, readonly=True) as tx:
        rows = tx.task_executions.list(filters={"workflow_execution_id": ex_id})
    listing = time.perf_counter() - t0
    print(
        f"{db.dialect_name:10} write tx {write * 1e3:5.2f} ms ({1 / write:5.0f}/s)  "
        f"read tx {read * 1e3:5.2f} ms  list {len(rows)} rows {listing * 1e3:5.1f} ms"
    )
    db.drop_schema()
    db.dispose()


if __name__ == "__main__":
    urls = sys.argv[1:] or [f"sqlite:///{tempfile.mkdtemp()}/bench.db"]
    for url in urls:
        bench(url)
