"""The search engine alone as the corpus grows: ``python -m bench.engine_scale [--copies N]``.

Loads the bundled sources into a temporary SQLite file, reads their search entries and
vocabulary, and builds two engine indexes in memory (``schema.search_engine``): the
entries as they are (×1), and every entry ``--copies`` times under new IDs (×N, the
vocabulary's entry counts multiplied alike), in source order copy by copy, as
``bench.search_latency``'s scaled manifests hold them. Each query of
``bench.search_latency.QUERIES`` is then planned and searched on both (the search
``schema.search`` runs: ``CANDIDATES`` best), ``--repeat`` times; prints the median
milliseconds, the count and whether it is exact, per query and index, and the medians'
ratio. No database work, no GraphQL: the engine's share of a search. A measurement, not a
timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.databases import loaded_sqlite
from bench.search_latency import QUERIES
from schema.common import MAX_WORDS
from schema.search import CANDIDATES
from schema.search_engine import IndexedEntry, SearchIndex
from schema.search_plan import Vocabulary, plan_query


def _read(path: Path) -> tuple[list[IndexedEntry], list[tuple[str, str, str, int]]]:
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT id, kind, province_id, position, title_folded, body_folded FROM search_entries"
    ).fetchall()
    pillars: dict[str, list[str]] = defaultdict(list)
    for record_id, code in db.execute("SELECT record_id, pillar_code FROM record_pillars"):
        pillars[record_id].append(code)
    rows.sort(key=lambda row: (row[3], row[0]))
    entries = [
        IndexedEntry(i, kind, province, tuple(sorted(pillars.get(i, ()))), title, body)
        for i, kind, province, _, title, body in rows
    ]
    terms = db.execute("SELECT term, spelling, spellings, entries FROM search_terms").fetchall()
    return entries, terms


def _measure(
    index: SearchIndex, vocabulary: Vocabulary, repeat: int
) -> dict[str, tuple[float, int, bool]]:
    found = {}
    for query in QUERIES:
        matching = index.query(plan_query(query, vocabulary, MAX_WORDS), vocabulary)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = index.search(matching, CANDIDATES)
            times.append((time.perf_counter() - started) * 1000)
        found[query] = (statistics.median(times), result.count, result.exact)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(loaded_sqlite(Path(folder)))
        entries, terms = _read(Path(folder) / "reads.db")
    n = args.copies
    scaled = [
        IndexedEntry(
            f"{e.id}~{copy}", e.kind, e.province_id, e.pillars, e.title_folded, e.body_folded
        )
        for copy in range(n)
        for e in entries
    ]
    indexes = {}
    for label, chosen, factor in (("×1", entries, 1), (f"×{n}", scaled, n)):
        started = time.perf_counter()
        index = SearchIndex(chosen)
        vocabulary = Vocabulary.of([(t, s, a, count * factor) for t, s, a, count in terms])
        print(f"{label}: {len(index)} entries indexed in {time.perf_counter() - started:.1f} s")
        indexes[label] = _measure(index, vocabulary, args.repeat)
    small, large = indexes["×1"], indexes[f"×{n}"]
    print(f"| query | ×1 ms | count | ×{n} ms | count | exact |")
    print("|---|---:|---:|---:|---:|---|")
    for query in QUERIES:
        (a, c1, _), (b, cn, exact) = small[query], large[query]
        print(f"| `{query}` | {a:.2f} | {c1} | {b:.2f} | {cn} | {'yes' if exact else 'no'} |")
    p1 = statistics.median(v[0] for v in small.values())
    pn = statistics.median(v[0] for v in large.values())
    print(f"median ms: ×1 {p1:.2f}, ×{n} {pn:.2f} (×{pn / p1:.1f}; +{pn - p1:.2f} ms)")


if __name__ == "__main__":
    main()
