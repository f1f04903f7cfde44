"""The request context survives the trip through RPC and the database as a dict."""

from __future__ import annotations

from mistral.context import DEFAULT_PROJECT_ID, RequestContext


def test_every_field_round_trips_through_a_dict() -> None:
    ctx = RequestContext(
        project_id="p", user_id="u", user_name="alice", project_name="alpha", is_admin=False,
        auth_token="tok", roles=("member", "reader"), request_id="req-1",
        auth_uri="http://127.0.0.1:5000/v3", region_name="RegionOne",
        service_catalog=[{"type": "compute", "endpoints": [{"publicURL": "http://x"}]}],
        trust_id="t-1", expires_at="2030-01-01T00:00:00.000000Z", user_domain_name="Default",
        project_domain_name="Default", is_target=True, insecure=True, auth_cacert="/ca.pem")
    assert RequestContext.from_dict(ctx.to_dict()) == ctx


def test_missing_and_unknown_keys() -> None:
    ctx = RequestContext.from_dict({"project_id": None, "roles": None, "from_the_future": 1})
    assert ctx == RequestContext()
    assert ctx.project_id == DEFAULT_PROJECT_ID and ctx.service_catalog is None
