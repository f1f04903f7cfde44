"""Pecan hooks: attach the app's services and the request context to each request.

With ``[pecan] auth_enable = False`` every request runs in the default project. With it
on, the identity comes from the headers the authentication middleware in front of us
sets (``X-Project-Id``, ``X-User-Id``, ``X-Roles`` ...), as keystonemiddleware does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pecan import hooks

from mistral.context import DEFAULT_PROJECT_ID, RequestContext

if TYPE_CHECKING:  # pragma: no cover
    from mistral.api.app import ApiServices


def context_from_headers(headers: Any, auth_enable: bool) -> RequestContext:
    request_id = headers.get("X-Openstack-Request-Id") or headers.get("X-Request-Id")
    if not auth_enable:
        return RequestContext(request_id=request_id)
    roles = tuple(r.strip() for r in (headers.get("X-Roles") or "").split(",") if r.strip())
    return RequestContext(
        project_id=headers.get("X-Project-Id") or headers.get("X-Tenant-Id") or DEFAULT_PROJECT_ID,
        user_id=headers.get("X-User-Id"),
        user_name=headers.get("X-User-Name"),
        project_name=headers.get("X-Project-Name"),
        is_admin="admin" in roles,
        auth_token=headers.get("X-Auth-Token"),
        roles=roles,
        request_id=request_id,
    )


class ServicesHook(hooks.PecanHook):
    def __init__(self, services: "ApiServices") -> None:
        self.services = services

    def on_route(self, state: Any) -> None:
        req = state.request
        req.mistral_services = self.services
        req.mistral_context = context_from_headers(
            req.headers, self.services.settings.auth_enable
        )
