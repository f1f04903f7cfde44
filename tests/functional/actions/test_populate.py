"""``mistral-db-manage populate`` installs the system workflows, idempotently, and they run.

The workflows call nova; Nova is the HTTP stand-in of ``tests/openstack_standin.py``
(faked: it cannot run here). Action input is checked against the action's signature
before anything is sent to an executor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistral.cmd import db_manage
from mistral.cmd.populate import populate, shipped_files
from mistral.context import RequestContext
from tests.functional.engine.harness import CTX, Harness
from tests.openstack_standin import StandIn

TOKEN = "populate-token"
PROJECT = "p-populate"


def _system_rows(db) -> dict[str, dict]:
    with db.transaction(None, readonly=True) as tx:
        return {r.name: r.to_dict() for r in tx.workflow_definitions.list(filters={"is_system": True})}


def test_populate_is_idempotent(database, tmp_path) -> None:
    names = {"create_instance", "delete_instance"}
    assert populate(database)["created"] == sorted(names)
    first = _system_rows(database)
    assert set(first) >= names
    for row in first.values():
        assert (row["scope"], row["namespace"], row["is_system"]) == ("public", "", True)
    again = populate(database)
    assert set(again["unchanged"]) >= names and not again["created"] and not again["updated"]
    assert _system_rows(database) == first
    # a changed file updates its row in place; a workflow no longer shipped goes
    changed = tmp_path / "create_instance.yaml"
    changed.write_text(Path(shipped_files()[0]).read_text().replace("Boots a server", "Starts a server"))
    done = populate(database, files=[changed])
    assert done["updated"] == ["create_instance"] and done["deleted"] == ["delete_instance"]
    assert _system_rows(database)["create_instance"]["id"] == first["create_instance"]["id"]


def test_the_cli(tmp_path, capsys) -> None:
    conf = tmp_path / "mistral.conf"
    conf.write_text(f"[database]\nconnection = sqlite:///{tmp_path}/m.db\n")
    assert db_manage.main(["--config-file", str(conf), "upgrade", "head"]) == 0
    assert db_manage.main(["--config-file", str(conf), "populate"]) == 0
    assert "created create_instance, delete_instance" in capsys.readouterr().out
    assert db_manage.main(["--config-file", str(conf), "populate"]) == 0
    assert "unchanged create_instance, delete_instance" in capsys.readouterr().out


@pytest.fixture
def nova() -> Iterator[StandIn]:
    standin = StandIn(tokens={TOKEN}).start()
    yield standin
    standin.stop()


def _user(nova: StandIn) -> RequestContext:
    return RequestContext(project_id=PROJECT, auth_token=TOKEN, region_name="RegionOne", service_catalog=[
        {"type": "compute", "name": "nova", "endpoints": [
            {"region": "RegionOne", "publicURL": f"{nova.url}/compute/v2.1"}]}])


def _run(h: Harness, ctx: RequestContext, name: str, wf_input: dict) -> dict:
    wf = h.engine.start_workflow(ctx, name, wf_input=wf_input)
    h.run_with_clock()
    with h.db.transaction(ctx, readonly=True) as tx:
        return tx.workflow_executions.get(wf["id"]).to_dict()


def test_create_and_delete_instance_run_as_the_user(sqlite_database, nova) -> None:
    populate(sqlite_database)
    h = Harness(sqlite_database)
    ctx = _user(nova)
    wf = _run(h, ctx, "create_instance", {"name": "vm1", "image": "img", "flavor": "m1.small"})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    server_id = wf["output"]["id"]
    assert wf["output"] == {"id": server_id, "status": "ACTIVE"}
    assert nova.servers[server_id]["name"] == "vm1"
    wf = _run(h, ctx, "delete_instance", {"instance_id": server_id})
    assert wf["state"] == "SUCCESS", wf["state_info"]
    assert server_id not in nova.servers
    assert {s.token for s in nova.seen} == {TOKEN}
    # nova shows BUILD twice: the retry timers run as the user too
    nova.builds = 2
    slow = _run(h, ctx, "create_instance", {"name": "vm2", "image": "img", "flavor": "m1", "wait_interval": 1})
    assert slow["state"] == "SUCCESS", slow["state_info"]
    assert slow["output"]["status"] == "ACTIVE"
    assert {s.token for s in nova.seen} == {TOKEN}
    broken = _run(h, ctx, "create_instance", {"name": "broken", "image": "img", "flavor": "m1"})
    assert broken["state"] == "ERROR"
    assert "is ERROR, not ACTIVE" in broken["state_info"]


def test_input_is_checked_before_dispatch(sqlite_database, nova) -> None:
    h = Harness(sqlite_database)
    h.define("""
version: '2.0'
wf:
  tasks:
    missing:
      action: nova.servers_get
    misspelt:
      action: nova.servers_list detailled=true
    unknown:
      action: nova.servers_frobnicate
""")
    wf = _run(h, dataclasses.replace(_user(nova), project_id=CTX.project_id), "wf", {})
    assert wf["state"] == "ERROR"
    info = {t: h.task(wf["id"], t)["state_info"] for t in ("missing", "misspelt", "unknown")}
    assert "missing parameters: server" in info["missing"]
    assert "unexpected parameters: detailled" in info["misspelt"]
    assert "nova.servers_frobnicate" in info["unknown"]
    assert not [r for r in h.executor.sent if r.action_name.startswith("nova.")]
    assert not nova.seen
