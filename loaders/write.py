"""The write transaction: all content replaced in one transaction, unless its digest is
what the database holds already (then nothing is written)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models
from db.session import create_sessionmaker
from loaders.guards import lock_content
from loaders.records import LoadError

#: Content tables in the order they are written (children after parents).
CONTENT_TABLES: tuple[type[models.Base], ...] = (
    models.Source,
    models.Document,
    models.DocumentLink,
    models.DocumentCitation,
    models.Agency,
    models.Target,
    models.Quantity,
    models.Task,
    models.TaskAgency,
    models.Question,
    models.QuestionDocument,
    models.QuestionCitation,
    models.QuestionAlias,
    models.RecordPillar,
    models.Ranking,
    models.Passage,
    models.PassageDocument,
    models.Figure,
    models.SearchEntry,
    models.SearchTerm,
)


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def digest(rows: dict[str, list[dict[str, Any]]]) -> str:
    """A digest of all content rows: equal digests mean an identical database.

    It is the SHA-256 of ``json.dumps(rows, sort_keys=True, ensure_ascii=False)`` (dates
    as ISO strings), computed row by row so that no JSON text of the whole corpus is held
    in memory (at ×1000 that text alone was gigabytes).
    """
    hasher = hashlib.sha256()

    def dumps(value: object) -> str:
        return json.dumps(value, sort_keys=True, default=_json_default, ensure_ascii=False)

    hasher.update(b"{")
    for number, table in enumerate(sorted(rows)):
        if number:
            hasher.update(b", ")
        hasher.update(f"{dumps(table)}: [".encode())
        for index, row in enumerate(rows[table]):
            if index:
                hasher.update(b", ")
            hasher.update(dumps(row).encode())
        hasher.update(b"]")
    hasher.update(b"}")
    return hasher.hexdigest()


async def write_rows(
    engine: AsyncEngine, rows: dict[str, list[dict[str, Any]]]
) -> tuple[bool, int]:
    """Replace all content with ``rows`` in one transaction, unless it is already there.

    Returns (changed, content version).
    """
    new_digest = digest(rows)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        await lock_content(session)  # loaders.guards: one load at a time, on both databases
        current = await session.get(models.ContentVersion, 1, with_for_update=True)
        if current is None:
            raise LoadError("the database is not migrated: run `dxgraph migrate`")
        if current.digest == new_digest:
            return False, current.version
        for model in reversed(CONTENT_TABLES):
            await session.execute(delete(model))
        for model in CONTENT_TABLES:
            table_rows = rows.get(model.__tablename__, [])
            for start in range(0, len(table_rows), 500):
                await session.execute(insert(model), table_rows[start : start + 500])
        if engine.dialect.name == "sqlite":
            # the FTS5 index keeps its own copy of the folded text (migration 0003);
            # PostgreSQL's tsvector column is generated from search_entries itself
            await session.execute(sql("DELETE FROM search_fts"))
            await session.execute(
                sql(
                    "INSERT INTO search_fts (entry_id, title_folded, body_folded) "
                    "SELECT id, title_folded, body_folded FROM search_entries"
                )
            )
        version = current.version + 1
        await session.execute(
            update(models.ContentVersion)
            .where(models.ContentVersion.id == 1)
            .values(version=version, digest=new_digest, loaded_at=datetime.now(UTC))
        )
    return True, version
