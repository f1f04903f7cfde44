"""Memory over many executions: RSS of one mistral-server process (api, engine and a
local executor) while N executions (default 10,000) run through it.

    .venv/bin/python tools/bench_memory.py [--executions 10000] [--db-url URL]

Without ``--db-url`` a database of its own is made on the local PostgreSQL (and dropped
at the end). Executions are started over HTTP, at most ``--in-flight`` at a time, each a
3-task workflow (a with-items of 3 in the middle). The server's VmRSS is sampled every
``--every`` finished executions; the figure that matters is the growth after warm-up
(the first ``--warmup`` executions), printed at the end. A tool, not a test: its numbers
are for the record (issue 18), never a pass/fail threshold.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SERVER = str(Path(sys.executable).with_name("mistral-server"))
PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"

WORKFLOW = """---
version: '2.0'
mem_wf:
  input: [n]
  tasks:
    first:
      action: std.echo output=<% $.n %>
      publish: {v: <% task().result %>}
      on-success: middle
    middle:
      with-items: i in <% [1, 2, 3] %>
      action: std.echo output=<% $.i %>
      on-success: last
    last:
      action: std.echo output=done
"""


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database() -> tuple[str, str]:
    import sqlalchemy as sa

    name = "mistral_mem_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}", name


def drop_database(name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--executions", type=int, default=10_000)
    ap.add_argument("--in-flight", type=int, default=40)
    ap.add_argument("--every", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=1_000)
    ap.add_argument("--db-url")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from mistral.db import migration
    from mistral.db.api import Database

    dropped = None
    db_url = args.db_url
    if db_url is None:
        db_url, dropped = make_database()
    db = Database(db_url)
    migration.upgrade(db)
    db.dispose()
    work = Path(tempfile.mkdtemp(prefix="mistral-mem-"))
    port = free_port()
    conf = work / "mistral.conf"
    conf.write_text(f"[DEFAULT]\ntransport_url = fake:/\nstate_path = {work}\n"
                    f"[database]\nconnection = {db_url}\n[api]\nhost = 127.0.0.1\nport = {port}\n"
                    "[executor]\ntype = local\n")
    log = open(work / "server.log", "wb")
    proc = subprocess.Popen([SERVER, "--server", "all", "--config-file", str(conf)],
                            stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}"
    samples: list[tuple[int, int, float]] = []
    try:
        for _ in range(300):
            try:
                if requests.get(api + "/v2/services", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        r = requests.post(api + "/v2/workflows", data=WORKFLOW,
                          headers={"Content-Type": "text/plain"}, timeout=30)
        r.raise_for_status()
        session = requests.Session()

        def one(n: int) -> str:
            body = {"workflow_name": "mem_wf", "input": json.dumps({"n": n})}
            ex_id = session.post(api + "/v2/executions", json=body, timeout=60).json()["id"]
            while True:
                state = session.get(f"{api}/v2/executions/{ex_id}", timeout=60).json()["state"]
                if state in ("SUCCESS", "ERROR", "CANCELLED"):
                    return state
                time.sleep(0.5)

        t0 = time.monotonic()
        samples.append((0, rss_kb(proc.pid), 0.0))
        states: dict[str, int] = {}
        with ThreadPoolExecutor(args.in_flight) as pool:
            for start in range(0, args.executions, args.every):
                n = min(args.every, args.executions - start)
                for st in pool.map(one, range(start, start + n)):
                    states[st] = states.get(st, 0) + 1
                done = start + n
                samples.append((done, rss_kb(proc.pid), time.monotonic() - t0))
                print(f"{done:>7} executions  RSS {samples[-1][1] / 1024:8.1f} MiB  "
                      f"{samples[-1][2]:7.0f} s  {states}", flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if dropped:
            drop_database(dropped)
    warm = [s for s in samples if s[0] >= args.warmup]
    if len(warm) >= 2:
        first, last = warm[0], warm[-1]
        peak = max(s[1] for s in warm)
        print(f"after warm-up ({first[0]} executions): RSS {first[1] / 1024:.1f} MiB -> "
              f"{last[1] / 1024:.1f} MiB at {last[0]} (peak {peak / 1024:.1f} MiB): "
              f"{(last[1] - first[1]) / 1024:+.1f} MiB over {last[0] - first[0]} executions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
