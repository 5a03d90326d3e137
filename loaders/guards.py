"""Checks that stop a load which parsed but would lose content, and one load at a time.

A source text that got shorter (a booklet cut in half, a truncated download) or was
declared with the wrong kind (a Q&A booklet as SLIDES) parses without an error and used
to replace what the database held. ``check_load`` runs after every source has parsed and
before anything is written; it refuses the load, naming the file and the counts, when a
source:

- yields no records of its kind (``KIND_RECORDS``);
- contradicts the count its own text states ("… gồm 50 câu hỏi …": 50 questions);
- yields fewer than half the records of a table that the same slug has in the database.

``allow_shrink`` (``dxgraph load --allow-shrink``) loads anyway, for a source that really
did get shorter. The database is unchanged when a check fails: nothing has been written.

``lock_content`` is the first statement of the write transaction: it takes the content
version row's write lock on both databases (an UPDATE, so SQLite's deferred transaction
becomes a write transaction there and then, where a SELECT would have read outside any
transaction), so two loads started together get distinct content versions.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db import models
from loaders.manifest import SourceEntry
from loaders.records import ParsedSource

#: tables whose rows carry the source they were read from, and how a report names them
CITED_TABLES: dict[str, type[Any]] = {
    "questions": models.Question,
    "targets": models.Target,
    "tasks": models.Task,
    "rankings": models.Ranking,
    "document citations": models.DocumentCitation,
}

#: "gồm 50 câu hỏi" (made of 50 questions), the way a booklet states its own length
_STATED_QUESTIONS = re.compile(r"\bgồm\s+(\d{1,4})\s+câu\s+hỏi\b", re.IGNORECASE)


class ParsedText(Protocol):
    """What the checks read of one parsed source (``loaders.ingest.Parsed``)."""

    entry: SourceEntry
    text: str
    result: ParsedSource


def kind_records(entry: SourceEntry, result: ParsedSource) -> tuple[str, int]:
    """The records a source of this kind exists to provide, and how many it yielded."""
    if entry.kind == "QA_BOOKLET":
        return "questions", len(result.questions)
    if entry.kind == "HANDBOOK":
        return "questions or tasks", len(result.questions) + len(result.tasks)
    if entry.province is not None:  # ARTICLE, SLIDES of a province: its ranking figures
        return "rankings", len(result.rankings)
    return "documents", len(result.documents)


def stated_questions(text: str) -> int | None:
    """The number of questions a text says it holds, when it says so once."""
    folded = " ".join(unicodedata.normalize("NFC", text).split())
    stated = {int(m.group(1)) for m in _STATED_QUESTIONS.finditer(folded)}
    return stated.pop() if len(stated) == 1 else None


def problems(
    parsed: Sequence[ParsedText],
    new_counts: Mapping[str, Counter[str]],
    old_counts: Mapping[str, Counter[str]],
) -> list[str]:
    """Every reason to refuse the load (empty: load)."""
    found: list[str] = []
    for p in parsed:
        entry = p.entry
        what, count = kind_records(entry, p.result)
        if count == 0:
            found.append(f"{entry.path}: no {what} for a {entry.kind} source")
            continue
        if entry.kind in {"QA_BOOKLET", "HANDBOOK"}:
            stated = stated_questions(p.text)
            if stated is not None and stated != len(p.result.questions):
                found.append(
                    f"{entry.path}: the text states {stated} questions "
                    f"(gồm {stated} câu hỏi), {len(p.result.questions)} were found"
                )
        for table, counts in old_counts.items():
            old = counts.get(entry.slug, 0)
            new = new_counts.get(table, Counter()).get(entry.slug, 0)
            if new * 2 < old:
                found.append(
                    f"{entry.path}: {new} {table} where the database has {old} "
                    f"for '{entry.slug}' (fewer than half)"
                )
    return found


def count_rows(rows: Mapping[str, list[dict[str, Any]]]) -> dict[str, Counter[str]]:
    """Rows per source, per cited table, of a load about to be written."""
    return {
        table: Counter(row["source_id"] for row in rows.get(model.__tablename__, []))
        for table, model in CITED_TABLES.items()
    }


async def count_loaded(engine: AsyncEngine) -> dict[str, Counter[str]]:
    """Rows per source, per cited table, in the database now."""
    counts: dict[str, Counter[str]] = {}
    async with engine.connect() as conn:
        for table, model in CITED_TABLES.items():
            result = await conn.execute(
                select(model.source_id, func.count()).group_by(model.source_id)
            )
            counts[table] = Counter({source: int(n) for source, n in result.all()})
    return counts


async def check_load(
    engine: AsyncEngine,
    parsed: Sequence[ParsedText],
    rows: Mapping[str, list[dict[str, Any]]],
    *,
    allow_shrink: bool = False,
) -> None:
    """Raise ``LoadError`` naming every problem, unless ``allow_shrink``."""
    if allow_shrink:
        return
    found = problems(parsed, count_rows(rows), await count_loaded(engine))
    if found:
        # imported here: loaders.ingest calls this module
        from loaders.ingest import LoadError

        raise LoadError("; ".join(found) + " (dxgraph load --allow-shrink loads it anyway)")


async def lock_content(session: AsyncSession) -> None:
    """Take the content version row's write lock (see the module docstring)."""
    await session.execute(
        update(models.ContentVersion)
        .where(models.ContentVersion.id == 1)
        .values(version=models.ContentVersion.version)
        .execution_options(synchronize_session=False)
    )
