"""Running a generated OpenStack action: session, endpoint, call, result.

The action acts as the execution's own user, never as the service: its keystoneauth1
session carries the request context's ``auth_token`` and the endpoint comes from the
context's ``service_catalog`` (the one keystonemiddleware passed in; asked of Keystone
at ``auth_uri`` with that token when the context has none), chosen by service type,
interface (``[openstack_actions] os-actions-endpoint-type``) and region
(``action_region``, else the context's ``region_name``, else ``[openstack_actions]
default_region``). ``%(project_id)s``-style templates in the URL are filled in.

A 4xx/5xx from the service, a refused connection or a missing endpoint fails the action
with a message naming the action and the cause.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from mistral.actions.base import Action, ActionContext, ActionSettings, OpenStackSettings
from mistral.exceptions import ActionError

LOG = logging.getLogger(__name__)

@dataclass
class Call:
    """What a generated class calls: ``manager.method`` (or ``method``) of one service."""

    service: Any  # clients.Service
    path: tuple[str, ...] = field(default_factory=tuple)


def find_endpoint(catalog: Any, service_types: tuple[str, ...], interface: str,
                  region: str | None) -> str | None:
    """The URL of the first catalog endpoint of one of ``service_types`` with that
    ``interface`` (and ``region`` when given); v3 catalogs and v2 ``publicURL`` ones."""
    entries = catalog.get("catalog", catalog) if isinstance(catalog, dict) else catalog
    if not isinstance(entries, list):
        return None
    for stype in service_types:
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("type") != stype:
                continue
            for ep in entry.get("endpoints") or ():
                ep_region = ep.get("region_id") or ep.get("region")
                if region and ep_region != region:
                    continue
                if "interface" in ep and ep.get("interface") == interface and ep.get("url"):
                    return str(ep["url"])
                v2 = ep.get(f"{interface}URL")
                if v2:
                    return str(v2)
    return None


def _fill(url: str, project_id: str) -> str:
    for key in ("tenant_id", "project_id"):
        url = url.replace(f"%({key})s", project_id).replace(f"$({key})s", project_id)
    return url


def _fetch_catalog(name: str, auth_uri: str, token: str, settings: OpenStackSettings,
                   timeout: float | None) -> list:
    """The token's catalog from Keystone (``GET /v3/auth/tokens``, the token checking itself)."""
    from keystoneauth1 import exceptions as ks_exc
    from keystoneauth1 import session as ks_session

    url = auth_uri.rstrip("/")
    if not url.endswith("/v3"):
        url += "/v3"
    sess = ks_session.Session(verify=settings.verify, timeout=timeout)
    try:
        resp = sess.get(url + "/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token},
                        authenticated=False)
        return resp.json().get("token", {}).get("catalog") or []
    except ks_exc.HttpError as e:
        raise ActionError(f"{name}: Keystone refused the execution's token ({e.http_status})") from None
    except ks_exc.ClientException as e:
        raise ActionError(f"{name}: cannot reach Keystone at {auth_uri}: {type(e).__name__}") from None


def _plain(value: Any) -> Any:
    """Client return values as JSON-able data (resources as their dicts)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        # (response, body) pairs of older managers: the body is the result
        if len(items) == 2 and hasattr(items[0], "status_code"):
            return _plain(items[1])
        return [_plain(v) for v in items]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        try:
            return _plain(to_dict())
        except Exception:  # noqa: BLE001, S110 - fall through to the other shapes
            pass
    info = getattr(value, "_info", None)
    if isinstance(info, dict):
        return _plain(info)
    if hasattr(value, "status_code") and hasattr(value, "json"):
        return {"status_code": value.status_code}
    return str(value)


def _http_status(e: BaseException) -> int | None:
    for attr in ("code", "http_status", "status_code"):
        v = getattr(e, attr, None)
        if isinstance(v, int):
            return v
    return None


class OpenStackAction(Action):
    """Base of every generated ``<service>.<manager>_<method>`` action."""

    action_name: str = ""
    call: Call = Call(service=None)
    supports_region: bool = True

    def __init__(self, **values: Any) -> None:
        super().__init__()
        self.action_region = values.pop("action_region", None) or None
        self.values = values
        self.settings = OpenStackSettings()

    def configure(self, settings: ActionSettings) -> None:
        self.settings = getattr(settings, "openstack", None) or OpenStackSettings()

    def _endpoint(self, context: ActionContext, timeout: float | None) -> str:
        req = context.request
        catalog = getattr(req, "service_catalog", None)
        token = req.auth_token
        auth_uri = getattr(req, "auth_uri", None)
        if not token:
            raise ActionError(f"{self.action_name}: the execution has no auth token "
                              "(OpenStack actions need [pecan] auth_enable and Keystone)")
        if not catalog:
            if not auth_uri:
                raise ActionError(f"{self.action_name}: the execution has neither a service catalog "
                                  "nor an auth URI to get one")
            catalog = _fetch_catalog(self.action_name, auth_uri, token, self.settings, timeout)
        region = self.action_region or getattr(req, "region_name", None) or self.settings.default_region
        types = self.call.service.service_types
        url = find_endpoint(catalog, types, self.settings.endpoint_type, region)
        if url is None:
            raise ActionError(
                f"{self.action_name}: no {self.settings.endpoint_type} endpoint of service type "
                f"{'/'.join(types)}{f' in region {region}' if region else ''} in the catalog")
        return _fill(url, req.project_id)

    def client(self, context: ActionContext) -> Any:
        from keystoneauth1 import session as ks_session
        from keystoneauth1 import token_endpoint

        timeout = context.remaining(self.settings.timeout)
        url = self._endpoint(context, timeout)
        sess = ks_session.Session(auth=token_endpoint.Token(url, context.request.auth_token),
                                  verify=self.settings.verify, timeout=timeout)
        region = self.action_region or getattr(context.request, "region_name", None)
        return self.call.service.make(sess, url, region)

    def run(self, context: ActionContext) -> Any:
        client = self.client(context)
        target = client
        try:
            for part in self.call.path:
                target = getattr(target, part)
        except AttributeError:
            raise ActionError(f"{self.action_name}: the installed client has no "
                              f"{'.'.join(self.call.path)}") from None
        try:
            return _plain(target(**self.values))
        except ActionError:
            raise
        except Exception as e:  # noqa: BLE001 - the service's or the library's error
            raise ActionError(self._failure(e)) from None

    def _failure(self, e: BaseException) -> str:
        from keystoneauth1 import exceptions as ks_exc

        status = _http_status(e)
        service = self.call.service.namespace
        if status is not None:
            detail = getattr(e, "message", None) or getattr(e, "details", None) or str(e)
            return f"{self.action_name}: {service} answered {status}: {str(detail).strip()[:500]}"
        if isinstance(e, ks_exc.ConnectFailure):
            return f"{self.action_name}: cannot reach {service}: connection failed"
        if isinstance(e, ks_exc.ConnectTimeout | ks_exc.RequestTimeout):
            return f"{self.action_name}: {service} did not answer in time"
        if isinstance(e, TypeError):
            return f"{self.action_name}: bad input: {e}"
        return f"{self.action_name}: {type(e).__name__}: {e}"
