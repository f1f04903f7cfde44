"""Reference pages generated at build time from the code itself.

``.. mistral-cli::``   every ``mistral`` command: its description and its ``--help``
                       (from mistralclient's cliff commands, as the shell registers them).
``.. mistral-rest::``  every REST operation of the OpenAPI document
                       (``mistral.api.controllers.v2.openapi.document``): summary,
                       description, parameters, request body, responses, security.
"""

from __future__ import annotations

import io
import json
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList


def _parse(directive: Directive, lines: list[str]) -> list[nodes.Node]:
    from sphinx.util.nodes import nested_parse_with_titles

    node = nodes.section()
    node.document = directive.state.document
    nested_parse_with_titles(directive.state, StringList(lines, source="generated"), node)
    return node.children


def _underline(title: str, char: str) -> list[str]:
    return [title, char * len(title), ""]


def _literal(text: str) -> list[str]:
    return ["::", ""] + ["    " + ln for ln in text.rstrip().splitlines()] + [""]


class MistralCli(Directive):
    def run(self) -> list[nodes.Node]:
        from mistralclient.shell import MistralShell, commands_v2

        shell = MistralShell(stdout=io.StringIO(), stderr=io.StringIO())
        lines: list[str] = []
        for name, cls in sorted(commands_v2().items()):
            cmd = cls(shell, None)
            parser = cmd.get_parser(f"mistral {name}")
            parser.prog = f"mistral {name}"
            description = (cmd.get_description() or "").strip()
            lines += _underline(name, "-")
            if description:
                lines += [" ".join(description.split()), ""]
            lines += _literal(parser.format_help())
        return _parse(self, lines)


class MistralRest(Directive):
    def run(self) -> list[nodes.Node]:
        from mistral.api.controllers.v2 import openapi
        from mistral.api.controllers.v2.root import V2Controller

        doc = openapi.document(V2Controller())
        lines: list[str] = []
        scheme = doc["components"]["securitySchemes"]["keystoneToken"]
        lines += [f"Authentication: send a token in the ``{scheme['name']}`` header. "
                  + scheme["description"], ""]
        for path, item in doc["paths"].items():
            for verb, op in item.items():
                lines += _underline(f"{verb.upper()} {path}", "-")
                lines += [f"**{op['summary']}**", "", op["description"], ""]
                if op.get("security") == []:
                    lines += ["No authentication needed.", ""]
                params = op.get("parameters") or []
                if params:
                    lines += ["Parameters:", ""]
                    for p in params:
                        extra = f" — {p['description']}" if p.get("description") else ""
                        need = "required" if p.get("required") else "optional"
                        lines.append(f"* ``{p['name']}`` ({p['in']}, {need}){extra}")
                    lines.append("")
                body = op.get("requestBody")
                if body:
                    ctype, spec = next(iter(body["content"].items()))
                    lines += [f"Request body: ``{ctype}`` {_schema_name(spec['schema'])}", ""]
                answers = [f"``{code}`` {r['description']}" for code, r in op["responses"].items()]
                lines += ["Responses: " + ", ".join(answers) + ".", ""]
        lines += _underline("Schemas", "-")
        for name, schema in doc["components"]["schemas"].items():
            lines += [f"``{name}``", ""] + _literal(json.dumps(schema, indent=2, sort_keys=True))
        return _parse(self, lines)


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    return f"(schema ``{ref.rsplit('/', 1)[1]}``)" if ref else f"({schema.get('type', 'object')})"


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("mistral-cli", MistralCli)
    app.add_directive("mistral-rest", MistralRest)
    return {"parallel_read_safe": True, "version": "1"}
