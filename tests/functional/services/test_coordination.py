"""Service membership on the real Redis and on the file backend."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from tooz import coordination as tooz_coordination

from mistral import exceptions as exc
from mistral.services.coordination import ServiceCoordinator, default_backend_url
from tests.conftest import require_service


def wait_until(cond: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture(params=["redis", "file"])
def backend_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "redis":
        require_service("redis")
        return f"redis://127.0.0.1:6379?namespace=mt-{uuid.uuid4().hex[:10]}&membership_timeout=2"
    return default_backend_url(str(tmp_path)) + "?timeout=2"


@pytest.fixture
def coordinators(backend_url: str) -> Iterator[Callable[..., ServiceCoordinator]]:
    made: list[ServiceCoordinator] = []

    def make(member_id: str, *types: str) -> ServiceCoordinator:
        c = ServiceCoordinator(backend_url, member_id=member_id, heartbeat_interval=0.2)
        c.start()
        for t in types:
            c.join(t)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


def test_live_members_are_listed_by_service_type(coordinators) -> None:
    api = coordinators("api-host_1", "api")
    coordinators("node-a_2", "engine", "executor")
    coordinators("node-b_3", "executor", "event-engine")
    assert api.members("executor") == ["node-a_2", "node-b_3"]
    assert api.members("notifier") == []
    assert sorted(api.list_services(), key=lambda s: (s["type"], s["name"])) == [
        {"name": "api-host_1", "type": "api_group"},
        {"name": "node-a_2", "type": "engine_group"},
        {"name": "node-b_3", "type": "event_engine_group"},
        {"name": "node-a_2", "type": "executor_group"},
        {"name": "node-b_3", "type": "executor_group"},
    ]


def test_a_stopped_member_leaves_and_a_silent_one_expires(coordinators, backend_url) -> None:
    observer = coordinators("observer_1", "api")
    leaving = coordinators("engine-1_2", "engine")
    assert observer.members("engine") == ["engine-1_2"]
    leaving.stop()
    assert observer.members("engine") == []
    # a member that joined and then died without leaving (kill -9): no more heartbeats
    dead = tooz_coordination.get_coordinator(backend_url, b"dead-executor_9")
    dead.start(start_heart=False)
    try:
        dead.create_group(b"executor_group").get()
    except tooz_coordination.GroupAlreadyExist:
        pass
    dead.join_group(b"executor_group").get()
    assert "dead-executor_9" in observer.members("executor")
    wait_until(lambda: "dead-executor_9" not in observer.members("executor"))
    # heartbeats keep the live ones listed meanwhile
    assert observer.members("api") == ["observer_1"]


def test_an_unreachable_backend_does_not_stop_the_service() -> None:
    c = ServiceCoordinator("redis://127.0.0.1:9/?socket_connect_timeout=1", member_id="m_1",
                           heartbeat_interval=0.2)
    c.start(wait=0.5)
    try:
        c.join("engine")
        assert c.is_active is False
        with pytest.raises(exc.ServiceUnavailableError, match="redis://127.0.0.1:9"):
            c.list_services()
    finally:
        c.stop()
