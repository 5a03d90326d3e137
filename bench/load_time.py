"""Load-time benchmark: how long loading the bundled manifest takes, per database backend.

For each backend and each of ``--repeat`` rounds, interleaved so that all three see the
same machine state: a parse-only pass (``parse_all(read_manifest(...))``, the floor any
load is compared with), a first load into a freshly migrated, empty database, and a
second identical load (content unchanged, so it writes nothing). Reports median and
min/max seconds, load/parse ratios, the process's peak RSS and a verdict against the
issue's budget ("well under 10 s"); writes ``bench/results/load_time-<UTC date>.json``
and rewrites the "Load time" table in ``bench/README.md``.

Run with ``python -m bench.load_time [--repeat N] [--backends sqlite,postgresql]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from db.migrate import upgrade
from db.session import create_engine
from devkit.pgserver import PostgresServer
from loaders.ingest import load_manifest, parse_all
from loaders.manifest import read_manifest

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
MANIFEST = PROJECT_ROOT / "data" / "sources" / "manifest.toml"
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
BEGIN_MARKER = "<!-- load-time:begin -->"
END_MARKER = "<!-- load-time:end -->"

BACKENDS = ("sqlite", "postgresql")
#: The issue's budget for loading the five sources.
BUDGET_S = 10.0
#: "Well under" the budget: the worst first load within this share of it.
WELL_UNDER_SHARE = 0.5

#: Makes a fresh, migrated, empty database for round ``n`` and returns its URL.
FreshDatabase = Callable[[int], Awaitable[str]]


@dataclass
class Series:
    """Wall-time samples in seconds, one per round."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def as_json(self) -> dict[str, Any]:
        return {
            "median": round(self.median, 4),
            "min": round(min(self.samples), 4),
            "max": round(max(self.samples), 4),
            "samples": [round(s, 4) for s in self.samples],
        }

    def cell(self) -> str:
        return f"{self.median:.3f} ({min(self.samples):.3f}–{max(self.samples):.3f})"


@dataclass
class BackendResult:
    backend: str
    server_version: str
    migrate_s: float
    parse_only: Series = field(default_factory=Series)
    first_load: Series = field(default_factory=Series)
    second_load: Series = field(default_factory=Series)
    peak_rss_mib: float = 0.0

    def ratio(self, load: Series) -> float:
        return load.median / self.parse_only.median

    def as_json(self) -> dict[str, Any]:
        return {
            "server_version": self.server_version,
            "migrate_s": round(self.migrate_s, 4),
            "parse_only_s": self.parse_only.as_json(),
            "first_load_s": self.first_load.as_json(),
            "second_load_s": self.second_load.as_json(),
            "first_load_over_parse": round(self.ratio(self.first_load), 2),
            "second_load_over_parse": round(self.ratio(self.second_load), 2),
            "peak_rss_mib_after_loads": round(self.peak_rss_mib, 1),
        }


def peak_rss_mib() -> float:
    """This process's peak resident set so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


async def measure_rounds(
    result: BackendResult, fresh_database: FreshDatabase, repeat: int
) -> BackendResult:
    """Parse-only, first load and second load, interleaved, ``repeat`` times."""
    for n in range(repeat):
        start = time.perf_counter()
        parse_all(read_manifest(MANIFEST))
        result.parse_only.samples.append(time.perf_counter() - start)

        # The engine is created untimed, but its first connection is opened inside the
        # first load, as it is for `dxgraph load`.
        engine = create_engine(await fresh_database(n))
        try:
            start = time.perf_counter()
            first = await load_manifest(engine, MANIFEST)
            result.first_load.samples.append(time.perf_counter() - start)
            start = time.perf_counter()
            second = await load_manifest(engine, MANIFEST)
            result.second_load.samples.append(time.perf_counter() - start)
        finally:
            await engine.dispose()
        if not first.changed or second.changed:
            raise RuntimeError(
                f"{result.backend}: expected the first load to write and the second not to "
                f"(first.changed={first.changed}, second.changed={second.changed})"
            )
    result.peak_rss_mib = peak_rss_mib()
    return result


def bench_sqlite(workdir: Path, repeat: int) -> BackendResult:
    """Each round copies one migrated template file, so migrations stay out of the timing."""
    template = workdir / "template.db"
    start = time.perf_counter()
    upgrade(f"sqlite+aiosqlite:///{template}")
    migrate_s = time.perf_counter() - start

    async def fresh_database(n: int) -> str:
        path = workdir / f"round_{n}.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"

    result = BackendResult("sqlite", f"SQLite {sqlite3.sqlite_version}", migrate_s)
    return asyncio.run(measure_rounds(result, fresh_database, repeat))


async def _pg_admin(server: PostgresServer, sql: str) -> str:
    """Run one statement on the maintenance database, outside a transaction (CREATE
    DATABASE refuses one); returns the first value, if any."""
    engine = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(sql))
            return str(result.scalar()) if result.returns_rows else ""
    finally:
        await engine.dispose()


def bench_postgresql(repeat: int) -> BackendResult:
    """A throwaway server; each round's database is a copy of one migrated template."""
    server = PostgresServer().start()
    try:
        asyncio.run(_pg_admin(server, "CREATE DATABASE bench_template"))
        start = time.perf_counter()
        upgrade(server.url("bench_template"))
        migrate_s = time.perf_counter() - start
        version = asyncio.run(_pg_admin(server, "SHOW server_version"))

        async def fresh_database(n: int) -> str:
            await _pg_admin(server, f"CREATE DATABASE bench_round_{n} TEMPLATE bench_template")
            return server.url(f"bench_round_{n}")

        result = BackendResult("postgresql", f"PostgreSQL {version.split()[0]}", migrate_s)
        return asyncio.run(measure_rounds(result, fresh_database, repeat))
    finally:
        server.stop()


def git_commit() -> tuple[str | None, bool]:
    """The short HEAD commit and whether tracked files differ from it; (None, False) without git.

    The benchmarks' own output (``bench/README.md``, ``bench/results/``) does not count:
    ``make bench`` rewrites them as it goes, so later benchmarks of the same run would
    otherwise call a clean checkout dirty.
    """
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude)bench/README.md",
                ":(exclude)bench/results",
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, False
    return head, bool(status.strip())


def machine() -> dict[str, Any]:
    memory_mib: int | None = None
    cpu_model: str | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mib = int(line.split()[1]) // 1024
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "memory_mib": memory_mib,
        "cpu": cpu_model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def verdict(results: list[BackendResult]) -> str:
    """One line against the budget, judged on the slowest first load of any round."""
    worst = max(results, key=lambda r: max(r.first_load.samples))
    worst_s = max(worst.first_load.samples)
    where = f"slowest first load {worst_s:.2f} s ({worst.backend})"
    if worst_s <= BUDGET_S * WELL_UNDER_SHARE:
        return f"VERDICT: PASS — {where}, well under the {BUDGET_S:.0f} s budget."
    if worst_s < BUDGET_S:
        return f"VERDICT: MARGINAL — {where}, under {BUDGET_S:.0f} s but not well under."
    return f"VERDICT: FAIL — {where}, over the {BUDGET_S:.0f} s budget."


def markdown_table(results: list[BackendResult], repeat: int) -> str:
    lines = [
        f"Seconds: median (min–max) of {repeat} rounds; × = load median / parse-only median.",
        "",
        "| backend | first load (s) | × parse | second load (s) | × parse "
        "| parse-only (s) | migrate (s) | peak RSS (MiB) |",
        "|---|---|---:|---|---:|---|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.server_version} | {r.first_load.cell()} | {r.ratio(r.first_load):.1f} "
            f"| {r.second_load.cell()} | {r.ratio(r.second_load):.1f} "
            f"| {r.parse_only.cell()} | {r.migrate_s:.2f} | {r.peak_rss_mib:.0f} |"
        )
    return "\n".join(lines)


def describe(report: dict[str, Any]) -> str:
    m = report["machine"]
    commit = report["git_commit"] or "unknown"
    if report["git_dirty"]:
        commit += " (with uncommitted changes)"
    memory = f"{m['memory_mib'] / 1024:.1f} GiB" if m["memory_mib"] else "? GiB"
    return (
        f"{report['date']}, commit {commit}; {m['nproc']} CPU ({m['cpu'] or 'unknown'}), "
        f"{memory} RAM, Python {m['python']}, {m['platform']}."
    )


def update_readme(section: str) -> None:
    """Rewrite the text between the load-time markers; append the section if they are missing."""
    body = f"{BEGIN_MARKER}\n{section}\n{END_MARKER}"
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = current.find(BEGIN_MARKER), current.find(END_MARKER)
    if start == -1 or end < start:
        updated = current.rstrip("\n") + "\n\n## Load time\n\n" + body + "\n"
    else:
        updated = current[:start] + body + current[end + len(END_MARKER) :]
    README.write_text(updated, encoding="utf-8")


def write_json(report: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"load_time-{report['date']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load_time", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds per backend (default: %(default)s)"
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated subset of %(default)s (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown or not backends:
        parser.error(f"--backends: unknown {', '.join(unknown) or '(none given)'}")
    args.backends = list(dict.fromkeys(backends))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rss_before = peak_rss_mib()
    results: list[BackendResult] = []
    for backend in args.backends:
        print(f"measuring {backend}: {args.repeat} rounds …", file=sys.stderr, flush=True)
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="dxgraph-bench-") as workdir:
                results.append(bench_sqlite(Path(workdir), args.repeat))
        else:
            results.append(bench_postgresql(args.repeat))

    commit, dirty = git_commit()
    report: dict[str, Any] = {
        "benchmark": "load_time",
        "date": datetime.now(UTC).date().isoformat(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "git_commit": commit,
        "git_dirty": dirty,
        "manifest": str(MANIFEST.relative_to(PROJECT_ROOT)),
        "repeat": args.repeat,
        "budget_s": BUDGET_S,
        "peak_rss_mib_before_loads": round(rss_before, 1),
        "backends": {r.backend: r.as_json() for r in results},
    }
    line = verdict(results)
    report["verdict"] = line

    table = markdown_table(results, args.repeat)
    path = write_json(report)
    rss_note = (
        f"Peak RSS is the benchmark process's (cumulative across backends, "
        f"{rss_before:.0f} MiB before any load); the PostgreSQL server is not included."
    )
    update_readme(f"{describe(report)}\n\n{table}\n\n{rss_note}\n\n**{line}**")

    print(f"\n{describe(report)}\n\n{table}\n\n{rss_note}\n\n{line}")
    print(f"\nwrote {path.relative_to(PROJECT_ROOT)}; updated {README.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
