"""The request context: who is asking. Passed explicitly; never stored in a thread-local."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    #: what an OpenStack action needs to call another service as this user
    auth_uri: str | None = None
    region_name: str | None = None
    #: the catalog as keystonemiddleware gives it in ``X-Service-Catalog`` (a list)
    service_catalog: list[dict[str, Any]] | None = None
    trust_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "project_id": self.project_id,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "project_name": self.project_name,
            "is_admin": self.is_admin,
            "auth_token": self.auth_token,
            "roles": list(self.roles),
            "request_id": self.request_id,
            "auth_uri": self.auth_uri,
            "region_name": self.region_name,
            "service_catalog": self.service_catalog,
            "trust_id": self.trust_id,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "RequestContext":
        return cls(
            project_id=d.get("project_id") or DEFAULT_PROJECT_ID,
            user_id=d.get("user_id"),
            user_name=d.get("user_name"),
            project_name=d.get("project_name"),
            is_admin=bool(d.get("is_admin")),
            auth_token=d.get("auth_token"),
            roles=tuple(d.get("roles") or ()),
            request_id=d.get("request_id"),
            auth_uri=d.get("auth_uri"),
            region_name=d.get("region_name"),
            service_catalog=list(d["service_catalog"]) if d.get("service_catalog") else None,
            trust_id=d.get("trust_id"),
        )


def admin_context() -> RequestContext:
    """The context of the service itself (reconciler, scheduler, cron): sees every project."""
    return RequestContext(is_admin=True)
