"""Test fixtures: one database per backend, so every database test runs on both.

``db_url`` is a fresh, migrated, empty database for one test; ``loaded_url`` is a
database with the bundled sources loaded, shared read-only by the tests of a session.
PostgreSQL is a throwaway server started for the session (devkit/pgserver.py); it never
skips: without server binaries the session fails saying how to install them.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from db.migrate import upgrade_async
from devkit.pgserver import PostgresServer, PostgresUnavailable
from loaders.manifest import BUNDLED_MANIFEST

BACKENDS = ("sqlite", "postgresql")

_counter = itertools.count(1)

RATE_WINDOW_SECONDS = 60  # the tests' small limits are all "N/minute"
RATE_WINDOW_MARGIN = 5.0  # longer than any test marked rate_window takes


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "rate_window: counts requests against an N/minute limit; starts well inside one window",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Start a test that counts requests against a small limit at least RATE_WINDOW_MARGIN
    seconds before the limiter's window turns.

    The sliding-window counter (api/ratelimit.py, from ``limits``) weighs the previous
    window's count by the share of it still inside the last minute and rounds down, so
    requests that straddle a window boundary may get one more than the limit through (the
    library's approximation, by design). Such a test asserts the count inside one window;
    without this it failed whenever its requests crossed a minute (seen once in CI).
    """
    if item.get_closest_marker("rate_window") is None:
        return
    left = RATE_WINDOW_SECONDS - time.time() % RATE_WINDOW_SECONDS
    if left < RATE_WINDOW_MARGIN:
        time.sleep(left + 0.05)


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="dxgraph-test-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer | str]:
    external = os.environ.get("DXGRAPH_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


def pg_url(server: PostgresServer | str, database: str) -> str:
    if isinstance(server, str):
        base = server.rsplit("/", 1)[0]
        return f"{base}/{database}"
    return server.url(database)


async def _pg_admin(server: PostgresServer | str, sql: str) -> None:
    url = pg_url(server, "postgres").replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def templates(pg_server: PostgresServer | str, tmp_root: Path) -> dict[str, str]:
    """Migrated empty databases to copy from: a SQLite file and a PostgreSQL template."""
    sqlite_path = tmp_root / "template.db"
    await upgrade_async(f"sqlite+aiosqlite:///{sqlite_path}")
    await _pg_admin(pg_server, "DROP DATABASE IF EXISTS dxgraph_template")
    await _pg_admin(pg_server, "CREATE DATABASE dxgraph_template")
    await upgrade_async(pg_url(pg_server, "dxgraph_template"))
    return {"sqlite": str(sqlite_path), "postgresql": "dxgraph_template"}


async def new_database(
    backend: str, templates: dict[str, str], pg_server: PostgresServer | str, tmp_root: Path
) -> str:
    """A fresh migrated database of ``backend``; returns its URL."""
    n = next(_counter)
    if backend == "sqlite":
        path = tmp_root / f"test_{n}.db"
        shutil.copyfile(templates["sqlite"], path)
        return f"sqlite+aiosqlite:///{path}"
    name = f"dxgraph_test_{n}"
    await _pg_admin(pg_server, f"CREATE DATABASE {name} TEMPLATE {templates['postgresql']}")
    return pg_url(pg_server, name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(
    backend: str, templates: dict[str, str], pg_server: PostgresServer | str, tmp_root: Path
) -> AsyncIterator[str]:
    """A fresh, migrated, empty database for one test, on each backend."""
    yield await new_database(backend, templates, pg_server, tmp_root)


_loaded: dict[str, str] = {}


async def load_into(url: str, manifest: Path = BUNDLED_MANIFEST) -> None:
    """Load a manifest into the database at ``url`` with an engine of its own."""
    from db.session import create_engine
    from loaders.ingest import load_manifest

    engine = create_engine(url)
    try:
        await load_manifest(engine, manifest)
    finally:
        await engine.dispose()


async def ensure_loaded(
    backend: str, templates: dict[str, str], pg_server: PostgresServer | str, tmp_root: Path
) -> str:
    """The URL of a database of ``backend`` with the bundled sources, loaded once."""
    if backend not in _loaded:
        url = await new_database(backend, templates, pg_server, tmp_root)
        await load_into(url)
        _loaded[backend] = url
    return _loaded[backend]


@pytest.fixture
async def loaded_url(
    backend: str, templates: dict[str, str], pg_server: PostgresServer | str, tmp_root: Path
) -> str:
    """A database with the bundled sources loaded, once per backend; tests only read it."""
    return await ensure_loaded(backend, templates, pg_server, tmp_root)


@pytest.fixture
async def loaded_urls(
    templates: dict[str, str], pg_server: PostgresServer | str, tmp_root: Path
) -> dict[str, str]:
    """Both loaded databases at once, for tests that compare the backends."""
    return {b: await ensure_loaded(b, templates, pg_server, tmp_root) for b in BACKENDS}


def subset_manifest(folder: Path, keep: int) -> Path:
    """The bundled manifest with only its first ``keep`` sources (absolute file paths)."""
    text = BUNDLED_MANIFEST.read_text(encoding="utf-8")
    blocks = text.split("[[source]]")[1 : keep + 1]
    entries = []
    for block in blocks:
        entries.append(
            re.sub(
                r'file = "([^"]+)"',
                lambda m: f'file = "{(BUNDLED_MANIFEST.parent / m.group(1)).as_posix()}"',
                block,
            )
        )
    path = folder / "manifest.toml"
    path.write_text("".join("[[source]]" + e for e in entries), encoding="utf-8")
    return path
