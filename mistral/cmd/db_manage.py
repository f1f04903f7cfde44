"""``mistral-db-manage``: run the alembic migrations against ``[database] connection``.

::

    mistral-db-manage --config-file F upgrade [REV]      (default head)
    mistral-db-manage --config-file F downgrade REV
    mistral-db-manage --config-file F current [--verbose]
    mistral-db-manage --config-file F history [--verbose]
    mistral-db-manage --config-file F revision -m MSG [--autogenerate]
    mistral-db-manage --config-file F stamp REV
    mistral-db-manage --config-file F populate           (the system workflows)

Any failure (bad URL, unreachable database, unknown revision) is one line on stderr
and exit code 1.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Sequence
from typing import Any

# oslo.messaging pulls in oslo.service, which warns about eventlet on import.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from alembic import command  # noqa: E402
from alembic.util import CommandError  # noqa: E402
from oslo_config import cfg  # noqa: E402

from mistral import config  # noqa: E402
from mistral import exceptions as exc  # noqa: E402

PROG = "mistral-db-manage"


def _add_parsers(subparsers: Any) -> None:
    p = subparsers.add_parser("upgrade", help="Upgrade the schema to a revision (default head).")
    p.add_argument("revision", nargs="?", default="head")
    p = subparsers.add_parser("downgrade", help="Downgrade the schema to a revision.")
    p.add_argument("revision")
    p = subparsers.add_parser("current", help="Show the schema's current revision.")
    p.add_argument("--verbose", action="store_true")
    p = subparsers.add_parser("history", help="List the migrations.")
    p.add_argument("--verbose", action="store_true")
    p = subparsers.add_parser("revision", help="Create a new migration file.")
    p.add_argument("-m", "--message", required=True)
    p.add_argument("--autogenerate", action="store_true")
    p = subparsers.add_parser("stamp", help="Record a revision without running migrations.")
    p.add_argument("revision")
    subparsers.add_parser("populate", help="Install (or bring up to date) the system workflows.")


command_opt = cfg.SubCommandOpt(
    "command", title="Commands", help="Available commands", handler=_add_parsers
)


def _run(conf: cfg.ConfigOpts) -> None:
    from mistral.db import migration
    from mistral.db.api import Database

    name = conf.command.name
    if name == "history":
        command.history(migration.make_config(), verbose=conf.command.verbose)
        return
    opts = config.database_options(conf)
    opts["max_retries"] = 0  # fail at once: the operator is watching
    db = Database(**opts)
    try:
        db.check_connection()
        if name == "populate":
            from mistral.cmd.populate import populate

            done = populate(db)
            print("System workflows: " + "; ".join(
                f"{k} {', '.join(v)}" for k, v in done.items() if v) or "none shipped")
            return
        with db.engine.begin() as conn:
            alembic_cfg = migration.make_config(conn)
            if name == "upgrade":
                _refuse_unversioned_tables(conn)
                command.upgrade(alembic_cfg, conf.command.revision)
            elif name == "downgrade":
                command.downgrade(alembic_cfg, conf.command.revision)
            elif name == "current":
                command.current(alembic_cfg, verbose=conf.command.verbose)
            elif name == "stamp":
                command.stamp(alembic_cfg, conf.command.revision)
            elif name == "revision":
                command.revision(
                    alembic_cfg,
                    message=conf.command.message,
                    autogenerate=conf.command.autogenerate,
                )
    finally:
        db.dispose()


def _refuse_unversioned_tables(conn: Any) -> None:
    """Tables without an alembic version: created some other way; do not guess."""
    import sqlalchemy
    from alembic.migration import MigrationContext

    from mistral.db import models

    if MigrationContext.configure(conn).get_current_revision() is not None:
        return
    existing = set(sqlalchemy.inspect(conn).get_table_names()) & set(models.Base.metadata.tables)
    if existing:
        raise exc.DBError(
            f"The database already has mistral tables ({', '.join(sorted(existing)[:3])}, ...) "
            "but no schema version; if they match this release, record it with "
            "'mistral-db-manage --config-file <file> stamp head'"
        )


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)-5.5s [%(name)s] %(message)s")
    logging.getLogger("oslo_db").setLevel(logging.ERROR)
    logging.getLogger("oslo_service").setLevel(logging.WARNING)
    conf = cfg.ConfigOpts()
    conf.register_cli_opt(command_opt)
    try:
        config.parse_args(argv, conf=conf)
        _run(conf)
    except (exc.MistralError, CommandError, cfg.Error) as e:
        print(f"{PROG}: error: {_one_line(e)}", file=sys.stderr)
        return 1
    except Exception as e:  # translated below: driver and oslo.db errors
        from mistral.db import errors

        translated = errors.translate(e)
        if translated is e:
            raise
        print(f"{PROG}: error: {_one_line(translated)}", file=sys.stderr)
        return 1
    return 0


def _one_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0]


if __name__ == "__main__":
    sys.exit(main())
