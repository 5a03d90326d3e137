"""In-process checks of dxgraph: SQL statements per request, whether they stay constant as
pages grow, and EXPLAIN ANALYZE of every statement a scenario sends (PostgreSQL).

The app runs inside the bench process (``devkit.client.app_client``, no network); every
statement its engine sends is recorded by a SQLAlchemy ``before_cursor_execute``
listener, the same hook ``db.session.StatementCounter`` uses. Each request carries a
fresh nonce variable, so the response cache never answers it.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench.scenarios import (
    SCENARIOS,
    UNLIMITED_RATE,
    Scenario,
    dxgraph_request,
    with_nonce,
)
from devkit.client import app_client

#: Page-size series: the same query at growing ``first``; statements must not grow.
PAGE_SERIES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "nested (documents × targets)": (
        SCENARIOS[3].query,
        [{"slug": "ha-giang", "documents": n, "targets": n} for n in (1, 5, 20, 100)],
    ),
    "questions with pillars, documents, source": (
        """query Q($first: Int!) {
          questions(first: $first) {
            totalCount
            nodes { number pillars { code } documents { number } source { slug }
                    province { name } citation { lineStart } }
          }
        }""",
        [{"first": n} for n in (1, 5, 20, 100)],
    ),
    "tasks with lead agencies and document": (
        """query T($first: Int!) {
          tasks(first: $first) {
            totalCount
            nodes { title leadAgencies { name } document { number } pillars { code } }
          }
        }""",
        [{"first": n} for n in (1, 5, 20, 100)],
    ),
}


@dataclass
class Recorder:
    """Statements (SQL text and parameters) sent since the last ``take``."""

    statements: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))

    def take(self) -> list[tuple[str, Any]]:
        taken, self.statements = self.statements, []
        return taken


@contextlib.asynccontextmanager
async def recording_client(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Recorder]]:
    recorder = Recorder()
    async with app_client(url, anon_rate_limit=UNLIMITED_RATE) as client:
        engine = client.app_state.engine  # type: ignore[attr-defined]
        event.listen(engine.sync_engine, "before_cursor_execute", recorder)
        try:
            yield client, recorder
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", recorder)


class Refused(RuntimeError):
    """dxgraph answered with errors; ``code`` is the first error's extensions.code."""

    def __init__(self, status: int, body: Any) -> None:
        errors = body.get("errors") or [{}]
        self.code = str(errors[0].get("extensions", {}).get("code"))
        super().__init__(f"dxgraph answered {status}: {str(body)[:300]}")


async def _send(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    payload = {"query": query, "variables": with_nonce(variables)}
    response = await client.post("/graphql", json=payload)
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise Refused(response.status_code, body)
    return body


async def statements_of(
    client: httpx.AsyncClient, recorder: Recorder, scenario: Scenario, apq: bool
) -> list[tuple[str, Any]]:
    """The statements of one steady-state request of ``scenario`` (after a warm-up)."""
    if scenario.persisted_get:
        request = dxgraph_request(scenario, apq=apq)
        if apq:  # register first, as a client does
            await client.post(
                "/graphql",
                json={
                    "query": scenario.query,
                    "extensions": {"persistedQuery": {"version": 1, "sha256Hash": scenario.sha256}},
                },
            )
        headers = dict(request.headers)
        await client.get(request.path, headers=headers)
        recorder.take()
        await client.get(request.path, headers=headers)
        return recorder.take()
    await _send(client, scenario.query, scenario.variables)
    recorder.take()
    await _send(client, scenario.query, scenario.variables)
    return recorder.take()


def _version_poll(statement: str) -> bool:
    """The content-version poll runs in the background, not for a request."""
    return "content_version" in statement


async def measure(url: str, apq: bool, page_series: bool) -> dict[str, Any]:
    """Statements per request of each scenario, and the page-size series.

    A page the server refuses (COST_LIMIT) is recorded as the error code. The app's
    request log lines are dropped: the bench's output is its own.
    """
    with contextlib.redirect_stderr(io.StringIO()):
        return await _measure(url, apq, page_series)


async def _measure(url: str, apq: bool, page_series: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"per_request": {}, "page_series": {}, "statements": {}}
    async with recording_client(url) as (client, recorder):
        for scenario in SCENARIOS:
            sent = [s for s in await statements_of(client, recorder, scenario, apq)]
            requests_sql = [s for s in sent if not _version_poll(s[0])]
            out["per_request"][scenario.name] = len(requests_sql)
            out["statements"][scenario.name] = requests_sql
        if page_series:
            for name, (query, variable_sets) in PAGE_SERIES.items():
                counts: dict[str, int | str] = {}
                for variables in variable_sets:
                    size = max(v for v in variables.values() if isinstance(v, int))
                    try:
                        await _send(client, query, variables)
                        recorder.take()
                        await _send(client, query, variables)
                    except Refused as refused:
                        counts[str(size)] = refused.code
                        continue
                    sent = [s for s in recorder.take() if not _version_poll(s[0])]
                    counts[str(size)] = len(sent)
                out["page_series"][name] = counts
    return out


_SEQ_SCAN = re.compile(r"Seq Scan on (\w+).*actual time=[\d.]+\.\.([\d.]+) rows=(\d+)")
_REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")


async def explain(url: str, statements: dict[str, list[tuple[str, Any]]]) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of each scenario's statements on PostgreSQL.

    Returns, per scenario, each statement's plan, its execution time and the sequential
    scans in it (table, rows read, rows the filter threw away).
    """
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    out: dict[str, Any] = {}
    try:
        for scenario, sent in statements.items():
            plans = []
            for statement, parameters in sent:
                params = list(parameters) if isinstance(parameters, list | tuple) else []
                rows = await conn.fetch(
                    f"EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) {statement}", *params
                )
                plan = [r[0] for r in rows]
                scans = []
                for i, line in enumerate(plan):
                    found = _SEQ_SCAN.search(line)
                    if found:
                        removed = 0
                        for following in plan[i + 1 : i + 4]:
                            gone = _REMOVED.search(following)
                            if gone:
                                removed = int(gone.group(1))
                                break
                        scans.append(
                            {
                                "table": found.group(1),
                                "ms": float(found.group(2)),
                                "rows": int(found.group(3)),
                                "removed_by_filter": removed,
                            }
                        )
                execution = next(
                    (float(x.split(":")[1].split()[0]) for x in plan if "Execution Time" in x),
                    0.0,
                )
                plans.append(
                    {
                        "sql": " ".join(statement.split())[:600],
                        "execution_ms": execution,
                        "seq_scans": scans,
                        "plan": plan,
                    }
                )
            out[scenario] = plans
    finally:
        await conn.close()
    return out


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
