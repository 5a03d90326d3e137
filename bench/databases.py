"""Databases the in-process benchmarks read: the bundled sources, migrated and loaded."""

from __future__ import annotations

from pathlib import Path

from db.migrate import upgrade_async
from db.session import create_engine
from loaders.ingest import load_manifest
from loaders.manifest import BUNDLED_MANIFEST


async def load_bundled(url: str) -> None:
    """Migrate the database at ``url`` and load the bundled sources into it."""
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        await load_manifest(engine, BUNDLED_MANIFEST)
    finally:
        await engine.dispose()


async def loaded_sqlite(folder: Path, name: str = "reads.db") -> str:
    """A SQLite file ``folder/name`` holding the bundled sources; its URL."""
    url = f"sqlite+aiosqlite:///{folder / name}"
    await load_bundled(url)
    return url
