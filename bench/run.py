"""The load benchmark: dxgraph under wrk beside a floor, raw SQL and PostGraphile, at scale.

For each deployment — SQLite ×1, PostgreSQL ×1 and PostgreSQL at each synthetic scale
(bench/corpus.py) — the database is loaded (timed, with the loader's peak memory), and
these servers are started as processes on free loopback ports, one worker each:

- **dxgraph**: ``dxgraph serve``, rate limit lifted (``DXGRAPH_ANON_RATE_LIMIT``);
- **floor**: a bare Starlette endpoint returning dxgraph's own response bytes (×1 only);
- **raw**: a Starlette endpoint answering with hand-written SQL (bench/peers/raw.py);
- **postgraphile**: PostGraphile v5 over the same tables (PostgreSQL only; node).

Each of the five scenarios (bench/scenarios.py) then runs as ``wrk -c16`` for a fixed
duration on every server, interleaved: per round the servers take turns (the order
rotates), and each figure is the median over rounds; ratios are taken within a round,
so a busy moment of the machine touches both sides of a ratio. Between two runs the
bench waits for the previous server to go idle. SQL statements per request come from
``/metrics`` (``dxgraph_db_statements_total`` over ``dxgraph_requests_total``) and are
checked in-process (bench/inprocess.py), which also measures them at growing page sizes
and EXPLAINs them at the largest scale. py-spy profiles dxgraph per scenario at ×1.

Writes ``bench/results/load-<UTC date>[-quick].json`` and the "Load" section of
bench/README.md. ``--quick``: short runs, ×1 and ×10 only (a few minutes end to end).

Run with ``python -m bench.run [--quick] [--scales 1,10,100,1000] [--rounds N]
[--duration S] [--backends sqlite,postgresql] [--no-postgraphile] [--no-profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import inprocess, profiling
from bench.load_time import _pg_admin, describe, git_commit, machine
from bench.peers.floor import request_key
from bench.scenarios import (
    SCENARIOS,
    UNLIMITED_RATE,
    HttpRequest,
    Scenario,
    apq_register,
    dxgraph_request,
    postgraphile_request,
)
from bench.servers import PROJECT_ROOT, VENV_BIN, Reaper, Server, free_port, reaper
from bench.wrk import WrkResult, ensure_wrk, run_wrk
from devkit.pgserver import PostgresServer

BENCH_DIR = Path(__file__).resolve().parent
PEERS_DIR = BENCH_DIR / "peers"
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
#: README sections: a quick run and a full (or custom) run each keep their own.
MARKERS = {
    True: ("<!-- load-quick:begin -->", "<!-- load-quick:end -->"),
    False: ("<!-- load:begin -->", "<!-- load:end -->"),
}

CONNECTIONS = 16
BACKENDS = ("sqlite", "postgresql")
FULL_SCALES = (1, 10, 100, 1000)
QUICK_SCALES = (1, 10)
PEERS = ("floor", "dxgraph", "raw", "postgraphile")
SERVER_ENV = {"DXGRAPH_ANON_RATE_LIMIT": UNLIMITED_RATE}

#: The issue's goals.
GOAL_CACHE_OVER_FLOOR = 0.5
GOAL_UNCACHED_OVER_PGL = 1.0
GOAL_P99_MS = 100.0
GOAL_P50_GROWTH = 2.0
GOAL_RSS_MIB = 250.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- measurements ---------------------------------------------------------------------------


@dataclass
class Run:
    """One wrk run of one peer on one scenario, and what the server did meanwhile."""

    round: int
    result: WrkResult
    peak_rss_mib: float
    cpu_share: float
    statements_per_request: float | None = None

    def as_json(self) -> dict[str, Any]:
        out = {
            "round": self.round,
            **self.result.as_json(),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "server_cpu_share": round(self.cpu_share, 2),
        }
        if self.statements_per_request is not None:
            out["sql_per_request"] = round(self.statements_per_request, 2)
        return out


@dataclass
class Cell:
    """Every run of one peer on one scenario in one deployment."""

    runs: list[Run] = field(default_factory=list)

    def median(self, metric: Callable[[Run], float]) -> float:
        return statistics.median(metric(r) for r in self.runs)

    @property
    def rps(self) -> float:
        return self.median(lambda r: r.result.rps)

    @property
    def p50(self) -> float:
        return self.median(lambda r: r.result.p50_ms)

    @property
    def p99(self) -> float:
        return self.median(lambda r: r.result.p99_ms)

    @property
    def peak_rss(self) -> float:
        return max(r.peak_rss_mib for r in self.runs)

    def ratio(self, other: Cell, metric: Callable[[Run], float]) -> float | None:
        """Median over rounds of this run's metric / the other's in the same round."""
        theirs = {r.round: metric(r) for r in other.runs}
        ratios = [metric(r) / theirs[r.round] for r in self.runs if theirs.get(r.round)]
        return statistics.median(ratios) if ratios else None

    def as_json(self) -> dict[str, Any]:
        sql = [r.statements_per_request for r in self.runs if r.statements_per_request is not None]
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50, 2),
            "p99_ms": round(self.p99, 2),
            "peak_rss_mib": round(self.peak_rss, 1),
            "sql_per_request_metrics": round(statistics.median(sql), 2) if sql else None,
            "runs": [r.as_json() for r in self.runs],
        }


@dataclass
class Deployment:
    """One backend at one scale: its load, its servers' answers and every measurement."""

    backend: str
    scale: int
    url: str = ""
    load: dict[str, Any] = field(default_factory=dict)
    apq: bool = False
    peers: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    inprocess: dict[str, Any] = field(default_factory=dict)
    explain: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)
    idle_rss_mib: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.backend} ×{self.scale}"

    def cell(self, peer: str, scenario: str) -> Cell | None:
        return self.cells.get((peer, scenario))

    def as_json(self) -> dict[str, Any]:
        scenarios: dict[str, Any] = {}
        for scenario in SCENARIOS:
            per_peer: dict[str, Any] = {}
            for peer in self.peers:
                cell = self.cell(peer, scenario.name)
                if cell is None or not cell.runs:
                    continue
                entry = cell.as_json()
                for base in ("floor", "postgraphile"):
                    other = self.cell(base, scenario.name)
                    if other is None or not other.runs or base == peer:
                        continue
                    entry[f"rps_over_{base}"] = _round(cell.ratio(other, lambda r: r.result.rps))
                    entry[f"p50_over_{base}"] = _round(cell.ratio(other, lambda r: r.result.p50_ms))
                    entry[f"p99_over_{base}"] = _round(cell.ratio(other, lambda r: r.result.p99_ms))
                per_peer[peer] = entry
            scenarios[scenario.name] = per_peer
        return {
            "backend": self.backend,
            "scale": self.scale,
            "load": self.load,
            "apq": self.apq,
            "peers": self.peers,
            "answers": self.answers,
            "idle_rss_mib": self.idle_rss_mib,
            "sql_per_request_inprocess": self.inprocess.get("per_request"),
            "sql_page_series": self.inprocess.get("page_series"),
            "scenarios": scenarios,
            "explain": self.explain,
            "profiles": self.profiles,
            "notes": self.notes,
        }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# -- loading --------------------------------------------------------------------------------


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command``; its wall time, its own peak RSS (MiB, from wait4) and its stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def load_database(deployment: Deployment, pg: PostgresServer | None, workdir: Path) -> None:
    """Create, migrate and load the deployment's database; record time and memory."""
    dxgraph = str(VENV_BIN / "dxgraph")
    if pg is None:
        deployment.url = f"sqlite+aiosqlite:///{workdir / f'bench_x{deployment.scale}.db'}"
    else:
        name = f"bench_x{deployment.scale}"
        asyncio.run(_pg_admin(pg, f"DROP DATABASE IF EXISTS {name}"))
        asyncio.run(_pg_admin(pg, f"CREATE DATABASE {name}"))
        deployment.url = pg.url(name)
    env = {"DATABASE_URL": deployment.url}
    migrate_s, _, _ = run_measured([dxgraph, "migrate"], env)
    if deployment.scale == 1:
        # the real loader, as an operator runs it
        load_s, peak, _ = run_measured([dxgraph, "load"], env)
        deployment.load = {"how": "dxgraph load", "load_s": round(load_s, 2)}
    else:
        load_s, peak, out = run_measured(
            [
                sys.executable,
                "-m",
                "bench.corpus",
                deployment.url,
                "--scale",
                str(deployment.scale),
            ],
            env,
        )
        deployment.load = {
            "how": "bench.corpus (real rows + synthetic copies) → loaders.ingest.write_rows",
            "load_s": round(load_s, 2),
            **json.loads(out.strip().splitlines()[-1]),
        }
    deployment.load["migrate_s"] = round(migrate_s, 2)
    deployment.load["loader_peak_rss_mib"] = round(peak, 1)
    if pg is not None:
        asyncio.run(_prepare_postgres(deployment.url))
        deployment.load["database_mib"] = asyncio.run(_database_mib(pg, deployment.url))


async def _prepare_postgres(url: str) -> None:
    """ANALYZE (as autovacuum would soon) and PostGraphile's search function."""
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("ANALYZE")
        await conn.execute((PEERS_DIR / "postgraphile.sql").read_text())
    finally:
        await conn.close()


async def _database_mib(pg: PostgresServer, url: str) -> float:
    name = url.rsplit("/", 1)[1]
    size = await _pg_admin(pg, f"SELECT pg_database_size('{name}')")
    return round(int(size) / 2**20, 1)


# -- servers --------------------------------------------------------------------------------


def start_servers(
    keeper: Reaper, deployment: Deployment, logdir: Path, with_pgl: bool
) -> dict[str, Server]:
    servers: dict[str, Server] = {}
    port = free_port()
    servers["dxgraph"] = keeper.start(
        "dxgraph",
        # one worker: compared with one PostGraphile process, RSS read from that process
        [
            str(VENV_BIN / "dxgraph"),
            "serve",
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**SERVER_ENV, "DATABASE_URL": deployment.url},
        port=port,
        logdir=logdir,
    )
    port = free_port()
    servers["raw"] = keeper.start(
        "raw",
        _uvicorn("bench.peers.raw:create_app", port),
        env={"BENCH_RAW_DATABASE_URL": deployment.url},
        port=port,
        logdir=logdir,
    )
    if with_pgl and deployment.backend == "postgresql":
        from sqlalchemy.engine import make_url

        dsn = make_url(deployment.url).set(drivername="postgres")
        port = free_port()
        servers["postgraphile"] = keeper.start(
            "postgraphile",
            ["node", "postgraphile.mjs"],
            env={
                "DATABASE_URL": dsn.render_as_string(hide_password=False),
                "PORT": str(port),
                "SCHEMAS": "public",
                "NODE_ENV": "production",
            },
            port=port,
            logdir=logdir,
            ready_path="/graphql",
            cwd=PEERS_DIR,
        )
    return servers


def _uvicorn(factory: str, port: int) -> list[str]:
    """A peer served the way dxgraph is (uvicorn, one worker, uvloop/httptools), without
    an access log: a floor is the least a server can do."""
    return [
        str(VENV_BIN / "uvicorn"),
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def send(server: Server, request: HttpRequest, nonce: int = 0) -> httpx.Response:
    return httpx.request(
        request.method,
        server.base_url + request.path,
        content=request.body_with(nonce) if request.body else None,
        headers=dict(request.headers),
        timeout=60,
    )


def detect_apq(server: Server) -> bool:
    """Register the persisted query, then GET it by hash: does the server know it now?"""
    scenario = next(s for s in SCENARIOS if s.persisted_get)
    send(server, apq_register(scenario.query, scenario.variables))
    response = send(server, dxgraph_request(scenario, apq=True))
    with contextlib.suppress(ValueError):
        body = response.json()
        return response.status_code == 200 and "data" in body and not body.get("errors")
    return False


def capture(deployment: Deployment, servers: dict[str, Server], workdir: Path) -> Path:
    """dxgraph's answer to each scenario (checked for errors), compared with the raw and
    PostGraphile peers'; returns the floor's response file."""
    floor_answers: dict[str, str] = {}
    for scenario in SCENARIOS:
        request = dxgraph_request(scenario, apq=deployment.apq)
        response = send(servers["dxgraph"], request, nonce=1)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"dxgraph {scenario.name}: {response.status_code} {body}")
        key = request_key(request.method, request.path.partition("?")[2], request.body_with(1))
        floor_answers[key] = base64.b64encode(response.content).decode()
        entry: dict[str, Any] = {"dxgraph_bytes": len(response.content)}
        raw = send(servers["raw"], request, nonce=1)
        entry["raw_same_answer"] = raw.status_code == 200 and raw.json() == body
        if "postgraphile" in servers:
            pgl = send(servers["postgraphile"], postgraphile_request(scenario), nonce=1)
            pgl_body = pgl.json()
            entry["postgraphile_ok"] = pgl.status_code == 200 and not pgl_body.get("errors")
            entry["postgraphile_bytes"] = len(pgl.content)
            if not entry["postgraphile_ok"]:
                raise RuntimeError(f"postgraphile {scenario.name}: {str(pgl_body)[:500]}")
            entry["postgraphile_total_counts"] = _total_counts(pgl_body)
        entry["dxgraph_total_counts"] = _total_counts(body)
        deployment.answers[scenario.name] = entry
        if not entry["raw_same_answer"]:
            deployment.notes.append(f"{scenario.name}: the raw-SQL answer differs from dxgraph's")
    path = workdir / f"floor-{deployment.backend}-{deployment.scale}.json"
    path.write_text(json.dumps(floor_answers), encoding="utf-8")
    return path


def _total_counts(value: Any) -> list[int]:
    """Every totalCount in a response, in document order (for comparing answers)."""
    found: list[int] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "totalCount" and isinstance(item, int):
                found.append(item)
            else:
                found += _total_counts(item)
    elif isinstance(value, list):
        for item in value:
            found += _total_counts(item)
    return found


def request_for(peer: str, scenario: Scenario, apq: bool) -> HttpRequest:
    if peer == "postgraphile":
        return postgraphile_request(scenario)
    return dxgraph_request(scenario, apq=apq)


def quiesce(server: Server, limit_s: float = 20.0, database_url: str = "") -> None:
    """Wait until the server has drained the previous run (its CPU stops moving) and, on
    PostgreSQL, until no statement of an earlier run is still executing: a timed-out
    client leaves its query running in the database, which would slow the next run."""
    deadline = time.monotonic() + limit_s
    last = server.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = server.cpu_seconds()
        if now - last < 0.03:
            break
        last = now
    if database_url.startswith("postgresql"):
        asyncio.run(_drain_postgres(database_url, limit_s))


async def _drain_postgres(url: str, limit_s: float) -> None:
    """Wait for the database's other sessions to go idle; cancel what still runs after."""
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    active = (
        "FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND pid <> pg_backend_pid()"
    )
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if not await conn.fetchval(f"SELECT count(*) {active}"):
                return
            await asyncio.sleep(0.3)
        await conn.execute(f"SELECT pg_cancel_backend(pid) {active}")
    finally:
        await conn.close()


def read_metrics(server: Server) -> tuple[float, float] | None:
    """(statements, GraphQL requests) from dxgraph's /metrics, or None before it exists."""
    try:
        response = httpx.get(server.base_url + "/metrics", timeout=5)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    statements = requests = 0.0
    seen = False
    for line in response.text.splitlines():
        if line.startswith("dxgraph_db_statements_total"):
            statements += float(line.rsplit(" ", 1)[1])
            seen = True
        elif line.startswith("dxgraph_requests_total{") and "/metrics" not in line:
            requests += float(line.rsplit(" ", 1)[1])
    return (statements, requests) if seen else None


def measure_once(
    peer: str,
    server: Server,
    request: HttpRequest,
    round_number: int,
    duration_s: float,
    database_url: str,
) -> Run:
    quiesce(server, database_url=database_url)
    before = read_metrics(server) if peer == "dxgraph" else None
    server.reset_peak_rss()
    cpu_before = server.cpu_seconds()
    result = run_wrk(server.base_url, request, connections=CONNECTIONS, duration_s=duration_s)
    cpu_share = (server.cpu_seconds() - cpu_before) / max(result.duration_s, 1e-9)
    run = Run(round_number, result, server.peak_rss_mib(), cpu_share)
    if before is not None:
        after = read_metrics(server)
        if after is not None and after[1] > before[1]:
            run.statements_per_request = (after[0] - before[0]) / (after[1] - before[1])
    if result.failed:
        log(f"    {peer}: {result.failed} failed requests {result.errors}")
    return run


def measure_deployment(
    deployment: Deployment,
    servers: dict[str, Server],
    rounds: int,
    duration_s: float,
    warmup_s: float,
) -> None:
    """Every scenario, every peer, ``rounds`` interleaved rounds."""
    peers = [p for p in PEERS if p in servers]
    deployment.peers = peers
    for peer in peers:
        deployment.idle_rss_mib[peer] = round(servers[peer].rss_mib(), 1)
    for scenario in SCENARIOS:
        log(f"  {scenario.name}: warm-up, then {rounds} rounds × {len(peers)} servers")
        for peer in peers:
            request = request_for(peer, scenario, deployment.apq)
            quiesce(servers[peer], database_url=deployment.url)
            run_wrk(servers[peer].base_url, request, connections=CONNECTIONS, duration_s=warmup_s)
        for n in range(rounds):
            order = peers[n % len(peers) :] + peers[: n % len(peers)]
            for peer in order:
                request = request_for(peer, scenario, deployment.apq)
                run = measure_once(peer, servers[peer], request, n, duration_s, deployment.url)
                deployment.cells.setdefault((peer, scenario.name), Cell()).runs.append(run)
        summary = ", ".join(
            f"{p} {deployment.cells[(p, scenario.name)].rps:.0f}/s "
            f"p50 {deployment.cells[(p, scenario.name)].p50:.1f} ms"
            for p in peers
        )
        log(f"    {summary}")


def profile_dxgraph(
    deployment: Deployment, server: Server, duration_s: float, workdir: Path
) -> None:
    """py-spy on dxgraph while wrk drives each scenario."""
    if profiling.py_spy() is None:
        deployment.notes.append("py-spy not installed: no profile")
        return
    pid = next(
        (p for p in server.pids() if "python" in Path(f"/proc/{p}/exe").resolve().name), None
    )
    if pid is None:
        return
    for scenario in SCENARIOS:
        out = workdir / f"profile-{deployment.backend}-{scenario.name}.txt"
        quiesce(server, database_url=deployment.url)
        spy = profiling.start(pid, duration_s, out)
        time.sleep(0.5)
        run_wrk(
            server.base_url,
            dxgraph_request(scenario, apq=deployment.apq),
            connections=CONNECTIONS,
            duration_s=duration_s,
        )
        try:
            _, err = spy.communicate(timeout=duration_s + 30)
        except subprocess.TimeoutExpired:
            spy.kill()
            continue
        if out.exists():
            deployment.profiles[scenario.name] = profiling.summarize(out)
        else:
            deployment.notes.append(f"py-spy failed: {err.decode(errors='replace')[-300:]}")
            return


# -- the run --------------------------------------------------------------------------------


@dataclass
class Options:
    quick: bool
    backends: list[str]
    scales: list[int]
    rounds: int
    duration_s: float
    warmup_s: float
    postgraphile: bool
    profile: bool


def ensure_peers(options: Options) -> list[str]:
    """PostGraphile's node modules, installed from the lock file when missing."""
    notes: list[str] = []
    if not options.postgraphile:
        return notes
    if shutil.which("node") is None or shutil.which("npm") is None:
        options.postgraphile = False
        notes.append("node/npm not found: PostGraphile skipped")
        return notes
    if not (PEERS_DIR / "node_modules" / "postgraphile").exists():
        log("installing PostGraphile (npm ci in bench/peers) …")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEERS_DIR,
            check=True,
        )
    return notes


@contextlib.contextmanager
def postgres_server(needed: bool) -> Iterator[PostgresServer | None]:
    if not needed:
        yield None
        return
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


def run(options: Options) -> tuple[list[Deployment], dict[str, str], list[str]]:
    notes = ensure_peers(options)
    ensure_wrk()
    os.environ.update(SERVER_ENV)  # the in-process app reads its settings from here too
    deployments: list[Deployment] = []
    versions = {"sqlite": f"SQLite {sqlite3.sqlite_version}"}
    plan = [("sqlite", 1)] if "sqlite" in options.backends else []
    if "postgresql" in options.backends:
        plan += [("postgresql", s) for s in options.scales]
    with (
        tempfile.TemporaryDirectory(prefix="dxgraph-load-") as tmp,
        reaper() as keeper,
        postgres_server("postgresql" in options.backends) as pg,
    ):
        workdir = Path(tmp)
        if pg is not None:
            version = asyncio.run(_pg_admin(pg, "SHOW server_version"))
            versions["postgresql"] = f"PostgreSQL {version.split()[0]}"
        largest = max((s for b, s in plan if b == "postgresql"), default=0)
        for backend, scale in plan:
            deployment = Deployment(backend, scale)
            deployments.append(deployment)
            log(f"{deployment.name}: loading …")
            load_database(deployment, pg if backend == "postgresql" else None, workdir)
            load = deployment.load
            log(f"  loaded in {load['load_s']} s, loader peak {load['loader_peak_rss_mib']} MiB")
            servers = start_servers(keeper, deployment, workdir, options.postgraphile)
            try:
                deployment.apq = detect_apq(servers["dxgraph"])
                floor_file = capture(deployment, servers, workdir)
                if scale == 1:
                    port = free_port()
                    servers["floor"] = keeper.start(
                        "floor",
                        _uvicorn("bench.peers.floor:create_app", port),
                        env={"BENCH_FLOOR_RESPONSES": str(floor_file)},
                        port=port,
                        logdir=workdir,
                    )
                log("  SQL statements in-process …")
                deployment.inprocess = asyncio.run(
                    inprocess.measure(deployment.url, deployment.apq, page_series=scale == 1)
                )
                if backend == "postgresql" and scale == largest:
                    deployment.explain = asyncio.run(
                        inprocess.explain(deployment.url, deployment.inprocess["statements"])
                    )
                measure_deployment(
                    deployment, servers, options.rounds, options.duration_s, options.warmup_s
                )
                if options.profile and scale == 1:
                    log("  profiling dxgraph (py-spy) …")
                    profile_dxgraph(
                        deployment, servers["dxgraph"], max(options.duration_s, 3.0), workdir
                    )
            except Exception:
                for server in servers.values():
                    log(f"--- {server.name} log tail:\n{server.tail()}")
                raise
            finally:
                for server in servers.values():
                    keeper.stop(server)
            if pg is not None and backend == "postgresql" and scale > 1:
                # the largest scales take gigabytes: free them once measured
                asyncio.run(_pg_admin(pg, f"DROP DATABASE IF EXISTS bench_x{scale}"))
    return deployments, versions, notes


# -- the report -----------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ratio_cells(d: Deployment, peer: str, scenario: str, base: str) -> list[str]:
    cell, other = d.cell(peer, scenario), d.cell(base, scenario)
    if cell is None or other is None or not cell.runs or not other.runs:
        return ["—", "—", "—"]
    if peer == base:
        return ["1", "1", "1"]
    return [
        fmt(cell.ratio(other, lambda r: r.result.rps)),
        fmt(cell.ratio(other, lambda r: r.result.p50_ms)),
        fmt(cell.ratio(other, lambda r: r.result.p99_ms)),
    ]


def side_by_side_table(d: Deployment) -> str:
    """Every peer, every scenario: ratios to the floor and to PostGraphile, then the
    medians they come from."""
    lines = [
        "| scenario | server | rps ÷ floor | p50 ÷ floor | p99 ÷ floor | rps ÷ PGL "
        "| p50 ÷ PGL | p99 ÷ PGL | (rps, p50 ms, p99 ms) | SQL/req | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    per_request = d.inprocess.get("per_request", {})
    for scenario in SCENARIOS:
        for peer in d.peers:
            cell = d.cell(peer, scenario.name)
            if cell is None or not cell.runs:
                continue
            floor = _ratio_cells(d, peer, scenario.name, "floor")
            pgl = _ratio_cells(d, peer, scenario.name, "postgraphile")
            sql = ""
            if peer == "dxgraph":
                metric = cell.as_json()["sql_per_request_metrics"]
                sql = fmt(metric, 1) if metric is not None else str(per_request.get(scenario.name))
            lines.append(
                f"| {scenario.name} | {peer} | {' | '.join(floor)} | {' | '.join(pgl)} "
                f"| ({cell.rps:.0f}, {cell.p50:.1f}, {cell.p99:.1f}) | {sql} "
                f"| {cell.peak_rss:.0f} |"
            )
    return "\n".join(lines)


def scale_table(deployments: list[Deployment]) -> str:
    pg = [d for d in deployments if d.backend == "postgresql"]
    if not pg:
        return ""
    base = pg[0]
    header = "| scenario | " + " | ".join(f"×{d.scale} p50 / p99 ms" for d in pg)
    header += " | p50 ×max ÷ ×1 | dxgraph rps ÷ PGL at " + ", ".join(f"×{d.scale}" for d in pg)
    lines = [header + " |", "|---|" + "---:|" * (len(pg) + 2)]
    for scenario in SCENARIOS:
        cells = []
        for d in pg:
            cell = d.cell("dxgraph", scenario.name)
            if cell and cell.runs and cell.rps == 0:
                cells.append("no answer in 10 s")
            else:
                cells.append(f"{cell.p50:.1f} / {cell.p99:.1f}" if cell and cell.runs else "—")
        first, last = base.cell("dxgraph", scenario.name), pg[-1].cell("dxgraph", scenario.name)
        growth = fmt(last.p50 / first.p50) if first and last and first.runs and last.runs else "—"
        if last and last.runs and last.rps == 0:
            growth = "∞"
        vs_pgl = []
        for d in pg:
            cell, other = d.cell("dxgraph", scenario.name), d.cell("postgraphile", scenario.name)
            vs_pgl.append(
                fmt(cell.ratio(other, lambda r: r.result.rps))
                if cell and other and cell.runs and other.runs
                else "—"
            )
        lines.append(f"| {scenario.name} | {' | '.join(cells)} | {growth} | {', '.join(vs_pgl)} |")
    lines += [
        "",
        "| scale | rows | load (s) | loader peak RSS (MiB) | database (MiB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for d in pg:
        rows = d.load.get("rows", "bundled")
        lines.append(
            f"| ×{d.scale} | {rows} | {d.load.get('load_s')} | "
            f"{d.load.get('loader_peak_rss_mib')} | {d.load.get('database_mib', '—')} |"
        )
    return "\n".join(lines)


def goals(deployments: list[Deployment]) -> list[tuple[str, bool | None, str]]:
    """Each goal of the issue: met?, and the figures behind the verdict."""
    out: list[tuple[str, bool | None, str]] = []
    pg1 = next((d for d in deployments if d.backend == "postgresql" and d.scale == 1), None)
    ones = [d for d in deployments if d.scale == 1]
    for d in ones:
        cached, floor = d.cell("dxgraph", "persisted_get"), d.cell("floor", "persisted_get")
        if cached and floor and cached.runs and floor.runs:
            ratio = cached.ratio(floor, lambda r: r.result.rps) or 0.0
            out.append(
                (
                    f"cache path ≥ {GOAL_CACHE_OVER_FLOOR}× floor throughput ({d.backend})",
                    ratio >= GOAL_CACHE_OVER_FLOOR,
                    f"{ratio:.2f}× (APQ GET: {'yes' if d.apq else 'no, plain GET'})",
                )
            )
    if pg1 is not None and "postgraphile" in pg1.peers:
        figures = []
        met = True
        for scenario in SCENARIOS:
            if scenario.persisted_get:
                continue
            cell, other = (
                pg1.cell("dxgraph", scenario.name),
                pg1.cell("postgraphile", scenario.name),
            )
            if cell and other and cell.runs and other.runs:
                ratio = cell.ratio(other, lambda r: r.result.rps) or 0.0
                met &= ratio >= GOAL_UNCACHED_OVER_PGL
                figures.append(f"{scenario.name} {ratio:.2f}×")
        out.append(
            ("uncached ≥ 1.0× PostGraphile throughput (PostgreSQL ×1)", met, ", ".join(figures))
        )
    worst = [
        (d.name, s.name, c.p99)
        for d in deployments
        for s in SCENARIOS
        if (c := d.cell("dxgraph", s.name)) is not None and c.runs
    ]
    over = [w for w in worst if w[2] >= GOAL_P99_MS]
    out.append(
        (
            f"p99 < {GOAL_P99_MS:.0f} ms at {CONNECTIONS} connections (dxgraph)",
            not over,
            "; ".join(f"{n} {s} {p:.0f} ms" for n, s, p in over[:8]) or "all below",
        )
    )
    series = [
        (d.name, name, counts)
        for d in ones
        for name, counts in (d.inprocess.get("page_series") or {}).items()
    ]
    # A loader that finds no key sends nothing: a page of 1 may skip a relation a page of
    # 20 needs. Constant means bounded: at most 2 statements more from first: 1 to 100.
    growing = [
        (n, name, c)
        for n, name, c in series
        if (counts := [v for v in c.values() if isinstance(v, int)])
        and max(counts) - min(counts) > 2
    ]
    out.append(
        (
            "SQL statements per request constant in page size (first 1 → 100, ±2)",
            not growing if series else None,
            "; ".join(f"{n} {name}: {c}" for n, name, c in growing)
            or "; ".join(f"{name}: {c}" for _, name, c in series[:3]),
        )
    )
    pg = [d for d in deployments if d.backend == "postgresql"]
    if len(pg) > 1:
        growth = []
        for scenario in SCENARIOS:
            first, last = (
                pg[0].cell("dxgraph", scenario.name),
                pg[-1].cell("dxgraph", scenario.name),
            )
            if first and last and first.runs and last.runs:
                # no answer within wrk's timeout at the largest scale: unbounded growth
                ratio = last.p50 / first.p50 if last.rps else float("inf")
                growth.append((scenario.name, ratio))
        out.append(
            (
                f"p50 growth ≤ {GOAL_P50_GROWTH:.0f}× from ×1 to ×{pg[-1].scale} (PostgreSQL)",
                all(g <= GOAL_P50_GROWTH for _, g in growth),
                ", ".join(f"{n} {g:.1f}×" for n, g in growth),
            )
        )
    rss = [
        (d.name, c.peak_rss)
        for d in deployments
        for s in SCENARIOS
        if (c := d.cell("dxgraph", s.name)) is not None and c.runs
    ]
    if rss:
        name, peak = max(rss, key=lambda x: x[1])
        out.append(
            (
                f"server RSS < {GOAL_RSS_MIB:.0f} MiB per worker",
                peak < GOAL_RSS_MIB,
                f"peak {peak:.0f} MiB ({name})",
            )
        )
    return out


def profile_table(d: Deployment) -> str:
    if not d.profiles:
        return ""
    layers = sorted({layer for p in d.profiles.values() for layer in p.get("layers", {})})
    order = sorted(layers, key=lambda la: -sum(p["layers"].get(la, 0) for p in d.profiles.values()))
    lines = [
        "| layer (innermost frame) | " + " | ".join(d.profiles) + " |",
        "|---|" + "---:|" * len(d.profiles),
    ]
    for layer in order:
        cells = [f"{p['layers'].get(layer, 0) * 100:.0f}%" for p in d.profiles.values()]
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def explain_summary(d: Deployment) -> str:
    rows = []
    for scenario, plans in d.explain.items():
        for plan in plans:
            for scan in plan["seq_scans"]:
                if scan["rows"] + scan["removed_by_filter"] >= 1000:
                    rows.append(
                        f"| {scenario} | `{scan['table']}` | {scan['rows']} "
                        f"| {scan['removed_by_filter']} | {scan['ms']:.1f} "
                        f"| {plan['execution_ms']:.1f} |"
                    )
    if not rows:
        return "No sequential scan over 1000 rows in any scenario's statements."
    return "\n".join(
        [
            "| scenario | table | rows kept | rows removed by filter | scan ms | statement ms |",
            "|---|---|---:|---:|---:|---:|",
            *rows,
        ]
    )


def report_markdown(report: dict[str, Any], deployments: list[Deployment]) -> str:
    parts = [
        describe(report),
        "",
        f"{'Quick run' if report['quick'] else 'Full run'}: wrk -c{CONNECTIONS} -t1, "
        f"{report['duration_s']:g} s per run, {report['rounds']} interleaved rounds "
        f"(medians; ratios taken within a round); one server worker. "
        f"Versions: {', '.join(report['server_versions'].values())}, PostGraphile "
        f"{report.get('postgraphile_version') or '—'}.",
    ]
    for d in deployments:
        if d.scale != 1:
            continue
        parts += [
            "",
            f"#### {report['server_versions'][d.backend]} ×1 — side by side",
            "",
            f"APQ GET: {'yes' if d.apq else 'no (plain GET ?query=)'}. "
            "Ratios: rps higher is better, latency lower is better. "
            "SQL/req from /metrics under load (in-process count where /metrics is absent).",
            "",
            side_by_side_table(d),
        ]
        if d.profiles:
            parts += [
                "",
                f"Where dxgraph's CPU goes ({d.backend} ×1, py-spy, share of samples):",
                "",
                profile_table(d),
            ]
    scale = scale_table(deployments)
    if scale:
        parts += ["", "#### PostgreSQL at scale — dxgraph", "", scale]
    explained = [d for d in deployments if d.explain]
    for d in explained:
        parts += [
            "",
            f"Sequential scans in dxgraph's statements at ×{d.scale} (EXPLAIN ANALYZE):",
            "",
            explain_summary(d),
        ]
    parts += ["", "#### Goals", "", "| goal | verdict | figures |", "|---|---|---|"]
    for goal, met, figures in report["goals"]:
        verdict = "—" if met is None else ("PASS" if met else "**MISS**")
        parts.append(f"| {goal} | {verdict} | {figures} |")
    notes = [n for d in deployments for n in (f"{d.name}: {x}" for x in d.notes)]
    notes += report["notes"]
    if notes:
        parts += ["", "Notes:", "", *(f"- {n}" for n in notes)]
    return "\n".join(parts)


def update_readme(section: str, quick: bool) -> None:
    begin, end_marker = MARKERS[quick]
    body = f"{begin}\n{section}\n{end_marker}"
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = current.find(begin), current.find(end_marker)
    if start == -1 or end < start:
        title = "Latest quick run" if quick else "Latest full run"
        updated = current.rstrip("\n") + f"\n\n### {title}\n\n" + body + "\n"
    else:
        updated = current[:start] + body + current[end + len(end_marker) :]
    README.write_text(updated, encoding="utf-8")


def write_json(report: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if report["quick"] else ""
    path = RESULTS_DIR / f"load-{report['date']}{suffix}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    tmp.replace(path)
    return path


def postgraphile_version() -> str | None:
    package = PEERS_DIR / "node_modules" / "postgraphile" / "package.json"
    with contextlib.suppress(OSError, ValueError):
        return str(json.loads(package.read_text())["version"])
    return None


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="short runs, ×1 and ×10 only")
    parser.add_argument("--scales", help="PostgreSQL scales, e.g. 1,10,100,1000")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3; quick 2)")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 10; quick 3)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per server (3; quick 1)")
    parser.add_argument("--no-postgraphile", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - set(BACKENDS):
        parser.error(f"--backends: a subset of {','.join(BACKENDS)}")
    if args.scales:
        try:
            scales = sorted({int(s) for s in args.scales.split(",")})
        except ValueError:
            parser.error("--scales: comma-separated integers")
        if not scales or scales[0] < 1:
            parser.error("--scales: integers ≥ 1")
    else:
        scales = list(QUICK_SCALES if args.quick else FULL_SCALES)
    if 1 not in scales:
        scales.insert(0, 1)  # every ratio and growth figure is taken against ×1
    rounds = args.rounds or (2 if args.quick else 3)
    duration = args.duration or (3.0 if args.quick else 10.0)
    if rounds < 1 or duration < 1:
        parser.error("--rounds and --duration must be at least 1")
    return Options(
        quick=args.quick,
        backends=backends,
        scales=scales,
        rounds=rounds,
        duration_s=duration,
        warmup_s=args.warmup or (1.0 if args.quick else 3.0),
        postgraphile=not args.no_postgraphile,
        profile=not args.no_profile,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    started = time.perf_counter()
    try:
        deployments, versions, notes = run(options)
    except KeyboardInterrupt:
        log("interrupted: servers stopped, temporary databases removed")
        return 130
    commit, dirty = git_commit()
    report: dict[str, Any] = {
        "benchmark": "load",
        "quick": options.quick,
        "date": datetime.now(UTC).date().isoformat(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "git_commit": commit,
        "git_dirty": dirty,
        "connections": CONNECTIONS,
        "rounds": options.rounds,
        "duration_s": options.duration_s,
        "scales": options.scales,
        "server_versions": versions,
        "postgraphile_version": postgraphile_version() if options.postgraphile else None,
        "bench_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "deployments": [d.as_json() for d in deployments],
        "notes": notes,
    }
    report["goals"] = goals(deployments)
    path = write_json(report)
    section = report_markdown(report, deployments)
    update_readme(section, options.quick)
    print(section)
    print(f"\nwrote {path.relative_to(PROJECT_ROOT)}; updated {README.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
