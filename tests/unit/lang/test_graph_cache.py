"""Compiled graphs, to_dict/from_dict round trips and the checksum cache."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from mistral.lang import WorkflowSpec, parse_workflows, workflow_from_dict
from mistral.lang.cache import SpecCache, checksum, get_workflow_spec, workflow_cache

from tests.unit.lang.helpers import wf

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "workflows"

DIAMOND = """
tasks:
  start:
    on-success: [left, right]
    on-error: [handler]
  left:
    on-success: [join_task]
  right:
    on-complete:
      - join_task: <% $.ok %>
      - fail
  join_task:
    join: all
    on-success: [done]
  done: {}
  handler: {}
  lonely: {}
"""


def test_direct_graph_start_tasks_inbound_and_outbound() -> None:
    g = wf(DIAMOND).graph
    assert g.start_tasks == ("start", "lonely")
    assert g.inbound["join_task"] == ("left", "right")
    assert g.inbound["start"] == ()
    assert g.outbound["start"] == ("left", "right", "handler")
    assert g.outbound["right"] == ("join_task",)  # engine commands are not tasks
    assert g.outbound["done"] == ()


def test_task_defaults_transitions_count_as_inbound() -> None:
    g = wf("""
        task-defaults:
          on-error: [cleanup]
        tasks:
          a:
            on-success: [b]
          b: {}
          cleanup: {}
    """).graph
    assert g.start_tasks == ("a",)
    assert g.inbound["cleanup"] == ("a", "b")


def test_self_loop_does_not_hide_a_start_task() -> None:
    g = wf("tasks:\n  poll:\n    on-error: [poll]\n    on-success: [next]\n  next: {}\n").graph
    assert g.start_tasks == ("poll",)
    assert g.inbound["poll"] == ()


def test_reverse_graph_order_and_closure() -> None:
    g = wf("""
        type: reverse
        tasks:
          deploy:
            requires: [build, test]
          test:
            requires: build
          build:
            requires: fetch
          fetch: {}
          docs: {}
    """).graph
    assert g.order.index("fetch") < g.order.index("build") < g.order.index("test") \
        < g.order.index("deploy")
    assert set(g.order) == {"deploy", "test", "build", "fetch", "docs"}
    assert g.requires_closure("test") == tuple(t for t in g.order if t in {"fetch", "build", "test"})
    assert g.requires_closure("docs") == ("docs",)
    assert set(g.start_tasks) == {"fetch", "docs"}


def test_round_trip_through_json_rebuilds_an_equal_spec() -> None:
    text = (RESOURCES / "task_defaults_policies.yaml").read_text(encoding="utf-8")
    spec = parse_workflows(text).workflows[0]
    stored = json.loads(json.dumps(spec.to_dict()))
    rebuilt = workflow_from_dict(stored)
    assert rebuilt == spec
    assert rebuilt.graph == spec.graph
    assert stored["name"] == "policies"
    assert stored["tasks"]["fetch"]["retry"] == "count=5 delay=10"


def test_to_dict_is_a_fresh_plain_copy() -> None:
    spec = wf("tasks:\n  t:\n    input: {a: [1]}\n")
    d = spec.to_dict()
    d["tasks"]["t"]["input"]["a"].append(2)
    assert spec.to_dict()["tasks"]["t"]["input"]["a"] == [1]


def test_checksum_is_stable_and_content_sensitive() -> None:
    assert checksum("abc") == checksum(b"abc")
    assert checksum("abc") != checksum("abd")
    assert len(checksum("x")) == 64


def test_cache_calls_loader_once_per_id_and_checksum() -> None:
    cache: SpecCache[str] = SpecCache(maxsize=10)
    calls: list[str] = []

    def loader(value: str):  # type: ignore[no-untyped-def]
        def load() -> str:
            calls.append(value)
            return value
        return load

    assert cache.get("wf1", "c1", loader("a")) == "a"
    assert cache.get("wf1", "c1", loader("b")) == "a"
    assert cache.get("wf1", "c2", loader("c")) == "c"  # new checksum: reload
    assert calls == ["a", "c"]
    assert (cache.hits, cache.misses) == (1, 2)
    cache.invalidate("wf1")
    assert len(cache) == 0


def test_cache_evicts_least_recently_used() -> None:
    cache: SpecCache[int] = SpecCache(maxsize=2)
    cache.get("a", "1", lambda: 1)
    cache.get("b", "1", lambda: 2)
    cache.get("a", "1", lambda: 99)  # touch a
    cache.get("c", "1", lambda: 3)  # evicts b
    assert cache.get("a", "1", lambda: 100) == 1
    assert cache.get("b", "1", lambda: 200) == 200


def test_cache_is_safe_under_threads() -> None:
    cache: SpecCache[int] = SpecCache(maxsize=1000)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(200):
                assert cache.get(str(i % 50), "c", lambda i=i: i % 50) == i % 50
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 50


def test_process_wide_workflow_cache() -> None:
    text = "version: '2.0'\ncached_wf:\n  tasks:\n    t: {}\n"
    first = get_workflow_spec("id-1", checksum(text), lambda: parse_workflows(text).workflows[0])
    again = get_workflow_spec("id-1", checksum(text), lambda: None)  # type: ignore[arg-type,return-value]
    assert again is first
    workflow_cache().invalidate("id-1")


def test_parsing_from_several_threads_gives_equal_specs() -> None:
    import sys

    text = (RESOURCES / "task_defaults_policies.yaml").read_text(encoding="utf-8")
    expected = parse_workflows(text).workflows[0]
    results: list[WorkflowSpec] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                results.append(parse_workflows(text).workflows[0])
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert len(results) == 80 and all(r == expected for r in results)
