"""``service-list`` (ours: python-mistralclient 6.3.0 has no command for ``/v2/services``)."""

from __future__ import annotations

import argparse

from mistralclient.commands.v2 import base


class ServiceFormatter(base.MistralFormatter):
    COLUMNS = [("name", "Name"), ("type", "Type")]


class List(base.Lister):
    """List the running Mistral services (API, engine, executor, ...) and their groups."""

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        return base.entries(ServiceFormatter.format_list, base.client(self).services.list())
