"""std.http and std.mistral_http: an HTTP request with ``requests``.

The result has Mistral's shape: ``{content, status, headers, url, history, encoding,
reason, cookies, elapsed}`` with ``content`` decoded from JSON when it is JSON. A status
outside 200..306 makes the same dict the action's *error*. Network failures become an
``ActionError`` naming the URL.

Every request goes through the ``[action_std_http]`` policy (``mistral.utils.egress``):
http(s) only, ``allowed_hosts``, ``denied_cidrs`` for every address of the host and of
every redirect hop, ``default_timeout`` and ``max_response_size_bytes``.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from mistral.actions.base import Action, ActionContext, ActionSettings
from mistral.engine.interface import ActionResult
from mistral.exceptions import ActionError
from mistral.utils.egress import EgressPolicy


class HTTPAction(Action):
    description = "Sends an HTTP request and returns its status, headers and content."

    def __init__(
        self,
        url: str,
        method: str = "GET",
        params: Any = None,
        body: Any = None,
        json: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: Any = None,
        proxies: Any = None,
        verify: Any = None,
    ) -> None:
        super().__init__()
        if body is not None and json is not None:
            raise ActionError("std.http: give either 'body' or 'json', not both")
        self.url = url
        self.method = (method or "GET").upper()
        self.params = params
        self.body = body
        self.json = json
        self.headers = dict(headers or {})
        self.cookies = cookies
        self.auth = tuple(auth.split(":", 1)) if isinstance(auth, str) and ":" in auth else auth
        if isinstance(self.auth, list):
            self.auth = tuple(self.auth)
        self.timeout = timeout
        self.allow_redirects = allow_redirects
        self.proxies = proxies
        self.verify = verify
        self.policy = EgressPolicy()

    def configure(self, settings: ActionSettings) -> None:
        self.policy = settings.http

    def _extra_headers(self, context: ActionContext) -> dict[str, str]:
        return {}

    def run(self, context: ActionContext) -> Any:
        headers = {**self.headers, **self._extra_headers(context)}
        data = self.body
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
            headers.setdefault("Content-Type", "application/json")
        kwargs: dict[str, Any] = {
            "params": self.params,
            "data": data,
            "json": self.json,
            "headers": {str(k): str(v) for k, v in headers.items()},
            "cookies": self.cookies,
            "auth": self.auth,
            "timeout": self.timeout,
            "proxies": self.proxies,
        }
        if self.allow_redirects is not None:
            kwargs["allow_redirects"] = bool(self.allow_redirects)
        if self.verify is not None:
            kwargs["verify"] = self.verify
        try:
            resp = self.policy.request(self.method, self.url, **kwargs)
        except requests.RequestException as e:
            raise ActionError(f"std.http: {self.method} {self.url} failed: {e}") from None
        result = _result_of(resp)
        if not 200 <= resp.status_code <= 306:
            return ActionResult(error=result)
        return result


def _result_of(resp: requests.Response) -> dict:
    try:
        content: Any = resp.json()
    except ValueError:
        content = resp.text
    return {
        "content": content,
        "status": resp.status_code,
        "headers": dict(resp.headers.items()),
        "url": resp.url,
        "history": [r.url for r in resp.history],
        "encoding": resp.encoding,
        "reason": resp.reason,
        "cookies": dict(resp.cookies.items()),
        "elapsed": resp.elapsed.total_seconds(),
    }


class MistralHTTPAction(HTTPAction):
    """std.http plus the ``Mistral-*`` headers; the receiver completes it later (async)."""

    description = (
        "Like std.http, with Mistral-Workflow-Name, Mistral-Execution-Id, Mistral-Task-Id, "
        "Mistral-Action-Execution-Id and Mistral-Callback-URL headers; completes asynchronously."
    )

    def _extra_headers(self, context: ActionContext) -> dict[str, str]:
        values = {
            "Mistral-Workflow-Name": context.workflow_name,
            "Mistral-Workflow-Execution-Id": context.workflow_execution_id,
            "Mistral-Execution-Id": context.workflow_execution_id,
            "Mistral-Task-Id": context.task_execution_id,
            "Mistral-Action-Execution-Id": context.action_execution_id,
            "Mistral-Callback-URL": context.callback_url,
        }
        return {k: str(v) for k, v in values.items() if v}

    def is_sync(self) -> bool:
        return False
