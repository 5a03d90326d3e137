"""Ingest: parse every source of a manifest, then write it all in one transaction.

Parsing is pure and happens first; only when every source has parsed does the database
see a write. The rows are built with deterministic IDs and compared, by digest, with
what the database holds: an unchanged load writes nothing; a changed one replaces all
content in one transaction and bumps the content version. API keys are never touched.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models
from db.session import create_engine, create_sessionmaker
from loaders.clean import raw_lines
from loaders.documents import merge_mentions
from loaders.guards import check_load, lock_content
from loaders.manifest import SourceEntry, read_manifest
from loaders.pipeline import parse_source
from loaders.read import read_source
from loaders.records import DocumentMention, ParsedSource, ParseError, Span
from loaders.text import fold, slugify, tokens

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
    models.RecordPillar,
    models.Ranking,
    models.SearchEntry,
)


class LoadError(Exception):
    """A load that did not happen; the database is as it was."""


@dataclass
class SourceReport:
    slug: str
    questions: int = 0
    targets: int = 0
    tasks: int = 0
    documents: int = 0
    rankings: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    sources: list[SourceReport]
    changed: bool
    version: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    entry: SourceEntry
    text: str
    lines: list[str]
    sha256: str
    result: ParsedSource


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
    return parsed


def _excerpt(lines: list[str], span: Span, file: str) -> str:
    if span.end > len(lines):
        raise LoadError(f"{file}:{span.start}: citation runs past the last line ({len(lines)})")
    return "\n".join(lines[span.start - 1 : span.end]).strip()


def _cite(p: Parsed, span: Span) -> dict[str, Any]:
    return {
        "source_id": p.entry.slug,
        "line_start": span.start,
        "line_end": span.end,
        "excerpt": _excerpt(p.lines, span, str(p.entry.path)),
    }


def build_rows(parsed: list[Parsed]) -> tuple[dict[str, list[dict[str, Any]]], list[SourceReport]]:
    """Every content row, keyed by table name, with deterministic IDs."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    reports = {p.entry.slug: SourceReport(p.entry.slug) for p in parsed}

    # Documents first: mentions from every source merge into one document each.
    mention_source: list[Parsed] = []
    tagged: list[tuple[str | None, DocumentMention]] = []
    for p in parsed:
        for mention in p.result.documents:
            mention_source.append(p)
            tagged.append((p.entry.province, mention))
    merged, merge_warnings = merge_mentions(tagged)
    doc_ids: dict[tuple[str | None, str], str] = {}
    national: dict[str, str] = {}
    for doc in merged:
        doc_id = f"doc/{doc.key}"
        key = fold(doc.number)
        if doc.province is None:
            national[key] = doc_id
        doc_ids[(doc.province, key)] = doc_id
        rows["documents"].append(
            {
                "id": doc_id,
                "number": doc.number,
                "number_key": key,
                "kind": doc.kind,
                "kind_label": doc.kind_label,
                "title": doc.title,
                "issued_on": doc.issued_on,
                "issuer": doc.issuer,
                "level": doc.level,
                "province_id": doc.province,
            }
        )
        cited: set[tuple[str, int, int]] = set()
        for index, mention in zip(doc.indexes, doc.mentions, strict=True):
            p = mention_source[index]
            spot = (p.entry.slug, mention.span.start, mention.span.end)
            if spot in cited:
                continue
            cited.add(spot)
            rows["document_citations"].append(
                {
                    "id": f"{doc_id}@{p.entry.slug}:{mention.span.start}-{mention.span.end}",
                    "document_id": doc_id,
                    "position": len(cited),
                    **_cite(p, mention.span),
                }
            )
            reports[p.entry.slug].documents += 1

    def document_id(number: str | None, province: str | None) -> str | None:
        if not number:
            return None
        key = fold(number)
        return doc_ids.get((province, key)) or national.get(key)

    for doc in merged:
        source_id = f"doc/{doc.key}"
        for number in doc.implements:
            target_id = document_id(number, doc.province)
            if target_id and target_id != source_id:
                rows["document_links"].append(
                    {"document_id": source_id, "implemented_id": target_id}
                )

    agencies: dict[str, dict[str, Any]] = {}
    for position, p in enumerate(parsed, start=1):
        entry, result, report = p.entry, p.result, reports[p.entry.slug]
        report.warnings.extend(f"line {w.line}: {w.message}" for w in result.warnings)
        rows["sources"].append(
            {
                "id": entry.slug,
                "title": entry.title,
                "kind": entry.kind,
                "publisher": entry.publisher,
                "year": entry.year,
                "province_id": entry.province,
                "line_count": len(p.lines),
                "sha256": p.sha256,
                "position": position,
            }
        )
        unnumbered = 0
        for q_pos, q in enumerate(result.questions, start=1):
            if q.number is None:
                unnumbered += 1
                q_id = f"{entry.slug}/q/h{unnumbered}"
            else:
                q_id = f"{entry.slug}/q/{q.number}"
            rows["questions"].append(
                {
                    "id": q_id,
                    "number": q.number,
                    "text": q.text,
                    "answer": q.answer,
                    "part": q.part,
                    "province_id": entry.province if q.province_specific else None,
                    "position": q_pos,
                    **_cite(p, q.span),
                }
            )
            _pillars(rows, q_id, q.pillars)
            linked: list[str] = []
            for number in q.document_numbers:
                d_id = document_id(number, entry.province)
                if d_id and d_id not in linked:
                    linked.append(d_id)
            rows["question_documents"].extend(
                {"question_id": q_id, "document_id": d_id, "position": i}
                for i, d_id in enumerate(linked, start=1)
            )
            report.questions += 1

        per_year: dict[int, int] = defaultdict(int)
        for t_pos, t in enumerate(result.targets, start=1):
            per_year[t.year] += 1
            t_id = f"{entry.slug}/target/{t.year}/{per_year[t.year]}"
            rows["targets"].append(
                {
                    "id": t_id,
                    "text": t.text,
                    "year": t.year,
                    "province_id": entry.province,
                    "document_id": document_id(t.document_number, entry.province),
                    "position": t_pos,
                    **_cite(p, t.span),
                }
            )
            rows["quantities"].extend(
                {
                    "target_id": t_id,
                    "position": i,
                    "value": qty.value,
                    "unit": qty.unit,
                    "comparator": qty.comparator,
                    "qualifier": qty.qualifier,
                }
                for i, qty in enumerate(t.quantities, start=1)
            )
            _pillars(rows, t_id, t.pillars)
            report.targets += 1

        for k_pos, task in enumerate(result.tasks, start=1):
            k_id = f"{entry.slug}/task/{k_pos}"
            rows["tasks"].append(
                {
                    "id": k_id,
                    "title": task.title,
                    "group": task.group,
                    "ordinal": task.ordinal,
                    "deadline": task.deadline,
                    "deadline_text": task.deadline_text,
                    "deadline_kind": task.deadline_kind,
                    "province_id": entry.province,
                    "document_id": document_id(task.document_number, entry.province),
                    "position": k_pos,
                    **_cite(p, task.span),
                }
            )
            for a_pos, name in enumerate(dict.fromkeys(task.lead_agencies), start=1):
                a_id = f"agency/{entry.province or 'national'}/{slugify(name)}"
                agencies.setdefault(
                    a_id,
                    {
                        "id": a_id,
                        "name": name,
                        "name_folded": fold(name),
                        "province_id": entry.province,
                    },
                )
                rows["task_agencies"].append(
                    {"task_id": k_id, "agency_id": a_id, "position": a_pos}
                )
            _pillars(rows, k_id, task.pillars)
            report.tasks += 1

        for r_pos, r in enumerate(result.rankings, start=1):
            r_id = f"{entry.slug}/dti/{r.province}/{r.year or 'na'}/{r.pillar or 'overall'}"
            rows["rankings"].append(
                {
                    "id": r_id,
                    "province_id": r.province,
                    "year": r.year,
                    "pillar_code": r.pillar,
                    "rank": r.rank,
                    "out_of": r.out_of,
                    "score": r.score,
                    "position": r_pos,
                    **_cite(p, r.span),
                }
            )
            report.rankings += 1
    rows["agencies"] = list(agencies.values())
    rows["search_entries"] = search_entries(rows)
    report_list = list(reports.values())
    if merge_warnings:
        report_list[0].warnings.extend(f"documents: {w.message}" for w in merge_warnings)
    return dict(rows), report_list


def search_entries(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per searchable record: its title (weighs more) and body, and their tokens."""
    agency_names = {a["id"]: a["name"] for a in rows.get("agencies", [])}
    leads: dict[str, list[str]] = defaultdict(list)
    for link in rows.get("task_agencies", []):
        leads[link["task_id"]].append(agency_names.get(link["agency_id"], ""))
    entries: list[tuple[str, str, str | None, str, str]] = []
    entries += [
        ("QUESTION", q["id"], q["province_id"], q["text"], q["answer"])
        for q in rows.get("questions", [])
    ]
    entries += [
        (
            "TASK",
            k["id"],
            k["province_id"],
            k["title"],
            " ".join(x for x in (k["group"], k["deadline_text"], *leads[k["id"]]) if x),
        )
        for k in rows.get("tasks", [])
    ]
    entries += [
        ("TARGET", t["id"], t["province_id"], t["text"], "") for t in rows.get("targets", [])
    ]
    entries += [
        (
            "DOCUMENT",
            d["id"],
            d["province_id"],
            " ".join(x for x in (d["kind_label"], d["number"], d["title"]) if x),
            d["issuer"] or "",
        )
        for d in rows.get("documents", [])
    ]
    return [
        {
            "id": record_id,
            "kind": kind,
            "province_id": province,
            "title": title,
            "body": body,
            "title_folded": " ".join(tokens(title)),
            "body_folded": " ".join(tokens(body)),
            "position": position,
        }
        for position, (kind, record_id, province, title, body) in enumerate(entries, start=1)
    ]


def _pillars(rows: dict[str, list[dict[str, Any]]], record_id: str, codes: list[str]) -> None:
    rows["record_pillars"].extend(
        {"record_id": record_id, "pillar_code": code} for code in dict.fromkeys(codes)
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


async def load_manifest(
    engine: AsyncEngine, manifest: Path, *, progress: bool = False, allow_shrink: bool = False
) -> LoadReport:
    """Parse every source of ``manifest`` and write them: all or nothing."""
    try:
        entries = read_manifest(manifest)
    except ParseError as exc:
        raise LoadError(str(exc)) from exc
    if progress:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("parsing sources", total=len(entries))
            parsed = await asyncio.to_thread(
                parse_all, entries, lambda e: bar.update(task, advance=1, description=e.slug)
            )
    else:
        parsed = await asyncio.to_thread(parse_all, entries)
    rows, reports = build_rows(parsed)
    await check_load(engine, parsed, rows, allow_shrink=allow_shrink)  # loaders.guards
    changed, version = await write_rows(engine, rows)
    return LoadReport(sources=reports, changed=changed, version=version)


def print_report(report: LoadReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 110))
    table = Table(title="dxgraph load")
    for column in ("source", "questions", "targets", "tasks", "documents", "rankings", "warnings"):
        table.add_column(column, justify="left" if column == "source" else "right", no_wrap=True)
    for s in report.sources:
        table.add_row(
            s.slug,
            str(s.questions),
            str(s.targets),
            str(s.tasks),
            str(s.documents),
            str(s.rankings),
            str(len(s.warnings)),
        )
    console.print(table)
    for s in report.sources:
        for warning in s.warnings:
            console.print(f"[yellow]warning[/yellow] {s.slug}: {warning}", highlight=False)
    state = "content changed" if report.changed else "content unchanged, nothing written"
    console.print(f"{state}; content version {report.version}")


def load_manifest_sync(
    url: str, manifest: Path, *, report: bool = False, allow_shrink: bool = False
) -> LoadReport:
    """``load_manifest`` for the command line: its own engine and event loop."""

    async def run() -> LoadReport:
        engine = create_engine(url)
        try:
            return await load_manifest(engine, manifest, progress=report, allow_shrink=allow_shrink)
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    if report:
        print_report(result)
    return result


async def has_content(url: str) -> bool:
    """True when at least one source is loaded."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(models.Source))
            return bool(count)
    finally:
        await engine.dispose()
