#!/usr/bin/env python
"""Ours embedded, ours as a cluster and the real Mistral 23, in one run, in one table.

    .venv/bin/python tools/bench_compare.py [--out DIR] [--layouts embedded,cluster,mistral]
                                            [--items 1000] [--executions 100] [--quick]

(``tools/bench-vs-mistral.sh`` runs it.) A benchmark, not a test: it prints figures and
never fails on a time. Every layout is started and stopped here, on ports the OS picks,
and whatever it made (processes, a RabbitMQ vhost, a PostgreSQL database, state
directories) is removed at exit, also after a failure or Ctrl-C.

* embedded: ``mistral-server --server all`` on the defaults (SQLite, ``fake:/``, the
  engine runs actions in its own pool); W1-W5 twice (peak RSS after each pass: memory
  must stay flat) and W6.
* cluster: api, engine and two executors as separate processes over RabbitMQ (a vhost of
  its own) and PostgreSQL (a database of its own); W1-W6, then a second engine and a
  third executor join and W5 runs again.
* mistral: the real Mistral 23 (``../shared/bench/anchor.sh``, SQLite + RabbitMQ);
  W1-W5 and W6 with ``--anchor-def-tasks`` tasks (it needs about a minute for 200).

Workloads are the shared kit's (``../shared/bench/bench.py``, over the REST API only).
Peak RSS is each process's ``VmHWM``. ``PROFILE=1`` records py-spy folded stacks of our
engine and executor processes (needs py-spy) into the output directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _find_bench() -> Path:
    env = os.environ.get("BENCH_DIR")
    if env:
        return Path(env)
    for p in ROOT.parents:
        if (p / "shared" / "bench" / "bench.py").is_file():
            return p / "shared" / "bench"
    return ROOT.parent / "shared" / "bench"


BENCH = _find_bench()
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_http(url: str, proc: subprocess.Popen | None, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} in {timeout:.0f} s")


class Procs:
    """Processes started here; each in a session of its own, killed as a group at exit."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.spies: list[subprocess.Popen] = []
        self.profiled: set[str] = set()

    def start(self, name: str, argv: list[str], logfile: Path, **kw: Any) -> subprocess.Popen:
        out = open(logfile, "w")
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, **kw)
        out.close()
        self.procs[name] = proc
        self.logs[name] = logfile
        return proc

    def profile(self) -> None:
        """With ``PROFILE=1``: py-spy (only samples holding the GIL: Python's CPU work)
        on every process not profiled yet, into ``<name>.folded`` beside its log."""
        spy = shutil.which("py-spy", path=f"{BIN}:{os.environ.get('PATH', '')}")
        if os.environ.get("PROFILE") != "1" or not spy:
            return
        for name, proc in self.procs.items():
            if name in self.profiled:
                continue
            self.profiled.add(name)
            self.spies.append(subprocess.Popen(
                [spy, "record", "--gil", "-r", "100", "-f", "raw",
                 "-o", str(self.logs[name].with_suffix(".folded")), "-p", str(proc.pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def cpu(self) -> dict[str, float]:
        return {n: cpu_s(p.pid) for n, p in self.procs.items()}

    def rss(self) -> dict[str, float | None]:
        return {n: peak_rss_mb(p.pid) for n, p in self.procs.items()}

    def stop_all(self) -> None:
        for spy in self.spies:
            with contextlib.suppress(OSError):
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for spy in self.spies:
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(30)
        for p in self.procs.values():
            with contextlib.suppress(OSError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in self.procs.values():
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.procs.clear()
        self.spies.clear()


def run_bench(url: str, only: str, out: Path, extra: list[str],
              cpu: Any = None) -> dict[str, Any]:
    """The kit's workloads, one bench.py run each; with ``cpu`` (a callable giving the
    server processes' CPU seconds) each result gets ``server_cpu_s``: what the servers
    spent on it, a figure the machine's load disturbs far less than wall time."""
    res: dict[str, Any] = {}
    for w in only.split(","):
        path = out.with_name(f"{out.stem}-{w}.json")
        argv = [sys.executable, str(BENCH / "bench.py"), "--url", url, "--only", w,
                "--json", str(path), *extra]
        log("  $ " + " ".join(argv[1:]))
        before = cpu() if cpu else {}
        subprocess.run(argv, check=False, stdout=sys.stderr)
        try:
            res.update(json.loads(path.read_text()))
        except (OSError, ValueError):
            res[w] = {"error": "bench.py wrote no result"}
            continue
        if cpu is not None and w in res:
            after = cpu()
            spent = {n: round(after[n] - before.get(n, 0.0), 3) for n in after}
            res[w]["server_cpu_s"] = round(sum(spent.values()), 3)
            res[w]["cpu_by_process_s"] = spent
    out.write_text(json.dumps(res, indent=1))
    return res


def mistral_server(conf: Path) -> list[str]:
    return [str(BIN / "mistral-server"), "--config-file", str(conf), "--server"]


def db_upgrade(conf: Path, logfile: Path) -> None:
    with open(logfile, "w") as f:
        subprocess.run([str(BIN / "mistral-db-manage"), "--config-file", str(conf), "upgrade", "head"],
                       check=True, stdout=f, stderr=subprocess.STDOUT)


# -- layouts ----------------------------------------------------------------------------


def embedded(a: argparse.Namespace, out: Path) -> dict[str, Any]:
    d = out / "embedded"
    d.mkdir()
    port = free_port()
    conf = d / "mistral.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {d / 'state'}\n[api]\nhost = 127.0.0.1\nport = {port}\n")
    db_upgrade(conf, d / "db-manage.log")
    procs = Procs()
    try:
        proc = procs.start("all", mistral_server(conf) + ["all"], d / "server.log")
        url = f"http://127.0.0.1:{port}/v2"
        wait_http(url, proc)
        procs.profile()
        res = run_bench(url, a.main, d / "pass1.json", a.bench_args, procs.cpu)
        rss1 = procs.rss()["all"]
        res2 = run_bench(url, a.main, d / "pass2.json", a.bench_args, procs.cpu)
        rss2 = procs.rss()["all"]
        w6 = run_bench(url, "W6", d / "w6.json", ["--def-tasks", str(a.def_tasks)], procs.cpu)
        res.update(w6)
        res["second_pass"] = res2
        res["rss"] = {"all (after pass 1)": rss1, "all (after pass 2)": rss2,
                      "all (end)": procs.rss()["all"]}
        return res
    finally:
        procs.stop_all()


def _psql(sql: str, dbname: str = "postgres") -> None:
    host, _, port = os.environ.get("PG_HOST", "127.0.0.1:5432").partition(":")
    subprocess.run(["psql", "-h", host, "-p", port or "5432", "-U", "postgres", "-d", dbname,
                    "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, stdout=subprocess.DEVNULL)


def cluster(a: argparse.Namespace, out: Path) -> dict[str, Any]:
    d = out / "cluster"
    d.mkdir()
    tag = f"bench{int(time.time())}{os.getpid()}"
    vhost, dbname = f"mistral-{tag}", f"mistral_{tag}"
    rabbit = os.environ.get("RABBIT", "127.0.0.1:5672")
    pg = os.environ.get("PG_HOST", "127.0.0.1:5432")
    port = free_port()
    procs = Procs()
    made: list[str] = []
    try:
        _rabbitmqctl("add_vhost", vhost)
        made.append("vhost")
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        _psql(f'CREATE DATABASE "{dbname}"')
        made.append("db")
        conf = d / "mistral.conf"
        conf.write_text(
            f"[DEFAULT]\ntransport_url = rabbit://guest:guest@{rabbit}/{vhost}\n"
            f"state_path = {d / 'state'}\n"
            f"[database]\nconnection = postgresql+psycopg2://postgres@{pg}/{dbname}\n"
            f"[api]\nhost = 127.0.0.1\nport = {port}\n[executor]\ntype = remote\n")
        db_upgrade(conf, d / "db-manage.log")

        def start(name: str, server: str, section: str) -> subprocess.Popen:
            own = d / f"{name}.conf"
            own.write_text(f"[{section}]\nhost = {name}\n")
            return procs.start(name, mistral_server(conf) + [server, "--config-file", str(own)],
                               d / f"{name}.log")

        start("engine-1", "engine", "engine")
        start("executor-1", "executor", "executor")
        start("executor-2", "executor", "executor")
        api = procs.start("api", mistral_server(conf) + ["api"], d / "api.log")
        url = f"http://127.0.0.1:{port}/v2"
        wait_http(url, api)
        _wait_services(url, {"engine": 1, "executor": 2})
        procs.profile()
        res = run_bench(url, a.main + ",W6", d / "pass1.json",
                        a.bench_args + ["--def-tasks", str(a.def_tasks)], procs.cpu)
        res["rss"] = procs.rss()
        if "W5" in a.main.split(","):
            start("engine-2", "engine", "engine")
            start("executor-3", "executor", "executor")
            _wait_services(url, {"engine": 2, "executor": 3})
            procs.profile()
            more = run_bench(url, "W5", d / "scaled.json", a.bench_args, procs.cpu)
            res["W5 (2 engines, 3 executors)"] = more.get("W5", {})
            res["rss"].update({k: v for k, v in procs.rss().items() if k not in res["rss"]})
        errors = sum(_count_errors(d / f"{n}.log") for n in procs.procs)
        res["log_errors"] = errors
        # when each action was made, claimed (last_heartbeat at its claim; later
        # heartbeats move it) and finished, for a look at where the time went
        with contextlib.suppress(subprocess.CalledProcessError):
            _psql(f'\\copy (SELECT created_at, last_heartbeat, updated_at, executor_host '
                  f'FROM action_executions_v2 ORDER BY created_at) TO \'{d}/actions.csv\' CSV',
                  dbname)
        return res
    finally:
        procs.stop_all()
        if "vhost" in made:
            with contextlib.suppress(subprocess.CalledProcessError):
                _rabbitmqctl("delete_vhost", vhost)
        if "db" in made:
            with contextlib.suppress(subprocess.CalledProcessError):
                _psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _wait_services(url: str, want: dict[str, int], timeout: float = 60.0) -> None:
    """Until /v2/services lists the members (their RPC servers listen by then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/services", timeout=5) as r:
                members = json.load(r).get("services", [])
            counts: dict[str, int] = {}
            for m in members:
                kind = str(m.get("type", "")).replace("_group", "")
                counts[kind] = counts.get(kind, 0) + 1
            if all(counts.get(k, 0) >= n for k, n in want.items()):
                time.sleep(1.0)
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    log(f"  (services {want} not all listed after {timeout:.0f} s; going on)")


def _count_errors(path: Path) -> int:
    try:
        return sum(1 for line in path.read_text(errors="replace").splitlines() if " ERROR " in line)
    except OSError:
        return 0


def anchor(a: argparse.Namespace, out: Path) -> dict[str, Any]:
    d = out / "mistral"
    d.mkdir()
    env = dict(os.environ)
    env["ANCHOR_DIR"] = str(d)
    venv = os.environ.get("ANCHOR_VENV") or next(
        (str(p) for p in (Path.home() / ".cache/mistral-tests/mistral-23.0.0",)
         if (p / "bin" / "mistral-server").exists()), str(d / "venv"))
    env["ANCHOR_VENV"] = venv
    env["OS_DEFAULT__RPC_RESPONSE_TIMEOUT"] = "300"
    # Cron triggers in its periodic process, not in its master's thread (which can hang a
    # service process forked while it held the SQLite lock: tests/integration/anchor.py).
    env["OS_CRON_TRIGGER__RUN_IN_API"] = "False"
    env.pop("PYTHONPATH", None)
    script = str(BENCH / "anchor.sh")
    port = free_port()
    try:
        # from outside the checkout: its Python step must import the real mistral package
        started = subprocess.run(["bash", script, "start", str(port)], cwd=str(d), env=env,
                                 capture_output=True, text=True, timeout=900)
        if started.returncode != 0:
            raise RuntimeError("the real Mistral did not start: " + started.stderr[-500:])
        url = started.stdout.strip().splitlines()[-1]
        pid = int((d / "run" / "pid").read_text())

        def pids() -> list[int]:
            kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
            return [pid, *map(int, kids.stdout.split())]

        def cpu() -> dict[str, float]:
            return {str(p): cpu_s(p) for p in pids()}

        res = run_bench(url, a.main, d / "pass1.json", a.bench_args, cpu)
        if a.anchor_def_tasks > 0:
            res.update(run_bench(url, "W6", d / "w6.json", ["--def-tasks", str(a.anchor_def_tasks)],
                                 cpu))
        res["rss"] = {f"{'master' if p == pid else 'worker'} {p}": peak_rss_mb(p) for p in pids()}
        return res
    finally:
        subprocess.run(["bash", script, "stop"], cwd=str(d), env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- the table ----------------------------------------------------------------------------

# workload -> (label, key, unit, higher is better, scale)
ROWS = (
    ("W1", "one-task latency, median", "median_s", "ms", False, 1000.0),
    ("W2", "50-task chain with publish", "tasks_per_s", "tasks/s", True, 1.0),
    ("W3", "100-way fan-out + join", "median_s", "s", False, 1.0),
    ("W4", "with-items", "items_per_s", "items/s", True, 1.0),
    ("W5", "concurrent 5-task executions", "tasks_per_s", "tasks/s", True, 1.0),
)


def _value(res: dict[str, Any], w: str, key: str, scale: float) -> float | None:
    v = (res or {}).get(w, {}).get(key)
    return None if v is None else float(v) * scale


def _cell(res: dict[str, Any], w: str, key: str, scale: float) -> str:
    r = (res or {}).get(w)
    if not r:
        return "-"
    if "error" in r or "state" in r:
        return "failed"
    v = _value(res, w, key, scale)
    return "-" if v is None else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def _ratio(ours: dict, theirs: dict, w: str, key: str, higher: bool) -> str:
    a, b = _value(ours, w, key, 1.0), _value(theirs, w, key, 1.0)
    if not a or not b:
        return "-"
    return f"{(a / b if higher else b / a):.1f}x"


def table(results: dict[str, dict[str, Any]], a: argparse.Namespace) -> str:
    emb, clu, mis = (results.get(k, {}) for k in ("embedded", "cluster", "mistral"))
    head = ("workload", "Mistral 23", "ours, embedded", "ratio", "ours, cluster", "ratio")
    lines = [head]
    for w, label, key, unit, higher, scale in ROWS:
        name = {"W4": f"{w} {label} over {a.items:,} items ({unit})",
                "W5": f"{w} {a.executions} {label} ({unit})"}.get(w, f"{w} {label} ({unit})")
        lines.append((name, _cell(mis, w, key, scale), _cell(emb, w, key, scale),
                      _ratio(emb, mis, w, key, higher), _cell(clu, w, key, scale),
                      _ratio(clu, mis, w, key, higher)))
    scaled = {"W5": clu.get("W5 (2 engines, 3 executors)") or {}}
    if scaled["W5"]:
        lines.append(("W5 with 2 engines + 3 executors (tasks/s)", "", "", "",
                      _cell(scaled, "W5", "tasks_per_s", 1.0), _ratio(scaled, mis, "W5", "tasks_per_s", True)))
    w6 = []
    for res in (mis, emb, clu):
        r = res.get("W6") or {}
        w6.append(f"{max(r.get('chain_s', 0), r.get('independent_s', 0)):.2f} s / {r['tasks']}"
                  if "tasks" in r and "error" not in r else "-")
    lines.append(("W6 storing a definition (s / tasks)", w6[0], w6[1], "", w6[2], ""))
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(head))]
    fmt = "| " + " | ".join("{:<%d}" % n for n in widths) + " |"
    out = [fmt.format(*lines[0]), "|" + "|".join("-" * (n + 2) for n in widths) + "|"]
    out += [fmt.format(*row) for row in lines[1:]]
    out.append("")
    out.append("CPU seconds the servers spent per workload (user + system, all processes;")
    out.append("steadier than wall time on a loaded machine), and Mistral's / ours:")
    cpu_rows = [("workload", "Mistral 23", "embedded", "ratio", "cluster", "ratio")]
    for w in WORKLOADS:
        cells = [str((r.get(w) or {}).get("server_cpu_s", "-")) for r in (mis, emb, clu)]
        rat = []
        for r in (emb, clu):
            m, o = (mis.get(w) or {}).get("server_cpu_s"), (r.get(w) or {}).get("server_cpu_s")
            rat.append(f"{m / o:.1f}x" if m and o and w != "W6" else "-")
        cpu_rows.append((w, cells[0], cells[1], rat[0], cells[2], rat[1]))
    cw = [max(len(str(row[i])) for row in cpu_rows) for i in range(6)]
    cfmt = "  " + "  ".join("{:<%d}" % n for n in cw)
    out += [cfmt.format(*row) for row in cpu_rows]
    by_proc = [(w, (clu.get(w) or {}).get("cpu_by_process_s")) for w in WORKLOADS]
    if any(v for _, v in by_proc):
        out.append("  cluster, by process: " + "; ".join(
            f"{w} " + ", ".join(f"{n} {t:.2f}" for n, t in v.items()) for w, v in by_proc if v))
    out.append("")
    out.append("Peak RSS (VmHWM) per process:")
    for layout, res in (("Mistral 23", mis), ("embedded", emb), ("cluster", clu)):
        rss = res.get("rss") or {}
        if rss:
            shown = ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items() if v is not None)
            out.append(f"  {layout}: {shown}")
    if clu.get("log_errors"):
        out.append(f"  cluster log lines at ERROR: {clu['log_errors']}")
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=None, help="output directory (default: a new temporary one)")
    p.add_argument("--layouts", default="embedded,cluster,mistral")
    p.add_argument("--only", default="W1,W2,W3,W4,W5", help="workloads besides W6")
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--executions", type=int, default=100)
    p.add_argument("--reps-latency", type=int, default=20)
    p.add_argument("--def-tasks", type=int, default=1000, help="W6 size for ours")
    p.add_argument("--anchor-def-tasks", type=int, default=100,
                   help="W6 size for the real Mistral (0: skip; it needs ~1 min for 200)")
    p.add_argument("--quick", action="store_true", help="small sizes, to try the command out")
    a = p.parse_args()
    if a.quick:
        a.items, a.executions, a.reps_latency, a.def_tasks, a.anchor_def_tasks = 100, 20, 5, 100, 20
    a.main = a.only
    a.bench_args = ["--items", str(a.items), "--executions", str(a.executions),
                    "--reps-latency", str(a.reps_latency)]
    out = Path(a.out or tempfile.mkdtemp(prefix="mistral-bench-"))
    if out.exists() and a.out:
        for sub in ("embedded", "cluster", "mistral"):
            shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    # SIGTERM/SIGHUP end the run like Ctrl-C, so every finally: below cleans up
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    layouts = {"embedded": embedded, "cluster": cluster, "mistral": anchor}
    results: dict[str, dict[str, Any]] = {}
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    for name in a.layouts.split(","):
        log(f"== {name}")
        t0 = time.monotonic()
        try:
            results[name] = layouts[name](a, out)
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            log(f"  {name} failed: {e}")
            results[name] = {"failed": str(e)}
        except KeyboardInterrupt:
            log(f"  interrupted during {name}; everything started is stopped")
            break
        log(f"  ({time.monotonic() - t0:.0f} s)")
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"Run of {started} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end); "
          f"figures in {out}")
    print(table(results, a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
