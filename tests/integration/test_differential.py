"""The differential test: the corpus under ``tests/integration/differential/`` runs against
the real Mistral 23 and against ours (the servers of the client-session tests, one of each
per run); every difference that ``deliberate/*.yaml`` does not list fails, naming the
request and the field. The runner is ``tests/integration/differential.py``; the requests,
then the whole workflows, run on both servers at once (``differential_main`` runs them from
the command line)."""

from __future__ import annotations

import warnings

import pytest

from tests.functional.client.runner import Cli
from tests.integration import differential as d
from tests.integration.differential_workflows import run_cases

pytestmark = pytest.mark.xdist_group("client_session")


def check_requests(mistral: d.Server, ours: d.Server, deliberate: list[d.Deliberate]) -> list[str]:
    steps = d.load_steps()

    def run(server: d.Server) -> list[d.Answer]:
        return [server.step(s) for s in steps]

    answers_m, answers_o = d.run_both(mistral, ours, run)
    problems: list[str] = []
    for step, a, b in zip(steps, answers_m, answers_o):
        problems += d.compare(step["name"], d.prepare(step, a, mistral), d.prepare(step, b, ours), deliberate)
    return problems


def unexplained_entries(deliberate: list[d.Deliberate]) -> list[str]:
    """Deliberate entries that explained nothing (stale: remove them). An open entry that
    explained nothing is only reported: its difference may have been fixed meanwhile."""
    fixed = [e for e in deliberate if e.kind == "open" and e.used == 0]
    if fixed:
        warnings.warn("%d open differences no longer seen (remove them from deliberate/): %s"
                      % (len(fixed), "; ".join("%s / %s" % (e.request, e.field) for e in fixed[:20])))
    still = [e for e in deliberate if e.kind == "open" and e.used]
    if still:
        warnings.warn("%d open differences from Mistral 23 still to fix (deliberate/, kind: open)"
                      % len(still))
    return ["deliberate/: %s / %s explains no difference any more" % (e.request, e.field)
            for e in deliberate if e.kind == "deliberate" and e.used == 0 and not e.racy]


def test_answers_as_mistral_23(ours: Cli, mistral23: Cli) -> None:
    deliberate = d.load_deliberate()
    # One corpus after the other (each with its own saved values and ids): the real
    # Mistral 23's API parses YAQL with one lexer shared by its request threads, and two
    # uploads at once can fail there with a 500 ('Lexer' object has no attribute
    # 'lexmatch'), a race of its own that would show as differences of ours.
    problems = check_requests(d.Server(mistral23.url), d.Server(ours.url), deliberate)
    problems += run_cases(d.Server(mistral23.url), d.Server(ours.url), deliberate)
    problems += unexplained_entries(deliberate)
    assert not problems, "%d unexplained differences:\n%s" % (len(problems), "\n".join(problems))
