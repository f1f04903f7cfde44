"""The request context: who is asking. Passed explicitly; never stored in a thread-local.

Besides who (project, user, roles) it carries what an OpenStack action needs later to call
another service as that user: the token (``auth_token``, ``expires_at``) or a trust
(``trust_id``), the Keystone URL (``auth_uri``), the region and the service catalog as
keystonemiddleware passes it in ``X-Service-Catalog`` (a list of ``{"type", "name",
"endpoints": [{"region", "publicURL", "internalURL", ...}]}``; a Keystone v3 catalog
with ``interface``/``url`` endpoints works too). With the ``X-Target-*``
headers (``is_target``) those are the target cloud's; the project and user stay the
caller's whatever the headers say.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

DEFAULT_PROJECT_ID = "<default-project>"


@dataclass(frozen=True)
class RequestContext:
    project_id: str = DEFAULT_PROJECT_ID
    user_id: str | None = None
    user_name: str | None = None
    project_name: str | None = None
    is_admin: bool = False
    auth_token: str | None = None
    roles: tuple[str, ...] = field(default_factory=tuple)
    request_id: str | None = None
    #: the Keystone URL the token is valid with (``[keystone_authtoken]
    #: www_authenticate_uri``, or ``X-Target-Auth-Uri``)
    auth_uri: str | None = None
    region_name: str | None = None
    #: the catalog as keystonemiddleware gives it in ``X-Service-Catalog`` (a list)
    service_catalog: list[dict[str, Any]] | None = None
    #: the trust the token is scoped to (a trust-scoped token), if any
    trust_id: str | None = None
    #: ``trust_id`` is a trust to Mistral's own service user (a cron or event trigger's,
    #: ``mistral.services.trusts``): the service can get new tokens with it. A user's own
    #: trust-scoped token (from the API) has a ``trust_id`` but not this.
    is_trust_scoped: bool = False
    #: when ``auth_token`` expires (ISO 8601, as Keystone writes it)
    expires_at: str | None = None
    user_domain_name: str | None = None
    project_domain_name: str | None = None
    #: the ``X-Target-*`` headers named another cloud for OpenStack actions
    is_target: bool = False
    insecure: bool = False
    auth_cacert: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["roles"] = list(self.roles)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "RequestContext":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        values["project_id"] = d.get("project_id") or DEFAULT_PROJECT_ID
        values["is_admin"] = bool(d.get("is_admin"))
        values["is_target"] = bool(d.get("is_target"))
        values["insecure"] = bool(d.get("insecure"))
        values["is_trust_scoped"] = bool(d.get("is_trust_scoped"))
        values["roles"] = tuple(d.get("roles") or ())
        catalog = d.get("service_catalog")
        values["service_catalog"] = list(catalog) if catalog else None
        return cls(**values)


def stored_context(ctx: RequestContext) -> dict[str, Any]:
    """What an execution keeps of the context that started it (no request id)."""
    d = ctx.to_dict()
    d.pop("request_id", None)
    return d


def owner_context(stored: dict | None, project_id: str,
                  request_id: str | None = None) -> RequestContext:
    """The context an execution's events act as: the one it was started with (from
    ``stored_context``), always in the execution's own project; an execution stored
    without one acts as a plain member of its project."""
    values = dict(stored or {})
    values.update(project_id=project_id, request_id=request_id)
    if not stored:
        values["is_admin"] = False
    return RequestContext.from_dict(values)


def admin_context() -> RequestContext:
    """The context of the service itself (finding stuck or due work): sees every project.
    Anything done on a user's behalf uses that user's own context instead."""
    return RequestContext(is_admin=True)
