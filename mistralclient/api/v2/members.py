"""``/v2/<resource_type>s/<id>/members``: sharing workflows with other projects."""

from __future__ import annotations

from mistralclient.api import base
from mistralclient.api.base import quote_part as q


class Member(base.Resource):
    resource_name = "Member"


class MemberManager(base.ResourceManager):
    resource_class = Member

    @staticmethod
    def _url(resource_id: str, resource_type: str, member_id: str | None = None) -> str:
        url = "/%ss/%s/members" % (q(resource_type), q(resource_id))
        return url + ("/%s" % q(member_id) if member_id else "")

    def create(self, resource_id: str, resource_type: str, member_id: str) -> Member:
        self._ensure_not_empty(resource_id=resource_id, resource_type=resource_type, member_id=member_id)
        return self._create(self._url(resource_id, resource_type), {"member_id": member_id})

    def update(self, resource_id: str, resource_type: str, member_id: str = "",
               status: str = "accepted") -> Member:
        """Accept or reject a share; ``member_id`` defaults to the caller's project."""
        member_id = member_id or self.http_client.project_id
        self._ensure_not_empty(resource_id=resource_id, resource_type=resource_type, member_id=member_id)
        return self._update(self._url(resource_id, resource_type, member_id), {"status": status})

    def list(self, resource_id: str, resource_type: str) -> list:
        self._ensure_not_empty(resource_id=resource_id, resource_type=resource_type)
        return self._list(self._url(resource_id, resource_type), response_key="members")

    def get(self, resource_id: str, resource_type: str, member_id: str | None = None) -> Member:
        member_id = member_id or self.http_client.project_id
        self._ensure_not_empty(resource_id=resource_id, resource_type=resource_type, member_id=member_id)
        return self._get(self._url(resource_id, resource_type, member_id))

    def delete(self, resource_id: str, resource_type: str, member_id: str) -> None:
        self._ensure_not_empty(resource_id=resource_id, resource_type=resource_type, member_id=member_id)
        self._delete(self._url(resource_id, resource_type, member_id))
