"""What an uncached request costs inside the app: ``python -m bench.read_path``.

Loads the bundled sources into a temporary SQLite file (and, with ``--postgres``, a
throwaway PostgreSQL from ``devkit.pgserver``), then calls the whole ASGI app directly (no
server, no HTTP client; ``bench.hit_path._call``) with POSTs that carry a fresh nonce, so
the response cache never answers. Requests are sent one at a time: the figure is the
cost of one request, not throughput.

Each round times every query ``--requests`` times under each variant of ``VARIANTS`` in
turn, so a busy moment of the shared machine falls on all of them, and ratios are taken
within a round. ``--against TREE`` compares with another checkout instead (``git archive
main | tar -x -C TREE``): each round runs this module once in TREE and once here, in
turn, on the same loaded databases. ``--profile`` runs cProfile over the requests and
prints where the time goes. A measurement, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib.util
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy.engine import make_url

from api.app import create_app
from api.settings import Settings
from bench.databases import load_bundled, loaded_sqlite
from bench.hit_path import _call
from bench.scenarios import BY_NAME, UNLIMITED_RATE, HttpRequest, Scenario, dxgraph_request

#: The uncached queries timed: the bench's scenarios, and two plain pages.
QUERIES: dict[str, HttpRequest] = {
    "citizen_qa": dxgraph_request(BY_NAME["citizen_qa"], apq=False),
    "internal_tasks": dxgraph_request(BY_NAME["internal_tasks"], apq=False),
    "nested": dxgraph_request(BY_NAME["nested"], apq=False),
    "search": dxgraph_request(BY_NAME["search"], apq=False),
    "questions(first: 20)": dxgraph_request(
        Scenario(
            "q20",
            "",
            "{ questions(first: 20) { totalCount nodes { id number text answer "
            "source { slug } province { name } pillars { code } } } }",
            "",
        ),
        apq=False,
    ),
    "tasks(first: 50)": dxgraph_request(
        Scenario(
            "t50",
            "",
            "{ tasks(first: 50) { totalCount nodes { id title deadline leadAgencies { name } "
            "document { number } } } }",
            "",
        ),
        apq=False,
    ),
}


class _Forgetful(dict[Any, Any]):
    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


@contextlib.contextmanager
def _built_per_request() -> Iterator[None]:
    """Every statement of a shape built for each use (``schema.statements.once`` keeps
    none), as before issue 17; those built at import stay built."""
    import schema.statements

    with mock.patch.object(schema.statements, "_BUILT", _Forgetful()):
        yield


@contextlib.contextmanager
def _aiosqlite() -> Iterator[None]:
    """SQLite through aiosqlite itself (a thread hop per DB-API call), as before issue 17."""
    import db.sqlite_driver

    with mock.patch.object(db.sqlite_driver, "connector", lambda *_args: None):
        yield


@dataclass(frozen=True)
class Variant:
    """A change switched off: ``app`` while the app starts (its engine), ``request``
    around each request."""

    app: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext
    request: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext


#: name → how to switch a change off (the first: the code as it is)
VARIANTS: dict[str, Variant] = {"as is": Variant()}
if importlib.util.find_spec("schema.statements") is not None:
    VARIANTS["statements built per request"] = Variant(request=_built_per_request)
if importlib.util.find_spec("db.sqlite_driver") is not None:
    VARIANTS["aiosqlite (SQLite only)"] = Variant(app=_aiosqlite)


class _Nonces:
    def __init__(self) -> None:
        self.n = 0

    def fresh(self, request: HttpRequest) -> HttpRequest:
        self.n += 1
        return HttpRequest(request.method, request.path, request.body_with(self.n), request.headers)


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    from devkit.pgserver import PostgresServer

    server = PostgresServer().start()
    try:
        yield server.url("postgres")
    finally:
        server.stop()


async def _time_requests(app: Any, nonces: _Nonces, request: HttpRequest, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        status = await _call(app, nonces.fresh(request))
        assert status == 200, status
    return (time.perf_counter() - start) / n * 1e3


async def _run_on(url: str, rounds: int, requests: int, profile: bool) -> dict[str, Any]:
    sqlite = make_url(url).get_backend_name() == "sqlite"
    variants = {
        label: v for label, v in VARIANTS.items() if v.app is contextlib.nullcontext or sqlite
    }
    nonces = _Nonces()
    out: dict[str, Any] = {}
    async with contextlib.AsyncExitStack() as stack:
        apps: dict[str, Any] = {}
        for name, variant in variants.items():
            if variant.app is contextlib.nullcontext and apps:
                apps[name] = next(iter(apps.values()))
                continue
            app = create_app(Settings(database_url=url, anon_rate_limit=UNLIMITED_RATE))
            with variant.app():
                await stack.enter_async_context(app.router.lifespan_context(app))
            apps[name] = app
        for app in apps.values():
            for request in QUERIES.values():  # warm: documents parsed, connections open
                for _ in range(3):
                    assert await _call(app, nonces.fresh(request)) == 200
        if profile:
            app = next(iter(apps.values()))
            profiler = cProfile.Profile()
            profiler.enable()
            for request in QUERIES.values():
                for _ in range(requests):
                    await _call(app, nonces.fresh(request))
            profiler.disable()
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(70)
            return {"profile": text.getvalue()}
        ms: dict[str, dict[str, list[float]]] = {q: {v: [] for v in variants} for q in QUERIES}
        for _ in range(rounds):
            for name, request in QUERIES.items():
                for label, variant in variants.items():
                    with variant.request():
                        await _call(apps[label], nonces.fresh(request))
                        ms[name][label].append(
                            await _time_requests(apps[label], nonces, request, requests)
                        )
        first = next(iter(variants))
        for name, by_variant in ms.items():
            row: dict[str, Any] = {
                v: round(statistics.median(times), 2) for v, times in by_variant.items()
            }
            for label, times in by_variant.items():
                if label != first:
                    row[f"{label} ÷ {first}"] = [
                        round(a / b, 2) for a, b in zip(times, by_variant[first], strict=True)
                    ]
            out[name] = row
    return out


async def _load_postgres(url: str) -> str:
    import asyncpg  # type: ignore[import-untyped]

    admin = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await admin.execute("CREATE DATABASE dxgraph_reads")
    finally:
        await admin.close()
    target = url.rsplit("/", 1)[0] + "/dxgraph_reads"
    await load_bundled(target)
    return target


async def prepare(postgres: bool, folder: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    """Loaded databases: a SQLite file in ``folder`` and, with ``postgres``, a throwaway
    server (stopped when ``stack`` closes)."""
    urls = {"sqlite": await loaded_sqlite(folder)}
    if postgres:
        urls["postgresql"] = await _load_postgres(stack.enter_context(_postgres()))
    return urls


async def run(urls: dict[str, str], rounds: int, requests: int, profile: bool) -> dict[str, Any]:
    return {name: await _run_on(url, rounds, requests, profile) for name, url in urls.items()}


def _against(tree: Path, urls: dict[str, str], rounds: int, requests: int) -> dict[str, Any]:
    """Rounds alternating between TREE's code and this one's, on the same databases."""
    here = Path(__file__).resolve().parent.parent
    times: dict[str, dict[str, dict[str, list[float]]]] = {}
    for _ in range(rounds):
        for label, cwd in (("other", tree), ("this", here)):
            env = {**os.environ, "PYTHONPATH": str(cwd)}
            command = [sys.executable, "-m", "bench.read_path", "--rounds", "1"]
            command += ["--requests", str(requests), "--json", "--only-as-is"]
            for url in urls.values():
                command += ["--url", url]
            out = subprocess.run(
                command, cwd=cwd, env=env, capture_output=True, text=True, check=True
            )
            for backend, by_query in json.loads(out.stdout).items():
                for query, row in by_query.items():
                    times.setdefault(backend, {}).setdefault(query, {"other": [], "this": []})
                    times[backend][query][label].append(row["as is"])
    return {
        backend: {
            query: {
                "this ms": round(statistics.median(t["this"]), 2),
                "other ms": round(statistics.median(t["other"]), 2),
                "this ÷ other": [
                    round(a / b, 2) for a, b in zip(t["this"], t["other"], strict=True)
                ],
            }
            for query, t in by_query.items()
        }
        for backend, by_query in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too")
    parser.add_argument("--profile", action="store_true", help="cProfile instead of timing")
    parser.add_argument("--url", action="append", help="a loaded database to read instead")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--only-as-is", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only_as_is:
        for name in list(VARIANTS)[1:]:
            del VARIANTS[name]
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        if args.url:
            urls = {make_url(u).get_backend_name(): u for u in args.url}
        else:
            urls = asyncio.run(prepare(args.postgres, Path(folder), stack))
        if args.against:
            results = _against(args.against, urls, args.rounds, args.requests)
        else:
            with contextlib.redirect_stderr(io.StringIO()):  # the app's request log lines
                results = asyncio.run(run(urls, args.rounds, args.requests, args.profile))
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return
    for backend, result in results.items():
        print(f"== {backend}")
        if "profile" in result:
            print(result["profile"])
            continue
        for name, row in result.items():
            print(f"{name}: {row}")


if __name__ == "__main__":
    main()
