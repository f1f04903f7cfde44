"""Servers shared by the tests of the ``client_session`` xdist group (the client sessions and
the differential test): one ``mistral-server`` of ours and one real Mistral 23 per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.compat.harness import running_server
from tests.functional.client.runner import Cli
from tests.integration.anchor import real_mistral

# Mistral 23 keeps code sources and dynamic actions to admins; with auth off it sees no
# admin, so the session opens those rules (ours checks no policy with auth off).
ANCHOR_POLICY = "".join('"%s:%s": ""\n' % (r, v) for r in ("code_sources", "dynamic_actions")
                        for v in ("create", "delete", "get", "list", "update", "publicize"))


# Session scope: under xdist a worker may interleave other modules' tests with these,
# and a module-scoped server would be stopped and started again at each switch.
@pytest.fixture(scope="session")
def ours(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    work = tmp_path_factory.mktemp("session-ours")
    with running_server(work) as url:
        yield Cli(url, work)


@pytest.fixture(scope="session")
def mistral23(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    work = tmp_path_factory.mktemp("session-mistral23")
    with real_mistral(work, ANCHOR_POLICY) as url:
        yield Cli(url, work)
