"""api/ uses Strawberry, Starlette and graphql-core through their public names only.

A private name (``request._body``, ``schema._schema``, a module or class with a leading
underscore) is free to change in any release; relying on one pinned the project to a
single Strawberry minor. Checked on the source: every import from those packages names a
public module and, where the module declares ``__all__``, a name it exports; no attribute
with a leading underscore is read off anything but ``self``/``cls``.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
FRAMEWORKS = ("strawberry", "starlette", "graphql")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def violations(source: str, filename: str) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root not in FRAMEWORKS:
                continue
            if any(_private(part) for part in node.module.split(".")):
                found.append(f"{filename}:{node.lineno}: private module {node.module}")
                continue
            exported = getattr(importlib.import_module(node.module), "__all__", None)
            for alias in node.names:
                if _private(alias.name) or (exported is not None and alias.name not in exported):
                    found.append(f"{filename}:{node.lineno}: {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in FRAMEWORKS and any(_private(p) for p in parts):
                    found.append(f"{filename}:{node.lineno}: private module {alias.name}")
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in {"self", "cls"}):
                found.append(f"{filename}:{node.lineno}: attribute .{node.attr}")
    return found


def test_api_uses_only_public_names_of_its_frameworks() -> None:
    found = [
        line
        for path in sorted(API.rglob("*.py"))
        for line in violations(path.read_text(encoding="utf-8"), str(path.relative_to(API)))
    ]
    assert found == []


def test_the_check_sees_what_the_old_endpoint_did() -> None:
    """The lines that pinned Strawberry to 0.341 (api/graphql.py before issue 15)."""
    old = """
from strawberry.types.execution import PreExecutionError
from strawberry.schema._graphql_core import GraphQLExecutionResult
from graphql.execution.values import get_variable_values
def run(request, context):
    request._body = b""
    return context.schema._schema
"""
    found = violations(old, "old.py")
    assert [line.split(": ", 1)[1] for line in found] == [
        "strawberry.types.execution.PreExecutionError",
        "private module strawberry.schema._graphql_core",
        "attribute ._body",
        "attribute ._schema",
    ]
