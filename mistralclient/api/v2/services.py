"""``/v2/services``: the live engine/executor/API members (not in python-mistralclient 6.3.0)."""

from __future__ import annotations

from mistralclient.api import base


class Service(base.Resource):
    resource_name = "Service"


class ServiceManager(base.ResourceManager):
    resource_class = Service

    def list(self) -> list:
        return self._list("/services", response_key="services")
