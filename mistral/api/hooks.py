"""Pecan hooks: attach the app's services and the request context to each request.

With ``[pecan] auth_enable = False`` every request runs in the default project. With it
on, the identity comes from what the authentication middleware in front of us (keystonemiddleware's
``auth_token``) set: the ``X-Project-Id``, ``X-User-Id``, ``X-Roles`` ... headers, the
catalog in ``X-Service-Catalog`` and the validated token in ``keystone.token_info``
(its expiry and trust). ``auth_uri`` is ``[keystone_authtoken] www_authenticate_uri``.

The ``X-Target-*`` headers (Mistral's way to point OpenStack actions at another cloud)
replace only what those actions use (token, auth URI, region, catalog): the project, user
and roles stay the caller's, so they never let a caller act as another project.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from pecan import hooks

from mistral.api.errors import bad_request
from mistral.context import DEFAULT_PROJECT_ID, RequestContext

if TYPE_CHECKING:  # pragma: no cover
    from mistral.api.services import ApiServices, ApiSettings


def _catalog(header: str | None, what: str, b64: bool = False) -> list[dict] | None:
    if not header:
        return None
    try:
        text = base64.b64decode(header, validate=True).decode() if b64 else header
        catalog = json.loads(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_request(f"The {what} header is not a valid service catalog.") from None
    if isinstance(catalog, dict):  # a whole token body, or {"catalog": [...]}
        catalog = catalog.get("catalog") or (catalog.get("token") or {}).get("catalog")
    if not isinstance(catalog, list):
        raise bad_request(f"The {what} header is not a list of services.")
    return catalog


def _target(headers: Any) -> dict[str, Any]:
    """What the ``X-Target-*`` headers change (for OpenStack actions only)."""
    if not headers.get("X-Target-Auth-Uri"):
        return {}
    insecure = headers.get("X-Target-Insecure", "False")
    if insecure not in ("True", "False"):
        raise bad_request('X-Target-Insecure must be "True" or "False" (default "False").')
    token = headers.get("X-Target-Auth-Token")
    if not token:
        raise bad_request("X-Target-Auth-Uri needs X-Target-Auth-Token too.")
    return {
        "is_target": True, "auth_token": token, "auth_uri": headers["X-Target-Auth-Uri"],
        "insecure": insecure == "True", "auth_cacert": None, "expires_at": None,
        "region_name": headers.get("X-Target-Region-Name"),
        "service_catalog": _catalog(headers.get("X-Target-Service-Catalog"),
                                    "X-Target-Service-Catalog", b64=True),
    }


def context_from_headers(headers: Any, auth_enable: bool, environ: dict | None = None,
                         settings: "ApiSettings | None" = None) -> RequestContext:
    request_id = headers.get("X-Openstack-Request-Id") or headers.get("X-Request-Id")
    if not auth_enable:
        return RequestContext(request_id=request_id)
    roles = tuple(r.strip() for r in (headers.get("X-Roles") or "").split(",") if r.strip())
    token_info = ((environ or {}).get("keystone.token_info") or {}).get("token") or {}
    values: dict[str, Any] = {
        "auth_token": headers.get("X-Auth-Token"),
        "auth_uri": settings.auth_uri if settings else None,
        "auth_cacert": settings.auth_cacert if settings else None,
        "region_name": headers.get("X-Region-Name")
        or (settings.region_name if settings else None),
        "service_catalog": _catalog(headers.get("X-Service-Catalog"), "X-Service-Catalog"),
        "expires_at": token_info.get("expires_at"),
    }
    values.update(_target(headers))
    return RequestContext(
        project_id=headers.get("X-Project-Id") or headers.get("X-Tenant-Id") or DEFAULT_PROJECT_ID,
        user_id=headers.get("X-User-Id"),
        user_name=headers.get("X-User-Name"),
        project_name=headers.get("X-Project-Name"),
        user_domain_name=headers.get("X-User-Domain-Name"),
        project_domain_name=headers.get("X-Project-Domain-Name"),
        is_admin="admin" in roles,
        roles=roles,
        request_id=request_id,
        trust_id=(token_info.get("OS-TRUST:trust") or {}).get("id"),
        **values,
    )


class ServicesHook(hooks.PecanHook):
    def __init__(self, services: "ApiServices") -> None:
        self.services = services

    def on_route(self, state: Any) -> None:
        req = state.request
        req.mistral_services = self.services
        req.mistral_context = context_from_headers(
            req.headers, self.services.settings.auth_enable, req.environ,
            self.services.settings,
        )
