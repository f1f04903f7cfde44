"""Print the ``mistral`` CLI's surface as JSON: global options, commands and each one's flags.

Run by whichever interpreter has the ``mistralclient`` to describe (ours, or the real
python-mistralclient in its own virtualenv); it imports nothing from this checkout, so it
is handed to the other interpreter as a file.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _action(a: argparse.Action) -> dict[str, Any]:
    default = a.default
    if default is not None and not isinstance(default, (str, int, float, bool, list)):
        default = type(default).__name__
    return {
        "options": sorted(a.option_strings),
        "dest": a.dest,
        "kind": type(a).__name__,
        "nargs": a.nargs,
        "const": a.const if isinstance(a.const, (str, int, float, bool, type(None))) else repr(a.const),
        "default": default,
        "choices": sorted(map(str, a.choices)) if a.choices else None,
        "required": a.required,
        "type": _type_name(a.type),
    }


def _type_name(t: Any) -> str | None:
    if t is None:
        return None
    if isinstance(t, argparse.FileType):
        return "FileType(%s)" % t._mode
    return getattr(t, "__name__", type(t).__name__)


def _actions(parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> dict[str, dict]:
    out = {}
    for a in parser._actions:
        key = ",".join(sorted(a.option_strings)) or a.dest
        if key in skip:
            continue
        out[key] = _action(a)
    return out


def describe() -> dict[str, Any]:
    from mistralclient import shell

    app = shell.MistralShell()
    parser = app.build_option_parser("d", "v")
    commands: dict[str, Any] = {}
    for name, ep in sorted(app.command_manager):
        if name in ("help", "complete"):
            continue
        factory = ep.load() if hasattr(ep, "load") else ep
        cmd = factory(app, None)
        p = cmd.get_parser("mistral " + name)
        commands[name] = {
            "base": [c.__name__ for c in type(cmd).__mro__ if c.__module__.startswith("cliff.")][:1],
            "description": cmd.get_description(),
            "arguments": _actions(p, skip=("--help,-h",)),
        }
    return {"global": _actions(parser, skip=("--help,-h", "--version")), "commands": commands,
            "columns": _columns()}


def _columns() -> dict[str, Any]:
    """Each resource formatter's headings (show and list) and the fields lists ask for."""
    import importlib
    import inspect

    out = {}
    for module in ("action_executions", "actions", "code_sources", "cron_triggers", "dynamic_actions",
                   "environments", "event_triggers", "executions", "members", "tasks", "workbooks",
                   "workflows"):
        mod = importlib.import_module("mistralclient.commands.v2." + module)
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if name.endswith("Formatter") and cls.__module__ == mod.__name__:
                out["%s.%s" % (module, name)] = {"show": list(cls.format()[0]),
                                                 "list": list(cls.format_list()[0]),
                                                 "fields": list(cls.fields())}
    return out


if __name__ == "__main__":
    json.dump(describe(), sys.stdout, indent=1, sort_keys=True)
