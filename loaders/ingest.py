"""Ingest: parse every source of a manifest, then write it all in one transaction.

Parsing is pure and happens first; only when every source has parsed does the database
see a write. Rows are built with deterministic IDs (``loaders.rows``) and compared, by
digest, with what the database holds (``loaders.write``): an unchanged load writes
nothing; a changed one replaces all content in one transaction and bumps the content
version. API keys are never touched. The report is returned; the CLI prints it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models
from db.session import create_engine
from loaders.clean import raw_lines
from loaders.guards import check_load
from loaders.manifest import SourceEntry, read_manifest
from loaders.pipeline import parse_source
from loaders.read import read_source
from loaders.records import LoadError, ParseError
from loaders.rows import Parsed, SourceReport, build_rows
from loaders.search_index import search_entries
from loaders.write import CONTENT_TABLES, digest, write_rows

__all__ = [
    "CONTENT_TABLES",
    "LoadError",
    "LoadReport",
    "Parsed",
    "SourceReport",
    "build_rows",
    "digest",
    "has_content",
    "load_manifest",
    "load_manifest_sync",
    "parse_all",
    "search_entries",
    "write_rows",
]


@dataclass
class LoadReport:
    sources: list[SourceReport]
    changed: bool
    version: int
    warnings: list[str] = field(default_factory=list)


def parse_all(
    entries: list[SourceEntry], on_parsed: Callable[[SourceEntry], None] | None = None
) -> list[Parsed]:
    """Read and parse every source; the first failure raises LoadError naming file and line."""
    parsed: list[Parsed] = []
    for entry in entries:
        try:
            text = read_source(entry.path)
            result = parse_source(entry, text)
        except ParseError as exc:
            raise LoadError(str(exc)) from exc
        except Exception as exc:  # a parser bug must still name the file
            raise LoadError(f"{entry.path}: cannot parse: {type(exc).__name__}: {exc}") from exc
        lines = raw_lines(text)[: result.line_count]
        parsed.append(Parsed(entry, text, lines, hashlib.sha256(text.encode()).hexdigest(), result))
        if on_parsed is not None:
            on_parsed(entry)
    return parsed


async def load_manifest(
    engine: AsyncEngine,
    manifest: Path,
    *,
    on_parsed: Callable[[SourceEntry], None] | None = None,
    allow_shrink: bool = False,
) -> LoadReport:
    """Parse every source of ``manifest`` and write them: all or nothing. A source that
    shrinks suspiciously fails the load unless ``allow_shrink`` (``loaders.guards``)."""
    try:
        entries = read_manifest(manifest)
    except ParseError as exc:
        raise LoadError(str(exc)) from exc
    parsed = await asyncio.to_thread(parse_all, entries, on_parsed)
    rows, reports = build_rows(parsed)
    await check_load(engine, parsed, rows, allow_shrink=allow_shrink)
    changed, version = await write_rows(engine, rows)
    return LoadReport(sources=reports, changed=changed, version=version)


def load_manifest_sync(
    url: str,
    manifest: Path,
    *,
    on_parsed: Callable[[SourceEntry], None] | None = None,
    allow_shrink: bool = False,
) -> LoadReport:
    """``load_manifest`` for the command line: its own engine and event loop."""

    async def run() -> LoadReport:
        engine = create_engine(url)
        try:
            return await load_manifest(
                engine, manifest, on_parsed=on_parsed, allow_shrink=allow_shrink
            )
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def has_content(url: str) -> bool:
    """True when at least one source is loaded."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(models.Source))
            return bool(count)
    finally:
        await engine.dispose()
