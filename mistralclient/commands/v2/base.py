"""What every command shares: the formatter (columns) of each resource, the list-command
base with pagination and filters, and the small value helpers.

A resource's ``Formatter.COLUMNS`` is ``(field, heading[, synthetic])``: a synthetic
column (e.g. Duration) is computed here and never asked of the API.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import textwrap
from collections.abc import Callable
from typing import Any

from cliff import command, lister, show

from mistralclient import utils

DEFAULT_LIMIT = 100
NONE = "<none>"


class MistralFormatter:
    COLUMNS: list[tuple] = []

    @classmethod
    def fields(cls) -> list[str]:
        return [c[0] for c in cls.COLUMNS if len(c) == 2 or not c[2]]

    @classmethod
    def headings(cls) -> list[str]:
        return [c[1] for c in cls.COLUMNS]

    @classmethod
    def format_list(cls, instance: Any = None) -> tuple:
        return cls.format(instance, lister=True)

    @classmethod
    def format(cls, instance: Any = None, lister: bool = False) -> tuple:
        headings = cls.list_headings() if lister else cls.headings()
        if not instance:
            return headings, (("",) * len(headings),)
        return headings, tuple(cls.row(instance, lister))

    @classmethod
    def list_headings(cls) -> list[str]:
        return cls.headings()

    @classmethod
    def row(cls, instance: Any, lister: bool) -> list:
        return [getattr(instance, field, None) for field in cls.fields()]


def entries(formatter: Callable, resources: Any) -> tuple:
    """``(headings, rows)`` of a list command; no rows gives one empty row, as python-mistralclient."""
    if not isinstance(resources, list):
        resources = [resources]
    rows = [formatter(r)[1] for r in resources]
    return (formatter()[0], rows) if rows else formatter()


class JsonValue(str):
    """A structured field: indented JSON text in a table, the structure itself with -f json/yaml."""

    def __new__(cls, value: Any, indent: int | None = 4) -> "JsonValue":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        self = super().__new__(cls, json.dumps(value, indent=indent))
        self.value = value
        return self


STRUCTURED_FORMATS = ("json", "yaml")


def structured(value: Any) -> Any:
    """A cell as -f json/yaml print it: null for a missing value, structures as themselves."""
    if isinstance(value, JsonValue):
        return value.value
    if value == NONE:
        return None
    return value


class ShowOne(show.ShowOne):
    def produce_output(self, parsed_args: argparse.Namespace, column_names: Any, data: Any) -> int:
        if getattr(parsed_args, "formatter", None) in STRUCTURED_FORMATS:
            data = tuple(structured(v) for v in data)
        return super().produce_output(parsed_args, column_names, data)


class Lister(lister.Lister):
    def produce_output(self, parsed_args: argparse.Namespace, column_names: Any, data: Any) -> int:
        if getattr(parsed_args, "formatter", None) in STRUCTURED_FORMATS:
            data = [tuple(structured(v) for v in row) for row in data]
        return super().produce_output(parsed_args, column_names, data)


class MistralLister(Lister):
    """A list command: ``--marker``, ``--limit``, ``--sort_keys``, ``--sort_dirs``, ``--filter``."""

    def _get_format_function(self) -> Callable:
        raise NotImplementedError

    def _get_resources(self, parsed_args: argparse.Namespace) -> Any:
        raise NotImplementedError

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--marker", type=str, default="", nargs="?",
                            help="Show the entries after this ID (the last one of the previous page).")
        parser.add_argument("--limit", type=int, nargs="?",
                            help="At most this many entries.")
        parser.add_argument("--sort_keys", default="created_at", nargs="?",
                            help="Comma-separated fields to sort by (default: created_at).")
        parser.add_argument("--sort_dirs", default="asc", nargs="?",
                            help="Comma-separated directions, asc or desc, one per sort key (default: asc).")
        parser.add_argument("--filter", dest="filters", action="append",
                            help="KEY=VALUE, e.g. state=RUNNING or created_at=gt:2024-01-01; repeatable.")
        return parser

    def _validate_parsed_args(self, parsed_args: argparse.Namespace) -> None:
        pass

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        self._validate_parsed_args(parsed_args)
        return entries(self._get_format_function(), self._get_resources(parsed_args))


class MistralExecutionLister(MistralLister):
    """A list of runtime objects: the newest first unless ``--oldest``, 100 by default."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.set_defaults(limit=DEFAULT_LIMIT)
        parser.add_argument("--oldest", default=False, action="store_true",
                            help="Start from the oldest entries instead of the newest.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        self._validate_parsed_args(parsed_args)
        # With the default order, fetch the newest page (created_at desc) and show it
        # oldest-to-newest, so the latest entry is the last line on screen.
        newest_first = (parsed_args.marker == "" and parsed_args.sort_dirs == "asc"
                        and parsed_args.sort_keys == "created_at" and not parsed_args.oldest)
        if newest_first:
            parsed_args.sort_dirs = "desc"
        resources = self._get_resources(parsed_args)
        if not isinstance(resources, list):
            resources = [resources]
        if newest_first:
            resources.reverse()
        return entries(self._get_format_function(), resources)


Command = command.Command


def client(cmd: Any) -> Any:
    """The API client of the running app."""
    return cmd.app.client_manager.workflow_engine


def cut(string: str | None, length: int = 25) -> str | None:
    return "%s..." % string[:length] if string and len(string) > length else string


def wrap(string: str | None, width: int = 25) -> str | None:
    return textwrap.fill(string, width) if string and len(string) > width else string


def tags(resource: Any) -> str:
    return wrap(", ".join(getattr(resource, "tags", None) or [])) or NONE


def get_filters(parsed_args: argparse.Namespace) -> dict:
    filters = {}
    for item in parsed_args.filters or []:
        key, sep, value = item.partition("=")
        if not sep or "=" in value or not key:
            raise ValueError("Invalid filter: %s (expected KEY=VALUE)" % item)
        filters[key] = value
    return filters


def get_duration_str(start: str | None, end: str | None) -> str:
    """``end - start`` as H:MM:SS; from now (with ``...``) while it has no end."""
    if not start:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S"
    start_dt = datetime.datetime.strptime(start, fmt)
    if end:
        return str(datetime.datetime.strptime(end, fmt) - start_dt)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    delta = now - start_dt
    if delta < datetime.timedelta(seconds=2):
        return "..."
    return "%s..." % (delta - datetime.timedelta(microseconds=delta.microseconds))


def json_argument(value: str | None, what: str) -> Any:
    """A JSON argument: the JSON (or YAML) in a file of that name, or the text as JSON; {} if empty."""
    if not value:
        return {}
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as f:
            return utils.load_content(f.read())
    try:
        return json.loads(value)
    except ValueError as exc:
        raise ValueError("%s: %r is neither a file nor valid JSON (%s)" % (what, value, exc)) from None


def read(file: Any) -> str:
    """The text of a file argument (``argparse.FileType``), closing it."""
    with file:
        return file.read()


def json_text(value: Any) -> str:
    """A JSON field (the API gives JSON text) pretty-printed, with a newline."""
    if value is None:
        return "\n"
    try:
        return json.dumps(json.loads(value) if isinstance(value, str) else value, indent=4) + "\n"
    except ValueError:
        return "%s\n" % value
