"""Fixtures of the conformance checks: the tools they install, and one live server.

Two sizes (conformance/mode.py). ``make test`` runs a slice: every MUST audit of
graphql-http, 50 generated queries on SQLite, a query run in GraphiQL in Chromium. With
``DXGRAPH_CONFORMANCE=1`` (``make conformance``) the tests marked ``conformance`` run too
(SHOULD audits, GraphiQL with no CDN) and the fuzz runs 300 queries on each database.
Outside that mode, ``conformance`` tests are deselected, not skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import tools
from conformance.mode import FULL
from conformance.server import live_server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance: only with DXGRAPH_CONFORMANCE=1 (make conformance)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if FULL:
        return
    deselected = [item for item in items if item.get_closest_marker("conformance")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("conformance")]


@pytest.fixture(scope="session")
def node_modules() -> None:
    """conformance/'s npm packages, installed from its lock file."""
    tools.ensure_node_modules()


@pytest.fixture(scope="session")
def chromium() -> Path:
    return tools.ensure_chromium()


@pytest.fixture(scope="session")
def live_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the live servers keep their SQLite file and logs."""
    return tmp_path_factory.mktemp("conformance")


@pytest.fixture(scope="session")
def live_base(live_dir: Path) -> Iterator[str]:
    """``dxgraph serve`` on a loopback port, on an empty SQLite file it loads itself."""
    with live_server(live_dir / "dxgraph.db", live_dir / "serve.log") as base:
        yield base
