"""Parse + validate + compile a generated N-task workflow; print the time (not a test).

    /work/venv/bin/python tools/bench_lang.py [N=500] [repeats=5]

CPU time is reported beside wall time: on a shared machine it is the steadier figure.
Each task has distinct YAQL and Jinja expressions, publish, retry and a transition, so
expression caches do not flatter the figure. Also times a chain, a fan-in join and a
reverse workflow, and a warm re-parse (what the API pays per upload).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Callable

from mistral.lang import parse_workflows


def direct_chain(n: int, salt: int = 0) -> str:
    lines = ["version: '2.0'", "bench:", "  input: [x, y]", "  tasks:"]
    for i in range(n):
        lines += [
            f"    t{i}:",
            f"      action: std.echo output=\"<% $.x + {i + salt} %>\"",
            "      input:",
            f"        extra: '{{{{ _.y * {i + salt} }}}}'",
            "      publish:",
            f"        r{i}: <% task().result + {i + salt} %>",
            "      retry:",
            f"        count: {i % 5 + 1}",
            "        delay: 1",
        ]
        if i + 1 < n:
            lines += ["      on-success:", f"        - t{i + 1}: <% $.r{i} > {i + salt} %>"]
    return "\n".join(lines) + "\n"


def fan_in(n: int) -> str:
    lines = ["version: '2.0'", "fan:", "  tasks:", "    start:", "      on-success:"]
    lines += [f"        - b{i}" for i in range(n)]
    for i in range(n):
        lines += [f"    b{i}:", f"      action: std.echo output={i}", "      on-success: [j]"]
    lines += ["    j:", "      join: all", "      action: std.noop"]
    return "\n".join(lines) + "\n"


def reverse(n: int) -> str:
    lines = ["version: '2.0'", "rev:", "  type: reverse", "  tasks:"]
    for i in range(n):
        lines += [f"    t{i}:", "      action: std.noop"]
        if i:
            lines.append(f"      requires: [t{i - 1}]")
    return "\n".join(lines) + "\n"


def measure(label: str, make: Callable[[int], str], repeats: int) -> None:
    """``make(salt)`` builds the text; a new salt per run defeats expression caches."""
    times, cpu = [], []
    for run in range(repeats):
        text = make(run * 100_000)
        start, start_cpu = time.perf_counter(), time.process_time()
        spec = parse_workflows(text).workflows[0]
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"{label:<34} {len(spec.tasks):>5} tasks  {len(text) / 1024:6.1f} KiB  "
          f"wall first {times[0] * 1000:6.1f} median {statistics.median(times) * 1000:6.1f} ms  "
          f"cpu median {statistics.median(cpu) * 1000:6.1f} ms")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    start = time.perf_counter()
    parse_workflows("version: '2.0'\nwarm:\n  tasks:\n    t:\n      action: std.echo "
                    "output=<% 1 %>\n")
    print(f"process warm-up (YAQL/Jinja engines)  {(time.perf_counter() - start) * 1000:.1f} ms")
    measure("direct chain (fresh expressions)", lambda salt: direct_chain(n, salt), repeats)
    text = direct_chain(n)
    measure("direct chain (re-upload, cached)", lambda salt: text, repeats)
    measure("fan-in join", lambda salt: fan_in(n), repeats)
    measure("reverse chain", lambda salt: reverse(n), repeats)


if __name__ == "__main__":
    main()
