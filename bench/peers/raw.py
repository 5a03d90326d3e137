"""The raw-SQL peer: a bare Starlette endpoint answering each scenario with hand-written SQL.

It gives the answer dxgraph gives (the bench checks the JSON is equal) with no GraphQL,
no ORM and no DataLoaders: asyncpg on PostgreSQL, aiosqlite on SQLite, the fewest
statements a person would write. Search plans and ranks with dxgraph's own planner and
scorer (``schema.search_plan``, ``schema.search_rank``, pure Python): matching prefixes and
typos and ranking are the answer's definition, not overhead.

Run: ``BENCH_RAW_DATABASE_URL=… uvicorn --factory bench.peers.raw:create_app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry import relay

from bench.scenarios import Scenario, scenario_of_request
from dxtext.text import tokens
from schema.common import MAX_WORDS
from schema.search import CANDIDATES
from schema.search_plan import Plan, Vocabulary, plan_query
from schema.search_rank import Candidate, Marking, Scorer, Stats

#: the count a database engine stops at (dxgraph's engine counts every match)
EXACT_TOTAL = 10_000

Row = tuple[Any, ...]


class Database:
    """``fetch(sql, *args)`` on either backend; SQL is written with ``$n`` parameters."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self._url = parsed
        self._pg: asyncpg.Pool | None = None
        self._sqlite: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()

    async def open(self, size: int = 5) -> None:
        if self.dialect == "postgresql":
            dsn = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = await asyncpg.create_pool(dsn, min_size=1, max_size=size)
            return
        for _ in range(size):
            conn = await aiosqlite.connect(str(self._url.database))
            await conn.execute("PRAGMA query_only=ON")
            self._sqlite.put_nowait(conn)

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()
        while not self._sqlite.empty():
            await self._sqlite.get_nowait().close()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        if self._pg is not None:
            return [tuple(r) for r in await self._pg.fetch(sql, *args)]
        # SQLite numbers its parameters ?1, ?2…; dates are ISO strings there
        converted = re.sub(r"\$(\d+)", r"?\1", sql)
        values = [v.isoformat() if isinstance(v, date) else v for v in args]
        conn = await self._sqlite.get()
        try:
            async with conn.execute(converted, values) as cursor:
                return [tuple(r) for r in await cursor.fetchall()]
        finally:
            self._sqlite.put_nowait(conn)

    @staticmethod
    def in_list(values: list[Any], start: int) -> str:
        """``($start, $start+1, …)`` for ``values`` (an IN list works on both backends)."""
        return "(" + ", ".join(f"${start + i}" for i in range(len(values))) + ")"


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _cursor(position: int) -> str:
    return relay.to_base64("cursor", position)


def _page_info(total: int, offset: int, count: int) -> dict[str, Any]:
    return {
        "hasNextPage": offset + count < total,
        "endCursor": _cursor(offset + count - 1) if count else None,
    }


async def citizen_qa(db: Database, variables: dict[str, Any]) -> dict[str, Any]:
    after = variables.get("after")
    offset = int(relay.from_base64(after)[1]) + 1 if after else 0
    province = await db.fetch("SELECT name FROM provinces WHERE id = $1", "khanh-hoa")
    if not province:
        return {"province": None}
    rows = await db.fetch(
        "SELECT q.number, q.text, count(*) OVER () FROM questions q "
        "JOIN sources s ON s.id = q.source_id WHERE q.province_id = $1 "
        "ORDER BY s.position, q.position, q.id LIMIT 3 OFFSET $2",
        "khanh-hoa",
        offset,
    )
    total = int(rows[0][2]) if rows else 0
    return {
        "province": {
            "name": province[0][0],
            "questions": {
                "totalCount": total,
                "pageInfo": _page_info(total, offset, len(rows)),
                "nodes": [{"number": r[0], "text": r[1]} for r in rows],
            },
        }
    }


async def internal_tasks(db: Database, _variables: dict[str, Any]) -> dict[str, Any]:
    words = tokens("van phong ubnd")
    likes = " AND ".join(f"a.name_folded LIKE ${4 + i} ESCAPE '\\'" for i in range(len(words)))
    rows = await db.fetch(
        'SELECT t.id, t.deadline, t.deadline_text, t."group", t.ordinal, t.title, '
        "count(*) OVER () FROM tasks t JOIN sources s ON s.id = t.source_id "
        "WHERE t.province_id = $1 AND t.deadline >= $2 AND t.deadline <= $3 "
        "AND EXISTS (SELECT 1 FROM task_agencies ta JOIN agencies a ON a.id = ta.agency_id "
        f"WHERE ta.task_id = t.id AND {likes}) "
        "ORDER BY CASE WHEN t.deadline IS NOT NULL THEN 0 "
        "WHEN t.deadline_kind = 'RECURRING' THEN 1 ELSE 2 END, "
        "t.deadline, s.position, t.position, t.id LIMIT 20",
        "lao-cai",
        date(2022, 7, 1),
        date(2022, 9, 30),
        *(f"%{w}%" for w in words),
    )
    ids = [r[0] for r in rows]
    leads: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for task_id, name in await db.fetch(
            "SELECT ta.task_id, a.name FROM task_agencies ta JOIN agencies a "
            f"ON a.id = ta.agency_id WHERE ta.task_id IN {db.in_list(ids, 1)} "
            "ORDER BY ta.task_id, ta.position",
            *ids,
        ):
            leads[task_id].append({"name": name})
    return {
        "tasks": {
            "totalCount": int(rows[0][6]) if rows else 0,
            "nodes": [
                {
                    "deadline": _iso(r[1]),
                    "deadlineText": r[2],
                    "group": r[3],
                    "ordinal": r[4],
                    "leadAgencies": leads[r[0]],
                    "title": r[5],
                }
                for r in rows
            ],
        }
    }


_VOCABULARY: dict[str, tuple[Vocabulary, Stats]] = {}


async def _vocabulary(db: Database) -> tuple[Vocabulary, Stats]:
    """The vocabulary and corpus statistics, read once per process (dxgraph reads them
    once per content version; the bench loads no content while it runs)."""
    if db.dialect not in _VOCABULARY:
        terms = await db.fetch("SELECT term, spelling, spellings, entries FROM search_terms")
        stats = await db.fetch(
            "SELECT count(*), avg(length(title_folded)), avg(length(body_folded)) "
            "FROM search_entries"
        )
        count, title_len, body_len = stats[0]
        _VOCABULARY[db.dialect] = (
            Vocabulary.of([(str(a), str(b), str(c), int(n)) for a, b, c, n in terms]),
            Stats(int(count or 0), float(title_len or 0) / 5.5, float(body_len or 0) / 5.5),
        )
    return _VOCABULARY[db.dialect]


async def _search_rows(db: Database, plan: Plan, kinds: list[str]) -> tuple[int, list[Row]]:
    """The number of matches (capped as dxgraph caps it) and the engine's best candidates."""
    kind_list = db.in_list(kinds, 2)
    columns = "id, kind, position, title_folded, body_folded, title, body"
    if db.dialect == "postgresql":
        match = "tsv @@ to_tsquery('simple', $1)"
        expression = plan.tsquery()
        total = await db.fetch(
            f"SELECT count(*) FROM (SELECT 1 FROM search_entries WHERE {match} "
            f"AND kind IN {kind_list} LIMIT {EXACT_TOTAL}) x",
            expression,
            *kinds,
        )
        rows = await db.fetch(
            f"SELECT {columns} FROM search_entries WHERE {match} AND kind IN {kind_list} "
            f"ORDER BY ts_rank(tsv, to_tsquery('simple', $1)) DESC, position "
            f"LIMIT {CANDIDATES}",
            expression,
            *kinds,
        )
    else:
        expression = plan.fts5()
        join = "search_fts f JOIN search_entries e ON e.id = f.entry_id"
        total = await db.fetch(
            f"SELECT count(*) FROM (SELECT 1 FROM {join} WHERE search_fts MATCH $1 "
            f"AND e.kind IN {kind_list} LIMIT {EXACT_TOTAL}) x",
            expression,
            *kinds,
        )
        rows = await db.fetch(
            f"SELECT {', '.join(f'e.{c.strip()}' for c in columns.split(','))} FROM {join} "
            f"WHERE search_fts MATCH $1 AND e.kind IN {kind_list} "
            f"ORDER BY bm25(search_fts, 0.0, 3.0, 1.0), e.position LIMIT {CANDIDATES}",
            expression,
            *kinds,
        )
    return int(total[0][0]), rows


async def search(db: Database, _variables: dict[str, Any]) -> dict[str, Any]:
    query, first = "cong dan so la gi", 2
    vocabulary, stats = await _vocabulary(db)
    plan = plan_query(query, vocabulary, MAX_WORDS)
    total, rows = await _search_rows(db, plan, ["QUESTION"])
    candidates = [Candidate(*row) for row in rows]
    scorer = Scorer(plan, vocabulary, stats, query)
    ranked = sorted(
        ((scorer(c), c) for c in candidates),
        key=lambda pair: (-pair[0], pair[1].position),
    )[:first]
    ids = [c.id for _, c in ranked]
    items: dict[str, Row] = {}
    if ids:
        for row in await db.fetch(
            f"SELECT id, number, text, source_id FROM questions WHERE id IN {db.in_list(ids, 1)}",
            *ids,
        ):
            items[row[0]] = row
    marking = Marking.of(plan, vocabulary)
    nodes = [
        {
            "snippet": marking.snippet(entry.title, entry.title_folded, entry.body),
            "item": {
                "id": relay.to_base64("Question", items[entry.id][0]),
                "number": items[entry.id][1],
                "text": items[entry.id][2],
                "source": {"slug": items[entry.id][3]},
            },
        }
        for _, entry in ranked
    ]
    return {"search": {"totalCount": total, "nodes": nodes}}


async def nested(db: Database, variables: dict[str, Any]) -> dict[str, Any]:
    slug, first_docs, first_targets = (
        variables["slug"],
        int(variables["documents"]),
        int(variables["targets"]),
    )
    province = await db.fetch("SELECT name FROM provinces WHERE id = $1", slug)
    if not province:
        return {"province": None}
    documents = await db.fetch(
        "SELECT id, number, kind_label, issued_on, count(*) OVER () FROM documents "
        "WHERE province_id = $1 ORDER BY issued_on ASC NULLS LAST, number_key, id LIMIT $2",
        slug,
        first_docs,
    )
    doc_ids = [d[0] for d in documents]
    targets: dict[str, list[Row]] = defaultdict(list)
    totals: dict[str, int] = {}
    quantities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if doc_ids:
        rows = await db.fetch(
            "SELECT id, document_id, text, year, total FROM (SELECT t.id, t.document_id, "
            "t.text, t.year, row_number() OVER (PARTITION BY t.document_id "
            "ORDER BY s.position, t.position, t.id) AS rn, "
            "count(*) OVER (PARTITION BY t.document_id) AS total "
            "FROM targets t JOIN sources s ON s.id = t.source_id "
            f"WHERE t.document_id IN {db.in_list(doc_ids, 2)}) AS x "
            "WHERE rn <= $1 ORDER BY document_id, rn",
            first_targets,
            *doc_ids,
        )
        for row in rows:
            targets[row[1]].append(row)
            totals[row[1]] = int(row[4])
        target_ids = [r[0] for r in rows]
        if target_ids:
            for target_id, value, unit, comparator, qualifier in await db.fetch(
                "SELECT target_id, value, unit, comparator, qualifier FROM quantities "
                f"WHERE target_id IN {db.in_list(target_ids, 1)} ORDER BY target_id, position",
                *target_ids,
            ):
                quantities[target_id].append(
                    {
                        "value": float(value),
                        "unit": unit,
                        "comparator": comparator,
                        "qualifier": qualifier,
                    }
                )
    return {
        "province": {
            "name": province[0][0],
            "documents": {
                "totalCount": int(documents[0][4]) if documents else 0,
                "nodes": [
                    {
                        "number": d[1],
                        "kindLabel": d[2],
                        "issuedOn": _iso(d[3]),
                        "targets": {
                            "totalCount": totals.get(d[0], 0),
                            "nodes": [
                                {"text": t[2], "year": t[3], "quantities": quantities[t[0]]}
                                for t in targets[d[0]]
                            ],
                        },
                    }
                    for d in documents
                ],
            },
        }
    }


Handler = Callable[[Database, dict[str, Any]], Awaitable[dict[str, Any]]]
HANDLERS: dict[str, Handler] = {
    "citizen_qa": citizen_qa,
    "internal_tasks": internal_tasks,
    "search": search,
    "nested": nested,
    "persisted_get": citizen_qa,
}


async def answer(db: Database, scenario: Scenario, variables: dict[str, Any]) -> bytes:
    data = await HANDLERS[scenario.name](db, variables)
    return json.dumps({"data": data}, separators=(",", ":")).encode()


def create_app(database_url: str | None = None) -> Starlette:
    db = Database(database_url or os.environ["BENCH_RAW_DATABASE_URL"])

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await db.open()
        try:
            yield
        finally:
            await db.close()

    async def graphql(request: Request) -> Response:
        body = await request.body()
        try:
            scenario, variables = scenario_of_request(request.method, request.url.query, body)
        except (KeyError, ValueError):
            return Response(b'{"errors":[{"message":"unknown request"}]}', status_code=404)
        return Response(await answer(db, scenario, variables), media_type="application/json")

    async def healthz(_request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
