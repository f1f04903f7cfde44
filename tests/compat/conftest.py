"""Fixtures for the compatibility test with the real python-mistralclient."""

from __future__ import annotations

from collections.abc import Iterator
import pytest

from tests.compat.harness import Cli, client_venv, running_server


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    venv = client_venv()
    work = tmp_path_factory.mktemp("compat")
    with running_server(work) as url:
        yield Cli(venv, url, work)
