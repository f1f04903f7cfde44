"""Keystone authentication through keystoneauth1.

Credentials come as python-mistralclient takes them (``auth_url``, ``username``,
``api_key``, ``project_name``/``project_id``, domains, or ``auth_token``), or from a
``clouds.yaml`` entry named by ``cloud`` (``OS_CLOUD``). The Mistral endpoint is found in
the catalog (``service_type`` ``workflowv2``, ``endpoint_type`` public) unless
``mistral_url`` is given.
"""

from __future__ import annotations

from typing import Any

from mistralclient import exceptions

_INTERFACES = {"publicURL": "public", "internalURL": "internal", "adminURL": "admin"}


def _clean(options: dict) -> dict:
    return {k: v for k, v in options.items() if v not in (None, "")}


def _cloud_options(req: dict) -> tuple[str, dict, dict]:
    """The auth plugin name, its options and the connection settings of a clouds.yaml cloud."""
    from openstack import config as os_config

    try:
        cloud = os_config.OpenStackConfig().get_one(cloud=req["cloud"])
    except Exception as exc:  # openstacksdk raises its own config errors
        raise exceptions.MistralClientException("cloud %r: %s" % (req["cloud"], exc)) from None
    settings = cloud.config
    connection = {
        "region_name": settings.get("region_name"),
        "insecure": not settings.get("verify", True),
        "cacert": settings.get("cacert"),
        "interface": settings.get("interface"),
    }
    return settings.get("auth_type") or "password", dict(settings.get("auth") or {}), connection


def _plugin_options(req: dict) -> tuple[str, dict]:
    common = {
        "auth_url": req.get("auth_url"),
        "project_id": req.get("project_id"),
        "project_name": req.get("project_name"),
        "project_domain_id": req.get("project_domain_id"),
        "project_domain_name": req.get("project_domain_name"),
    }
    if req.get("auth_token"):
        return "token", _clean({**common, "token": req["auth_token"]})
    return "password", _clean({
        **common,
        "username": req.get("username"),
        "user_id": req.get("user_id"),
        "password": req.get("api_key") or req.get("password"),
        "user_domain_id": req.get("user_domain_id"),
        "user_domain_name": req.get("user_domain_name"),
    })


class KeystoneAuthHandler:
    def authenticate(self, req: dict, session: Any = None) -> dict:
        from keystoneauth1 import exceptions as ks_exceptions
        from keystoneauth1 import loading
        from keystoneauth1 import session as ks_session

        connection = {"region_name": req.get("region_name"), "insecure": req.get("insecure"),
                      "cacert": req.get("cacert"), "interface": None}
        if session is None:
            if req.get("cloud"):
                plugin_name, options, connection = _cloud_options(req)
            else:
                plugin_name, options = _plugin_options(req)
            try:
                plugin = loading.get_plugin_loader(plugin_name).load_from_options(**options)
            except ks_exceptions.ClientException as exc:
                raise exceptions.IllegalArgumentException("Keystone credentials: %s" % exc) from None
            verify: Any = False if connection["insecure"] else (connection["cacert"] or True)
            cert = (req["cert"], req.get("key")) if req.get("cert") else None
            session = ks_session.Session(auth=plugin, verify=verify, cert=cert)

        mistral_url = req.get("mistral_url")
        try:
            session.get_token()
            if not mistral_url:
                mistral_url = session.get_endpoint(
                    service_type=req.get("service_type") or "workflowv2",
                    interface=connection["interface"]
                    or _INTERFACES.get(req.get("endpoint_type") or "", req.get("endpoint_type") or "public"),
                    region_name=connection["region_name"] or req.get("region_name"),
                )
        except ks_exceptions.Unauthorized:
            raise exceptions.MistralClientException(
                "Keystone at %s refused the credentials (wrong user, password, project or token)"
                % (req.get("auth_url") or req.get("cloud"))) from None
        except ks_exceptions.ConnectFailure:
            raise exceptions.MistralClientException(
                "cannot reach Keystone at %s" % (req.get("auth_url") or req.get("cloud"))) from None
        except ks_exceptions.ClientException as exc:
            raise exceptions.MistralClientException("Keystone: %s" % exc) from None
        if not mistral_url:
            raise exceptions.MistralClientException(
                "no %s endpoint in the Keystone catalog; give --os-mistral-url"
                % (req.get("service_type") or "workflowv2"))
        return {"session": session, "mistral_url": mistral_url,
                "project_id": session.get_project_id(), "user_id": session.get_user_id()}
