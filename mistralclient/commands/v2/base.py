"""Command building blocks shared by every resource's CLI commands."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cliff.command import Command
from cliff.lister import Lister
from cliff.show import ShowOne


def cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return "<none>" if value is None or value == "" else value


def row(resource: Any, columns: list[tuple[str, str]]) -> tuple:
    return tuple(cell(getattr(resource, attr, None)) for _, attr in columns)


def headers(columns: list[tuple[str, str]]) -> tuple:
    return tuple(h for h, _ in columns)


def load_json_or_file(value: str | None) -> Any:
    """A JSON string, or the path of a file holding JSON (or YAML)."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        pass
    import yaml

    try:
        with open(value, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except OSError:
        raise SystemExit("error: %r is neither JSON nor a readable file" % value)


class MistralLister(Lister):
    columns: list[tuple[str, str]] = []
    manager_name = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--marker", default="", help="The last item of the previous page.")
        parser.add_argument("--limit", type=int, default=None, help="Maximum number of entries to return.")
        parser.add_argument("--sort_keys", default="created_at", help="Comma-separated sort keys.")
        parser.add_argument("--sort_dirs", default="asc", help="Comma-separated sort directions.")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="Filters, e.g. --filter state=eq:RUNNING. Repeatable.")
        return parser

    def list_kwargs(self, args: argparse.Namespace) -> dict:
        filters = {}
        for item in args.filter:
            key, _, value = item.partition("=")
            filters[key] = value
        return dict(marker=args.marker, limit=args.limit, sort_keys=args.sort_keys,
                    sort_dirs=args.sort_dirs, **filters)

    def fetch(self, args: argparse.Namespace) -> list:
        return getattr(self.app.client, self.manager_name).list(**self.list_kwargs(args))

    def take_action(self, args: argparse.Namespace) -> tuple:
        items = self.fetch(args)
        return headers(self.columns), [row(i, self.columns) for i in items]


class MistralShow(ShowOne):
    columns: list[tuple[str, str]] = []
    manager_name = ""
    id_help = "Name or ID"

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help=self.id_help)
        return parser

    def fetch(self, args: argparse.Namespace) -> Any:
        return getattr(self.app.client, self.manager_name).get(args.id)

    def take_action(self, args: argparse.Namespace) -> tuple:
        return headers(self.columns), row(self.fetch(args), self.columns)


class MistralDelete(Command):
    manager_name = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("ids", nargs="+", help="Names or IDs to delete.")
        return parser

    def delete_one(self, ident: str, args: argparse.Namespace) -> None:
        getattr(self.app.client, self.manager_name).delete(ident)

    def take_action(self, args: argparse.Namespace) -> None:
        failed = []
        for ident in args.ids:
            try:
                self.delete_one(ident, args)
                self.app.stdout.write("Request to delete %s has been accepted.\n" % ident)
            except Exception as exc:  # report each failure, keep going
                failed.append("%s: %s" % (ident, exc))
        if failed:
            raise SystemExit("\n".join(failed))


class MistralAttr(Command):
    """Print one JSON attribute of a resource (e.g. execution-get-output)."""

    manager_name = ""
    attr = ""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="ID")
        return parser

    def take_action(self, args: argparse.Namespace) -> None:
        value = getattr(getattr(self.app.client, self.manager_name).get(args.id), self.attr)
        try:
            value = json.dumps(json.loads(value), indent=4) if isinstance(value, str) else json.dumps(value, indent=4)
        except ValueError:
            pass
        self.app.stdout.write("%s\n" % value)
