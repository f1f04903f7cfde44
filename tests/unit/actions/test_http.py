"""std.http against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry
from mistral.context import RequestContext
from mistral.engine.interface import ActionResult


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b"no such thing")
            return
        if self.path.startswith("/text"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"hello")
            return
        payload = {
            "method": self.command,
            "path": self.path,
            "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Test", "yes")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def registry() -> ActionRegistry:
    return ActionRegistry.load()


def test_get_with_params_decodes_json_content(registry: ActionRegistry, server_url: str) -> None:
    result = registry.build(
        "std.http", {"url": server_url + "/thing", "params": {"q": "1"}, "headers": {"X-A": "b"}}
    ).run(ActionContext())
    assert result["status"] == 200
    assert result["content"]["method"] == "GET"
    assert result["content"]["path"] == "/thing?q=1"
    assert result["content"]["headers"]["x-a"] == "b"
    assert result["headers"]["X-Test"] == "yes"
    assert result["reason"] == "OK"
    assert isinstance(result["elapsed"], float)
    json.dumps(result)  # the result must cross the wire


def test_post_json_and_body_and_basic_auth(registry: ActionRegistry, server_url: str) -> None:
    result = registry.build(
        "std.http", {"url": server_url, "method": "post", "json": {"k": [1]}, "auth": "u:p"}
    ).run(ActionContext())
    assert result["content"]["method"] == "POST"
    assert json.loads(result["content"]["body"]) == {"k": [1]}
    assert result["content"]["headers"]["authorization"].startswith("Basic ")
    result = registry.build("std.http", {"url": server_url, "method": "PUT", "body": "raw"}).run(
        ActionContext())
    assert result["content"]["body"] == "raw"


def test_text_content_stays_text(registry: ActionRegistry, server_url: str) -> None:
    assert registry.build("std.http", {"url": server_url + "/text"}).run(ActionContext())[
        "content"] == "hello"


def test_error_status_is_an_error_result(registry: ActionRegistry, server_url: str) -> None:
    result = registry.build("std.http", {"url": server_url + "/missing"}).run(ActionContext())
    assert isinstance(result, ActionResult) and result.is_error()
    assert result.error["status"] == 404
    assert result.error["content"] == "no such thing"


def test_unreachable_host_is_an_action_error(registry: ActionRegistry) -> None:
    with pytest.raises(exc.ActionError, match="127.0.0.1:9"):
        registry.build("std.http", {"url": "http://127.0.0.1:9/", "timeout": 2}).run(ActionContext())


def test_mistral_http_adds_execution_headers_and_is_async(registry: ActionRegistry, server_url: str) -> None:
    action = registry.build("std.mistral_http", {"url": server_url})
    assert action.is_sync() is False
    ctx = ActionContext.build(
        RequestContext(), "ae-1",
        {"workflow_execution_id": "wf-1", "task_execution_id": "t-1", "workflow_name": "wf",
         "callback_url": "http://cb/v2/action_executions/ae-1"},
    )
    headers = action.run(ctx)["content"]["headers"]
    assert headers["mistral-execution-id"] == "wf-1"
    assert headers["mistral-task-id"] == "t-1"
    assert headers["mistral-action-execution-id"] == "ae-1"
    assert headers["mistral-workflow-name"] == "wf"
    assert headers["mistral-callback-url"] == "http://cb/v2/action_executions/ae-1"


def test_mistral_http_callback_url_defaults_to_the_action_execution_path(
    registry: ActionRegistry, server_url: str
) -> None:
    ctx = ActionContext.build(RequestContext(), "ae-9", {"workflow_execution_id": "wf-1"})
    headers = registry.build("std.mistral_http", {"url": server_url}).run(ctx)["content"]["headers"]
    assert headers["mistral-callback-url"] == "/v2/action_executions/ae-9"
