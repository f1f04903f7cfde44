"""The pure packages import nothing that does I/O (see HACKING.rst, "Rules").

Walks every module of mistral/lang, mistral/expressions and mistral/workflow with ``ast``
(nothing is imported), including imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ("mistral/lang", "mistral/expressions", "mistral/workflow")
FORBIDDEN = (
    "mistral.db",
    "mistral.rpc",
    "mistral.engine",
    "mistral.api",
    "mistral.config",
    "oslo_config",
    "oslo_messaging",
    "sqlalchemy",
)


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (``from a import b`` yields ``a`` and ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, path.name == "__init__.py")
            out.append((node.lineno, base))
            out.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return out


def is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def _files() -> list[Path]:
    files: list[Path] = []
    for pkg in PURE_PACKAGES:
        files.extend(sorted((ROOT / pkg).rglob("*.py")))
    return files


def test_pure_packages_exist() -> None:
    for pkg in PURE_PACKAGES:
        assert (ROOT / pkg / "__init__.py").is_file(), pkg


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_package_imports_no_io(path: Path) -> None:
    bad = [f"line {line}: {name}" for line, name in imported_names(path) if is_forbidden(name)]
    assert not bad, f"{path.relative_to(ROOT)} imports I/O layers: {bad}"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import sqlalchemy", True),
        ("from sqlalchemy.orm import Session", True),
        ("from mistral.engine import interface", True),
        ("from mistral import config", True),
        ("import oslo_config.cfg", True),
        ("from mistral.exceptions import DSLError", False),
        ("import yaml", False),
        ("from mistral.expressions import evaluate", False),
    ],
)
def test_checker_detects_forbidden_imports(source: str, expected: bool) -> None:
    # The checker itself must be able to fail, or the test above proves nothing.
    names = [n for _, n in imported_names_from_source(source)]
    assert any(is_forbidden(n) for n in names) is expected


def imported_names_from_source(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            out.append((node.lineno, base))
            out.extend((node.lineno, f"{base}.{a.name}") for a in node.names)
    return out


def test_relative_import_is_resolved() -> None:
    node = ast.parse("from ..engine import interface").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve(node, "mistral.lang.parser", False) == "mistral.engine"
    assert is_forbidden(_resolve(node, "mistral.lang.parser", False) + ".interface")
