"""Parse + validate + compile a generated N-task workflow; print the time (not a test).

    /work/venv/bin/python tools/bench_lang.py [N=500] [repeats=5]

Each task has distinct YAQL and Jinja expressions, publish, retry and a transition, so
expression caches do not flatter the figure. Also times a chain, a fan-in join and a
reverse workflow, and a warm re-parse (what the API pays per upload).
"""

from __future__ import annotations

import statistics
import sys
import time

from mistral.lang import parse_workflows


def direct_chain(n: int) -> str:
    lines = ["version: '2.0'", "bench:", "  input: [x, y]", "  tasks:"]
    for i in range(n):
        lines += [
            f"    t{i}:",
            f"      action: std.echo output=\"<% $.x + {i} %>\"",
            "      input:",
            f"        extra: '{{{{ _.y * {i} }}}}'",
            "      publish:",
            f"        r{i}: <% task().result + {i} %>",
            "      retry:",
            f"        count: {i % 5 + 1}",
            "        delay: 1",
        ]
        if i + 1 < n:
            lines += ["      on-success:", f"        - t{i + 1}: <% $.r{i} > {i} %>"]
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


def measure(label: str, text: str, repeats: int) -> None:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        spec = parse_workflows(text).workflows[0]
        times.append(time.perf_counter() - start)
    print(f"{label:<28} {len(spec.tasks):>5} tasks  {len(text) / 1024:7.1f} KiB  "
          f"first {times[0] * 1000:7.1f} ms  median {statistics.median(times) * 1000:7.1f} ms")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    measure("direct chain (expressions)", direct_chain(n), repeats)
    measure("fan-in join", fan_in(n), repeats)
    measure("reverse chain", reverse(n), repeats)


if __name__ == "__main__":
    main()
