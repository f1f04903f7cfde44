"""``/v2/workflows/<id>/members`` (and workbooks): sharing a resource with other projects.

As in Mistral, sharing needs authentication (``[pecan] auth_enable``): without it every
request is the same project and sharing means nothing, so it is refused with a 400.
The owner adds or removes members; a member accepts or rejects with ``PUT``.
"""

from __future__ import annotations

from typing import Any

from pecan import rest
from wsme import types as wtypes

from mistral import exceptions as exc
from mistral.api import definitions, errors, http, policy
from mistral.api.controllers.v2.resource import Resource

STATUSES = ("pending", "accepted", "rejected")

LIST_KEY = "members"


class Member(Resource):
    id = wtypes.text
    resource_id = wtypes.text
    resource_type = wtypes.text
    project_id = wtypes.text
    member_id = wtypes.text
    status = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


def _check_enabled() -> None:
    if not http.services().settings.auth_enable:
        raise errors.bad_request(
            "Resource sharing feature can only be supported with authentication enabled."
        )


class MembersController(rest.RestController):
    """As Mistral 23 answers every error of its member API: the message alone
    (``{"faultstring": ...}``, ``plain_errors``)."""

    def __init__(self, resource_type: str) -> None:
        self.type = resource_type

    def _resource(self, tx: Any, identifier: str) -> Any:
        namespace = http.query().get("namespace") or ""
        if self.type == "workflow":
            return definitions.find_workflow(tx, identifier, namespace)
        if definitions.is_uuid(identifier):
            return tx.workbooks.get(identifier)
        row = tx.workbooks.find(name=identifier, namespace=namespace)
        if row is None:
            raise exc.NotFoundError(f"Workbook not found [name={identifier}]")
        return row

    def _resource_id(self, tx: Any, identifier: str) -> str:
        """A resource id as given, or the id of the resource named (visible to the caller)."""
        if definitions.is_uuid(identifier):
            return identifier
        return str(self._resource(tx, identifier).id)

    @staticmethod
    def _no_member(identifier: str, member_id: str) -> exc.NotFoundError:
        return exc.NotFoundError(
            f"Resource member not found [resource_id={identifier}, member_id={member_id}]")

    def _member(self, tx: Any, identifier: str, member_id: str) -> Any:
        resource_id = self._resource_id(tx, identifier)
        row = tx.resource_members.find(
            resource_id=resource_id, resource_type=self.type, member_id=member_id
        )
        if row is None:
            raise exc.NotFoundError(
                f"Resource member not found [resource_id={resource_id}, member_id={member_id}]"
            )
        return row

    @http.expose(plain_errors=True)
    def get_all(self, resource_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("members:list")
        _check_enabled()
        with http.read_tx() as tx:
            rows = tx.resource_members.list(
                filters={"resource_id": self._resource_id(tx, resource_id),
                         "resource_type": self.type},
                sort_keys=("created_at",), sort_dirs=("asc",),
            )
            return {"members": [Member.render(r) for r in rows]}

    @http.expose(plain_errors=True)
    def get_one(self, resource_id: str, member_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("members:get")
        _check_enabled()
        with http.read_tx() as tx:
            return Member.render(self._member(tx, resource_id, member_id))

    @http.expose(status=201, plain_errors=True)
    def post(self, resource_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("members:create")
        _check_enabled()
        body = Member.parse(http.json_body())
        member_id = body.get("member_id")
        if not member_id:
            raise errors.bad_request("Field 'member_id' is required.")
        ctx = http.ctx()
        with http.services().db.transaction(ctx) as tx:
            resource = self._resource(tx, resource_id)
            if resource.project_id != ctx.project_id:
                raise exc.NotAllowedError(
                    f"Only the owner of {self.type} {resource_id} can share it."
                )
            if resource.scope == "public":
                raise exc.NotAllowedError(f"A public {self.type} cannot be shared.")
            if member_id == ctx.project_id:
                raise errors.bad_request("A resource cannot be shared with its own project.")
            row = tx.resource_members.create({
                "resource_id": resource.id, "resource_type": self.type,
                "project_id": ctx.project_id, "member_id": member_id, "status": "pending",
            })
            return Member.render(row)

    @http.expose(plain_errors=True)
    def put(self, resource_id: str, member_id: str, **kw: Any) -> dict[str, Any]:
        policy.authorize("members:update")
        _check_enabled()
        body = Member.parse(http.json_body())
        status = body.get("status")
        if status not in STATUSES:
            raise errors.bad_request(
                f"Field 'status' must be one of {', '.join(STATUSES)}, not {status!r}."
            )
        ctx = http.ctx()
        with http.services().db.transaction(ctx) as tx:
            row = self._member(tx, resource_id, member_id)
            if row.member_id != ctx.project_id:
                # as Mistral 23: only the member project has a membership to accept or reject
                raise self._no_member(resource_id, member_id)
            return Member.render(tx.resource_members.update(row.id, {"status": status}))

    @http.expose(status=204, plain_errors=True)
    def delete(self, resource_id: str, member_id: str, **kw: Any) -> None:
        policy.authorize("members:delete")
        _check_enabled()
        ctx = http.ctx()
        with http.write_tx() as tx:
            row = self._member(tx, resource_id, member_id)
            if row.project_id != ctx.project_id:
                # as Mistral 23: only the owner removes a member (a member rejects instead)
                raise self._no_member(resource_id, member_id)
            tx.resource_members.delete(row.id)
