"""The new actions through the REST API: listed in /v2/actions with their signatures, and
run with POST /v2/action_executions."""

from __future__ import annotations

from tests.functional.api.client import build_client
from tests.functional.engine.harness import Harness

MISTRAL_23_STD = {
    "std.javascript": "script, context=null",
    "std.js": "script, context=null",
    "std.ssh": 'cmd, host, username, password="", private_key_filename=null, private_key=null, '
               "return_result_on_error=false",
    "std.ssh_proxied": "cmd, host, username, private_key_filename, gateway_host, gateway_username=null, "
                       "password=null, proxy_command=null, private_key=null",
    "std.wait_ssh": "host, username, password",
}


def test_listed_and_run(sqlite_database) -> None:
    h = Harness(sqlite_database)
    api = build_client(sqlite_database, engine=h.engine)
    r = api.get("/v2/actions?limit=1000")
    assert r.status_code == 200
    by_name = {a["name"]: a for a in r.json["actions"]}
    for name, signature in MISTRAL_23_STD.items():
        assert by_name[name]["input"] == signature, name
    nova = api.get("/v2/actions/nova.servers_get").json
    assert (nova["input"], nova["is_system"]) == ('server, action_region=""', True)
    assert by_name["cinder.backups_create"]["is_system"] is True
    run = api.post("/v2/action_executions", {"name": "std.js", "input": {"script": "return $.a * 2;",
                                                                        "context": {"a": 21}}})
    assert run.status_code == 201, run.json
    assert run.json["state"] == "SUCCESS" and '"result": 42' in run.json["output"]
    bad = api.post("/v2/action_executions", {"name": "nova.servers_get", "input": {}})
    assert bad.status_code == 400 and "missing parameters: server" in bad.json["faultstring"]
