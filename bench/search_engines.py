"""Search engines side by side: SQLite FTS5 (what dxgraph uses) against Tantivy, as scale grows.

Issue 16 asks search p50 at ×1000 to stay within 2× of ×1, and, should the databases'
full-text engines not manage that, an embedded library measured against them in the same
run. This measures the engine stage alone — the matches of a query plan
(``schema.search_plan``), counted up to 10,000, and the best 1,000 by the engine's own rank
— on the same search entries: FTS5 (``bm25`` over every match, then ``LIMIT``) and a
Tantivy index built in memory from the same folded text (top-k by block-max WAND). The
Python scoring after it is bounded by the candidate cap and is the same for either.

Run with ``python -m bench.search_engines [--scales 1,100,1000] [--repeat 5]``; prints a
table and writes ``bench/results/search_engines-<UTC date>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from bench.peers.raw import EXACT_TOTAL
from bench.search_latency import QUERIES, RESULTS_DIR, scaled_manifest
from db.migrate import upgrade
from db.session import create_engine
from loaders.ingest import load_manifest
from schema.common import MAX_WORDS
from schema.search import CANDIDATES
from schema.search_plan import Alternative, Plan, Vocabulary, plan_query


async def _load(url: str, manifest: Path) -> None:
    engine = create_engine(url)
    try:
        await load_manifest(engine, manifest, allow_shrink=True)
    finally:
        await engine.dispose()


def build_tantivy(db: sqlite3.Connection) -> tuple[tantivy.Index, tantivy.Schema]:
    """An in-memory index of the search entries: folded title and body, their ID stored."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for entry_id, title, body in db.execute(
        "SELECT id, title_folded, body_folded FROM search_entries"
    ):
        writer.add_document(tantivy.Document(id=entry_id, title=title, body=body))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, schema


def _alternative(schema: tantivy.Schema, alt: Alternative) -> tantivy.Query:
    fields = []
    for field in ("title", "body"):
        if len(alt.terms) == 1 and alt.prefix:
            fields.append(tantivy.Query.phrase_prefix_query(schema, field, list(alt.terms)))
        elif len(alt.terms) == 1:
            fields.append(tantivy.Query.term_query(schema, field, alt.terms[0]))
        elif alt.phrase:
            fields.append(tantivy.Query.phrase_query(schema, field, list(alt.terms)))
        else:
            fields.append(
                tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Must, tantivy.Query.term_query(schema, field, term))
                        for term in alt.terms
                    ]
                )
            )
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in fields])


def tantivy_query(schema: tantivy.Schema, plan: Plan) -> tantivy.Query:
    """The plan as Tantivy's boolean query: every group must, any alternative should."""
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Must,
                tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, _alternative(schema, a)) for a in group.alternatives]
                ),
            )
            for group in plan.groups
        ]
    )


def time_fts5(db: sqlite3.Connection, plan: Plan) -> tuple[float, int]:
    started = time.perf_counter()
    expression = plan.fts5()
    (count,) = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)",
        (expression, EXACT_TOTAL),
    ).fetchone()
    db.execute(
        "SELECT e.id FROM search_fts f JOIN search_entries e ON e.id = f.entry_id "
        "WHERE search_fts MATCH ? ORDER BY bm25(search_fts, 0.0, 3.0, 1.0), e.position "
        "LIMIT ?",
        (expression, CANDIDATES),
    ).fetchall()
    return (time.perf_counter() - started) * 1000, int(count)


def time_tantivy(searcher: tantivy.Searcher, query: tantivy.Query) -> tuple[float, int]:
    started = time.perf_counter()
    result = searcher.search(query, limit=CANDIDATES, count=True)
    count = result.count or 0  # type: ignore[attr-defined]  # documented; the stub omits it
    for _, address in result.hits:
        searcher.doc(address)
    return (time.perf_counter() - started) * 1000, int(count)


def measure(scale: int, folder: Path, repeat: int) -> dict[str, Any]:
    path = folder / f"x{scale}.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    started = time.perf_counter()
    asyncio.run(_load(url, scaled_manifest(folder, scale)))
    load_s = time.perf_counter() - started
    db = sqlite3.connect(path)
    vocabulary = Vocabulary.of(
        db.execute("SELECT term, spelling, spellings, entries FROM search_terms").fetchall()
    )
    (entries,) = db.execute("SELECT count(*) FROM search_entries").fetchone()
    started = time.perf_counter()
    index, schema = build_tantivy(db)
    build_s = time.perf_counter() - started
    searcher = index.searcher()
    fts: dict[str, list[float]] = {q: [] for q in QUERIES}
    tan: dict[str, list[float]] = {q: [] for q in QUERIES}
    counts: dict[str, tuple[int, int]] = {}
    plans = {q: plan_query(q, vocabulary, MAX_WORDS) for q in QUERIES}
    for _ in range(repeat + 1):  # the first round warms caches and is dropped
        for query, plan in plans.items():
            if plan.empty:
                continue
            fts_ms, fts_count = time_fts5(db, plan)
            tan_ms, tan_count = time_tantivy(searcher, tantivy_query(schema, plan))
            fts[query].append(fts_ms)
            tan[query].append(tan_ms)
            counts[query] = (fts_count, tan_count)
    per_query = {
        q: {
            "fts5_ms": round(statistics.median(fts[q][1:]), 2),
            "tantivy_ms": round(statistics.median(tan[q][1:]), 2),
            "fts5_matches_capped": counts[q][0],
            "tantivy_matches": counts[q][1],
        }
        for q in QUERIES
        if fts[q]
    }
    return {
        "scale": scale,
        "search_entries": int(entries),
        "load_s": round(load_s, 1),
        "tantivy_build_s": round(build_s, 2),
        "fts5_p50_ms": round(statistics.median(v["fts5_ms"] for v in per_query.values()), 2),
        "tantivy_p50_ms": round(statistics.median(v["tantivy_ms"] for v in per_query.values()), 2),
        "per_query": per_query,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_engines")
    parser.add_argument("--scales", default="1,100,1000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="dxgraph-engines-") as folder:
        for scale in scales:
            print(f"×{scale} …", file=sys.stderr, flush=True)
            rows.append(measure(scale, Path(folder), args.repeat))
    base = rows[0]
    print("| scale | entries | FTS5 p50 ms | × ×1 | Tantivy p50 ms | × ×1 | Tantivy build s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| ×{row['scale']} | {row['search_entries']} | {row['fts5_p50_ms']} | "
            f"{row['fts5_p50_ms'] / base['fts5_p50_ms']:.1f} | {row['tantivy_p50_ms']} | "
            f"{row['tantivy_p50_ms'] / base['tantivy_p50_ms']:.1f} | {row['tantivy_build_s']} |"
        )
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"search_engines-{datetime.now(UTC).date().isoformat()}.json"
    out.write_text(json.dumps({"queries": list(QUERIES), "results": rows}, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
