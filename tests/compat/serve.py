"""A small stand-alone API server for the compatibility test.

``python -m tests.compat.serve --port P --db URL`` serves ``make_app(...)`` over a real
socket with a threaded WSGI server, an SQLite (or any) database with its schema, the
real ``DefaultEngine`` with an in-process executor when the engine package provides it,
and the real registry of Python actions. It exists so the compat test does not depend
on ``mistral-server`` being complete; when ``mistral.cmd.launch`` can serve the API the
test can switch to it.
"""

from __future__ import annotations

import argparse
import socketserver
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from mistral.actions.registry import ActionRegistry
from mistral.api.app import ApiServices, ApiSettings, make_app
from mistral.db.api import Database


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def build_engine(db: Database, registry: ActionRegistry) -> Any:
    """The real engine with an in-process executor, or None if it does not exist yet."""
    try:
        from tests.functional.api.engine import make_engine
    except ImportError:
        return None
    return make_engine(db, registry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    db = Database(args.db)
    db.create_schema()
    registry = ActionRegistry.load()
    services = ApiServices(
        db=db,
        engine=build_engine(db, registry),
        settings=ApiSettings(),
        list_services=lambda: [{"name": "compat-server", "type": "api_group"}],
        list_system_actions=registry.list_definitions,
    )
    server = make_server("127.0.0.1", args.port, make_app(services),
                         server_class=_ThreadingServer, handler_class=_QuietHandler)
    print("serving", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
