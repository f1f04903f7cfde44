"""The OpenStack client libraries the actions are generated from, and how each is built.

One ``Service`` per action namespace (``nova``, ``cinder``, ``glance``, ``neutron``,
``heat``): the catalog service types it answers to, a client made without any network
access for introspection (``probe``), and the real client on a keystoneauth1 session and
the catalog endpoint (``make``). A library that is not installed gives no actions.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Service:
    namespace: str
    service_types: tuple[str, ...]
    module: str  # imported to tell whether the library is installed
    probe: Callable[[], Any]
    make: Callable[[Any, str, str | None], Any]  # (session, endpoint url, region) -> client
    flat: bool = False  # methods live on the client itself (neutron), not on managers


def _nova_probe() -> Any:
    from novaclient import client

    return client.Client("2.1")


def _nova(session: Any, url: str, region: str | None) -> Any:
    from novaclient import client

    return client.Client("2.1", session=session, endpoint_override=url, region_name=region)


def _cinder_probe() -> Any:
    from cinderclient import client

    return client.Client("3.0")


def _cinder(session: Any, url: str, region: str | None) -> Any:
    from cinderclient import client

    return client.Client("3.0", session=session, endpoint_override=url, region_name=region)


def _glance_probe() -> Any:
    import glanceclient

    return glanceclient.Client("2", endpoint="http://glance.invalid")


def _glance(session: Any, url: str, region: str | None) -> Any:
    import glanceclient

    return glanceclient.Client("2", session=session, endpoint_override=url, region_name=region)


def _neutron_probe() -> Any:
    from neutronclient.v2_0 import client

    return client.Client(endpoint_url="http://neutron.invalid", token="probe")


def _neutron(session: Any, url: str, region: str | None) -> Any:
    from neutronclient.v2_0 import client

    return client.Client(session=session, endpoint_override=url, region_name=region)


def _heat_probe() -> Any:
    from heatclient import client

    return client.Client("1", endpoint="http://heat.invalid", token="probe")


def _heat(session: Any, url: str, region: str | None) -> Any:
    from heatclient import client

    return client.Client("1", session=session, endpoint_override=url, region_name=region)


SERVICES: tuple[Service, ...] = (
    Service("nova", ("compute",), "novaclient", _nova_probe, _nova),
    Service("cinder", ("block-storage", "volumev3", "volume"), "cinderclient", _cinder_probe, _cinder),
    Service("glance", ("image",), "glanceclient", _glance_probe, _glance),
    Service("neutron", ("network",), "neutronclient", _neutron_probe, _neutron, flat=True),
    Service("heat", ("orchestration",), "heatclient", _heat_probe, _heat),
)


def installed(service: Service) -> bool:
    try:
        importlib.import_module(service.module)
    except Exception:  # noqa: BLE001 - missing or broken: no actions for it
        return False
    return True
