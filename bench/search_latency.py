"""Search-latency benchmark: how long the GraphQL ``search`` field takes as the corpus grows.

For each backend (SQLite in a temporary file, a throwaway PostgreSQL) and each scale
(×1: the bundled manifest; ×100: a temporary manifest listing every bundled source 100
times under different slugs, so the records are real text), a migrated database is
loaded with ``loaders.ingest.load_manifest`` (its time is reported too). A fixed list of
Vietnamese queries, accented and not, then goes through the app in-process
(``devkit.client.app_client``): one warm-up pass, then ``--repeat`` rounds in which every
query runs once on every database, interleaved, each followed by a floor query
(``{ pillars { code } }``, no database work) on the same client. Reports p50, p95 and max
milliseconds per backend and scale, the ×N/×1 ratio of the p50s and the ratio to the
floor; writes ``bench/results/search_latency-<UTC date>.json`` and rewrites the "Search
latency" table in ``bench/README.md``.

Run with ``python -m bench.search_latency [--repeat N] [--backends sqlite,postgresql]
[--scales 1,100,1000]`` (the default; ×1000 takes ~13 minutes to load per backend).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

from bench.load_time import _pg_admin, describe, git_commit, machine, peak_rss_mib
from bench.scenarios import UNLIMITED_RATE, with_nonce
from db import models
from db.migrate import upgrade_async
from db.session import create_engine
from devkit.client import app_client, gql
from devkit.pgserver import PostgresServer
from devkit.relevance import evaluate
from loaders.ingest import load_manifest
from loaders.manifest import SourceEntry, read_manifest

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
MANIFEST = PROJECT_ROOT / "data" / "sources" / "manifest.toml"
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
BEGIN_MARKER = "<!-- search:begin -->"
END_MARKER = "<!-- search:end -->"

BACKENDS = ("sqlite", "postgresql")
BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SCALES = (1, 100, 1000)  # issue 16 judges x1000 against x1
KNOWN_SCALES = (1, 10, 100, 1000)
PAGE_SIZE = 10

#: What a reader types: accented and folded spellings of the same topics, agencies,
#: document numbers, a question phrased as one, and words that are everywhere.
QUERIES: tuple[str, ...] = (
    "chuyển đổi số",
    "chuyen doi so",
    "kinh tế số",
    "kinh te so la gi",
    "chính quyền số",
    "chinh quyen so",
    "xã hội số",
    "công dân số",
    "cong dan so",
    "dang bo",
    "Đảng bộ tỉnh",
    "thuong mai dien tu",
    "thương mại điện tử",
    "Sở Thông tin và Truyền thông",
    "so thong tin va truyen thong",
    "293/KH-UBND",
    "du lich",
    "ky nang so",
    "dữ liệu",
    "nen tang so",
    # as people type: half-typed, misspelt, compounds, exact forms (issue 16)
    "chuyen doi s",
    "thuong mai dien t",
    "nong ngiep",
    "chuyen doi so la gj",
    "make in vietnam",
    "SOC",
    "Hà Tĩnh",
)

SEARCH = """
query Search($q: String!, $first: Int) {
  search(query: $q, first: $first) {
    totalCount
    nodes { score snippet item { __typename ... on Node { id } } }
  }
}
"""
FLOOR = "{ pillars { code } }"


def percentile(samples: list[float], share: float) -> float:
    """Linear-interpolated percentile (``share`` in 0..1) of at least one sample."""
    ordered = sorted(samples)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Latencies:
    """Request times in milliseconds."""

    samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    def as_json(self) -> dict[str, Any]:
        return {
            "p50": round(self.p50, 2),
            "p95": round(self.p95, 2),
            "max": round(max(self.samples), 2),
            "n": len(self.samples),
        }


@dataclass
class Target:
    """One loaded database: a backend at a scale, and what it was measured to do."""

    backend: str
    scale: int
    url: str
    load_s: float = 0.0
    search_entries: int = 0
    search: Latencies = field(default_factory=Latencies)
    floor: Latencies = field(default_factory=Latencies)
    per_query: dict[str, Latencies] = field(default_factory=dict)
    total_counts: dict[str, int] = field(default_factory=dict)
    #: success@5 and MRR@10 over the relevance set (×1 only: it judges the real corpus)
    relevance: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.backend} ×{self.scale}"

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "scale": self.scale,
            "load_s": round(self.load_s, 3),
            "search_entries": self.search_entries,
            "search_ms": self.search.as_json(),
            "floor_ms": self.floor.as_json(),
            "search_over_floor_p50": round(self.search.p50 / self.floor.p50, 1),
            "relevance": self.relevance,
            "per_query": {
                q: {"total_count": self.total_counts[q], "p50_ms": round(lat.p50, 2)}
                for q, lat in self.per_query.items()
            },
        }


def scaled_manifest(workdir: Path, copies: int) -> Path:
    """A manifest listing every bundled source ``copies`` times; files by absolute path."""
    if copies == 1:
        return MANIFEST
    entries = read_manifest(MANIFEST)
    blocks: list[str] = [f"# every bundled source {copies} times (bench/search_latency.py)\n"]
    for n in range(1, copies + 1):
        for entry in entries:
            blocks.append(_source_block(entry, f"{entry.slug}-copy-{n:03d}"))
    path = workdir / f"manifest-x{copies}.toml"
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def _source_block(entry: SourceEntry, slug: str) -> str:
    fields: dict[str, str | int | None] = {
        "slug": slug,
        "file": str(entry.path),
        "kind": entry.kind,
        "province": entry.province,
        "title": entry.title,
        "publisher": entry.publisher,
        "year": entry.year,
    }
    lines = ["[[source]]"]
    for key, value in fields.items():
        if value is not None:
            # a JSON string is a valid TOML basic string (same escapes)
            lines.append(f"{key} = {value if isinstance(value, int) else json.dumps(value)}")
    return "\n".join(lines) + "\n"


async def load(target: Target, manifest: Path) -> None:
    """Migrate (untimed), then time ``load_manifest``; count the search entries."""
    await upgrade_async(target.url)
    engine = create_engine(target.url)
    try:
        start = time.perf_counter()
        report = await load_manifest(engine, manifest)
        target.load_s = time.perf_counter() - start
        if not report.changed:
            raise RuntimeError(f"{target.name}: the load wrote nothing")
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # autovacuum would analyze within a minute of the load; do it now so every
                # round sees the planner with statistics
                await conn.execute(text("ANALYZE"))
            count = await conn.scalar(select(func.count()).select_from(models.SearchEntry))
            target.search_entries = int(count or 0)
    finally:
        await engine.dispose()


async def timed(client: httpx.AsyncClient, query: str, **variables: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    # a new nonce each time: the response cache must not answer (the search memo may)
    data = await gql(client, query, **with_nonce(variables))
    return (time.perf_counter() - start) * 1000, data


async def measure(
    targets: list[Target], clients: list[httpx.AsyncClient], repeat: int
) -> list[str]:
    """Warm up once, then ``repeat`` rounds of every query on every target, interleaved.

    Returns warnings (queries with no hits, counts that differ between backends).
    """
    for target, client in zip(targets, clients, strict=True):
        await gql(client, FLOOR)
        for q in QUERIES:
            data = await gql(client, SEARCH, q=q, first=PAGE_SIZE)
            target.total_counts[q] = data["search"]["totalCount"]
            target.per_query[q] = Latencies()
    pairs = list(zip(targets, clients, strict=True))
    for n in range(repeat):
        print(f"  round {n + 1}/{repeat}", file=sys.stderr, flush=True)
        for i, q in enumerate(QUERIES):
            # rotate who goes first so no database always follows the same one
            shift = (n * len(QUERIES) + i) % len(pairs)
            for target, client in pairs[shift:] + pairs[:shift]:
                elapsed, data = await timed(client, SEARCH, q=q, first=PAGE_SIZE)
                if data["search"]["totalCount"] != target.total_counts[q]:
                    raise RuntimeError(f"{target.name}: {q!r} changed its totalCount")
                target.search.samples.append(elapsed)
                target.per_query[q].samples.append(elapsed)
                elapsed, _ = await timed(client, FLOOR)
                target.floor.samples.append(elapsed)
    return consistency_warnings(targets)


def consistency_warnings(targets: list[Target]) -> list[str]:
    warnings: list[str] = []
    for scale in sorted({t.scale for t in targets}):
        same_scale = [t for t in targets if t.scale == scale]
        for q in QUERIES:
            counts = {t.backend: t.total_counts[q] for t in same_scale}
            if len(set(counts.values())) > 1:
                warnings.append(f"×{scale} {q!r}: totalCount differs between backends {counts}")
            elif not any(counts.values()):
                warnings.append(f"×{scale} {q!r}: no hits")
    return warnings


@contextlib.asynccontextmanager
async def postgres() -> AsyncIterator[PostgresServer]:
    """A throwaway server, stopped and removed on the way out, also on error."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


async def run(
    backends: list[str], scales: list[int], repeat: int
) -> tuple[list[Target], dict[str, str], list[str]]:
    """Build every database, then measure them all together."""
    versions: dict[str, str] = {}
    targets: list[Target] = []
    async with contextlib.AsyncExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dxgraph-bench-")))
        manifests = {scale: scaled_manifest(workdir, scale) for scale in scales}
        for backend in backends:
            server = (
                await stack.enter_async_context(postgres()) if backend == "postgresql" else None
            )
            for scale in scales:
                if server is None:
                    url = f"sqlite+aiosqlite:///{workdir / f'search_x{scale}.db'}"
                else:
                    await _pg_admin(server, f"CREATE DATABASE bench_x{scale}")
                    url = server.url(f"bench_x{scale}")
                target = Target(backend, scale, url)
                print(f"loading {target.name} …", file=sys.stderr, flush=True)
                await load(target, manifests[scale])
                print(
                    f"  {target.load_s:.1f} s, {target.search_entries} search entries",
                    file=sys.stderr,
                    flush=True,
                )
                targets.append(target)
            versions[backend] = (
                f"SQLite {sqlite3.sqlite_version}"
                if server is None
                else f"PostgreSQL {(await _pg_admin(server, 'SHOW server_version')).split()[0]}"
            )
        clients = [
            await stack.enter_async_context(app_client(t.url, anon_rate_limit=UNLIMITED_RATE))
            for t in targets
        ]
        print(f"measuring: {len(QUERIES)} queries × {repeat} rounds …", file=sys.stderr)
        warnings = await measure(targets, clients, repeat)
        for target, client in zip(targets, clients, strict=True):
            if target.scale == 1:
                judged = await evaluate(client)
                target.relevance = {
                    "success_at_5": round(judged.success_at_5, 3),
                    "mrr_at_10": round(judged.mrr_at_10, 3),
                    "queries": len(judged.judged),
                }
                warnings += [
                    f"{target.name}: {miss.text!r} ranked {miss.rank}" for miss in judged.misses
                ]
    return targets, versions, warnings


def _ratio(targets: list[Target], target: Target, attr: str) -> str:
    """This row's p50 / the same backend's ×1 p50; a dash on the ×1 row itself."""
    base = next((t for t in targets if t.backend == target.backend and t.scale == 1), None)
    if base is None or target.scale == 1:
        return "—"
    series: Latencies = getattr(target, attr)
    return f"{series.p50 / getattr(base, attr).p50:.1f}"


def markdown_table(targets: list[Target], versions: dict[str, str], repeat: int) -> str:
    samples = len(QUERIES) * repeat
    lines = [
        f"Milliseconds per request, {len(QUERIES)} queries × {repeat} rounds = {samples} "
        "samples per row; × scale = this row's p50 / the same backend's ×1 p50; "
        "÷ floor = search p50 / floor p50.",
        "",
        "| backend | scale | search entries | load (s) | search p50 | p95 | max | × scale "
        "| floor p50 | p95 | max | × scale | ÷ floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in targets:
        lines.append(
            f"| {versions[t.backend]} | ×{t.scale} | {t.search_entries} | {t.load_s:.1f} "
            f"| {t.search.p50:.1f} | {t.search.p95:.1f} | {max(t.search.samples):.1f} "
            f"| {_ratio(targets, t, 'search')} "
            f"| {t.floor.p50:.1f} | {t.floor.p95:.1f} | {max(t.floor.samples):.1f} "
            f"| {_ratio(targets, t, 'floor')} | {t.search.p50 / t.floor.p50:.0f} |"
        )
    return "\n".join(lines)


def per_query_table(targets: list[Target]) -> str:
    """p50 per query and target, with each scale's totalCount (the first backend's)."""
    scales = sorted({t.scale for t in targets})
    counted = {s: next(t for t in targets if t.scale == s) for s in scales}
    header = ["query", *(f"hits ×{s}" for s in scales), *(t.name for t in targets)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|---|" + "---:|" * (len(header) - 1),
    ]
    for q in QUERIES:
        cells = [f"`{q}`"]
        cells += [str(counted[s].total_counts[q]) for s in scales]
        cells += [f"{t.per_query[q].p50:.1f}" for t in targets]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_readme(section: str) -> None:
    """Rewrite the text between the search markers; append the section if they are missing."""
    body = f"{BEGIN_MARKER}\n{section}\n{END_MARKER}"
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = current.find(BEGIN_MARKER), current.find(END_MARKER)
    if start == -1 or end < start:
        updated = current.rstrip("\n") + "\n\n## Search latency\n\n" + body + "\n"
    else:
        updated = current[:start] + body + current[end + len(END_MARKER) :]
    README.write_text(updated, encoding="utf-8")


def write_json(report: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"search_latency-{report['date']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _csv(
    parser: argparse.ArgumentParser, option: str, value: str, known: tuple[Any, ...]
) -> list[Any]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    try:
        parsed = [type(known[0])(v) for v in items]
    except ValueError:
        parser.error(f"{option}: not a list of {type(known[0]).__name__}: {value!r}")
    unknown = [str(v) for v in parsed if v not in known]
    if unknown or not parsed:
        parser.error(f"{option}: unknown {', '.join(unknown) or '(none given)'}")
    return list(dict.fromkeys(parsed))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search_latency",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="measured rounds (default: %(default)s)"
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated subset of %(default)s (default: %(default)s)",
    )
    parser.add_argument(
        "--scales",
        default=",".join(map(str, SCALES)),
        help="comma-separated subset of %(default)s (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.backends = _csv(parser, "--backends", args.backends, BACKENDS)
    args.scales = sorted(_csv(parser, "--scales", args.scales, KNOWN_SCALES))
    return args


METHOD = """\
Method: each backend gets one database per scale — ×1 is `data/sources/manifest.toml`;
×100 is a temporary manifest listing each bundled source 100 times under other slugs
(`ha-giang-hoi-dap-2022-copy-007`, …), so the items are real but repeated (documents merge
by number, so they do not multiply). "load" is `load_manifest` into a migrated, empty
database (parse + build rows + one write transaction); PostgreSQL is then `ANALYZE`d.
Requests go through the Starlette app in-process (`devkit.client.app_client`, httpx ASGI
transport, no network): `search(query:, first: 10)` selecting `totalCount` and each hit's
`score`, `snippet` and `item { __typename ... on Node { id } }`. After one warm-up pass,
each round runs every query once on every database, interleaved (the order rotates), each
search followed by the floor `{ pillars { code } }` on the same client: GraphQL and HTTP
without the database, so "÷ floor" is what search itself costs. Every request carries a
new `benchNonce` variable, so the response cache never answers; the corpus statistics
search memoises per content version are warm after the warm-up pass, as on a live server.
Run with
`python -m bench.search_latency [--repeat N] [--backends sqlite,postgresql] [--scales 1,100,1000]`
(about 30 minutes with the defaults, most of it loading ×1000; `--scales 1,100` takes 4)."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    targets, versions, warnings = asyncio.run(run(args.backends, args.scales, args.repeat))

    commit, dirty = git_commit()
    report: dict[str, Any] = {
        "benchmark": "search_latency",
        "date": datetime.now(UTC).date().isoformat(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "git_commit": commit,
        "git_dirty": dirty,
        "repeat": args.repeat,
        "page_size": PAGE_SIZE,
        "queries": list(QUERIES),
        "floor_query": FLOOR,
        "server_versions": versions,
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "results": [t.as_json() for t in targets],
        "warnings": warnings,
    }
    table = markdown_table(targets, versions, args.repeat)
    queries = per_query_table(targets)
    notes = "\n".join(f"- {w}" for w in warnings)
    path = write_json(report)
    relevance = "\n".join(
        f"- {t.name}: success@5 {t.relevance['success_at_5']:.3f}, "
        f"MRR@10 {t.relevance['mrr_at_10']:.3f} over {t.relevance['queries']:.0f} queries"
        for t in targets
        if t.relevance
    )
    section = (
        f"{describe(report)}\n\n{table}\n\nRelevance (the set in "
        f"`tests/schema/relevance.toml`, judged at ×1):\n\n{relevance}\n\n"
        f"Search p50 (ms) per query:\n\n{queries}"
    )
    if notes:
        section += f"\n\nWarnings:\n\n{notes}"
    update_readme(f"{section}\n\n{METHOD}")

    print(f"\n{describe(report)}\n\n{table}\n\n{queries}")
    if notes:
        print(f"\nwarnings:\n{notes}")
    print(f"\nwrote {path.relative_to(PROJECT_ROOT)}; updated {README.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
