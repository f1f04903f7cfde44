"""``client(mistral_url=..., auth_token=...)`` as python-mistralclient offers it."""

from __future__ import annotations

from typing import Any

from mistralclient.api.httpclient import DEFAULT_URL, HTTPClient
from mistralclient.api.v2.client import Client


def client(
    mistral_url: str | None = None,
    auth_token: str | None = None,
    project_id: str | None = None,
    user_id: str | None = None,
    insecure: bool = False,
    cacert: str | None = None,
    auth_url: str | None = None,
    session: Any = None,
    **kwargs: Any,
) -> Client:
    """Build a v2 client. With ``auth_url`` (or a keystoneauth1 ``session``) a Keystone token
    is obtained and the Mistral endpoint found in the catalog unless ``mistral_url`` is given."""
    if session is None and auth_url:
        from keystoneauth1 import loading
        from keystoneauth1 import session as ks_session

        loader = loading.get_plugin_loader("password")
        auth = loader.load_from_options(
            auth_url=auth_url,
            username=kwargs.get("username"),
            password=kwargs.get("api_key") or kwargs.get("password"),
            project_name=kwargs.get("project_name"),
            user_domain_name=kwargs.get("user_domain_name", "Default"),
            project_domain_name=kwargs.get("project_domain_name", "Default"),
        )
        session = ks_session.Session(auth=auth, verify=cacert or not insecure)
    if session is not None:
        auth_token = auth_token or session.get_token()
        if not mistral_url:
            mistral_url = session.get_endpoint(
                service_type=kwargs.get("service_type", "workflowv2"),
                interface=kwargs.get("endpoint_type", "public"),
            )
    http = HTTPClient(mistral_url or DEFAULT_URL, auth_token, project_id, user_id, insecure, cacert)
    return Client(http)
