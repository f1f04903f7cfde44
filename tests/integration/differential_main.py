"""The differential corpus from the command line, for working on its differences::

    .venv/bin/python -m tests.integration.differential_main [--requests | --workflows]
        [--cases NAME,...] [--mistral URL] [--ours URL]

Without ``--mistral`` / ``--ours`` it starts the real Mistral 23 (``../shared/bench/anchor.sh``)
and a ``mistral-server`` of this checkout in temporary directories, and stops them after.
A server given by URL is reused: the request corpus names its resources, so run it once per
fresh server (the workflow cases may run again and again). It prints every unexplained
difference, the open entries still seen and the entries that explained nothing; the exit
code is 1 when something is unexplained. The pass/fail check is ``test_differential.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.compat.harness import running_server
from tests.integration import differential as d
from tests.integration import differential_workflows as dw
from tests.integration.anchor import real_mistral
from tests.integration.conftest import ANCHOR_POLICY


@contextlib.contextmanager
def _server(url: str | None, start: object, *args: object) -> Iterator[str]:
    if url:
        yield url.rstrip("/") if url.rstrip("/").endswith("/v2") else url.rstrip("/") + "/v2"
        return
    # Not a TemporaryDirectory: the real Mistral is stopped in the background by the pid
    # file under this directory, which must still be there when the stop reads it.
    work = tempfile.mkdtemp(prefix="differential-")
    with start(Path(work), *args) as started:  # type: ignore[operator]
        yield started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--requests", action="store_true", help="only the request corpus")
    which.add_argument("--workflows", action="store_true", help="only the workflow cases")
    p.add_argument("--cases", help="only these workflow cases (comma-separated names)")
    p.add_argument("--mistral", help="URL of a running real Mistral 23 (default: start one)")
    p.add_argument("--ours", help="URL of a running server of ours (default: start one)")
    args = p.parse_args(argv)

    deliberate = d.load_deliberate()
    problems: list[str] = []
    with _server(args.mistral, real_mistral, ANCHOR_POLICY) as m_url, \
            _server(args.ours, running_server) as o_url:
        print("Mistral 23 at %s, ours at %s" % (m_url, o_url), flush=True)
        if not args.workflows:
            steps = d.load_steps()
            mistral, ours = d.Server(m_url), d.Server(o_url)
            got_m, got_o = d.run_both(mistral, ours, lambda s: [s.step(x) for x in steps])
            for step, a, b in zip(steps, got_m, got_o):
                problems += d.compare(step["name"], d.prepare(step, a, mistral),
                                      d.prepare(step, b, ours), deliberate)
        if not args.requests:
            if args.cases:
                wanted = set(args.cases.split(","))
                cases = [c for c in dw.load_cases() if c["name"] in wanted]
                original = dw.load_cases
                dw.load_cases = lambda path=dw.CASES: cases  # type: ignore[assignment]
                try:
                    problems += dw.run_cases(d.Server(m_url), d.Server(o_url), deliberate)
                finally:
                    dw.load_cases = original  # type: ignore[assignment]
            else:
                problems += dw.run_cases(d.Server(m_url), d.Server(o_url), deliberate)

    still = [e for e in deliberate if e.kind == "open" and e.used]
    unused = [e for e in deliberate if e.used == 0]
    print("\n== %d open differences still seen" % len(still))
    for e in still:
        print("  %s / %s: %s" % (e.request, e.field, e.reason.replace("\n", " ")[:160]))
    print("\n== %d entries that explained nothing in this run (remove them if the run covered"
          " their request)" % len(unused))
    for e in unused:
        print("  [%s%s] %s / %s" % (e.kind, ", racy" if e.racy else "", e.request, e.field))
    print("\n== %d unexplained differences" % len(problems))
    for line in problems:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
