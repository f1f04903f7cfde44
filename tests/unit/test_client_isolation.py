"""The client package (``mistralclient``) stands alone: it imports nothing of the server."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "mistralclient"

# Imports every client module with the server package made unimportable.
PROBE = r"""
import importlib, importlib.abc, pkgutil, sys

class NoServer(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "mistral" or name.startswith("mistral."):
            raise ImportError("the client imported the server package: " + name)
        return None

sys.meta_path.insert(0, NoServer())
import mistralclient
for info in pkgutil.walk_packages(mistralclient.__path__, "mistralclient."):
    importlib.import_module(info.name)
from mistralclient import shell
shell.MistralShell().build_option_parser("d", "v")
print("ok")
"""


def test_no_module_of_the_client_imports_the_server() -> None:
    offenders = []
    for path in CLIENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            offenders += ["%s: %s" % (path.name, n) for n in names if n == "mistral" or n.startswith("mistral.")]
    assert offenders == []


def test_the_client_imports_and_builds_its_cli_without_the_server() -> None:
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                       cwd=str(CLIENT.parent))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
