"""``dxgraph serve`` with several workers: one per CPU by default, and a ``/metrics`` that
is whole across them (prometheus_client's multiprocess mode, api.metrics)."""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from api.cli import app as cli
from api.cli import default_workers
from api.metrics import MULTIPROCESS_DIR_ENV, multiprocess_directory
from conformance.server import free_port, live_server, serve_command

QUERY = {"query": "query Workers { pillars { code } }"}
REQUESTS = 40


def _value(metrics: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{sample} not in /metrics"
    return float(match.group(1))


def _pids(directory: Path) -> set[str]:
    """The processes that wrote metric files (``counter_<pid>.db``, …)."""
    return {p.stem.rsplit("_", 1)[1] for p in directory.glob("*.db")}


def _fresh_connection(base: str, method: str, path: str, json: object = None) -> httpx.Response:
    # a new connection each time, so the kernel hands them to either worker
    with httpx.Client(base_url=base, timeout=10) as client:
        return client.request(method, path, json=json)


def test_two_workers_answer_one_whole_metrics_page(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    port = free_port()
    with live_server(
        tmp_path / "dxgraph.db",
        tmp_path / "serve.log",
        command=[*serve_command(port), "--workers", "2"],
        port=port,
        env={MULTIPROCESS_DIR_ENV: str(metrics_dir)},
    ) as base:
        deadline = time.monotonic() + 60
        while len(_pids(metrics_dir)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # /readyz answered once the first worker was up
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(
                pool.map(
                    lambda _: _fresh_connection(base, "POST", "/graphql", QUERY),
                    range(REQUESTS),
                )
            )
        pages = [_fresh_connection(base, "GET", "/metrics") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * REQUESTS
    assert all(a.json()["data"]["pillars"] for a in answers)
    assert len(_pids(metrics_dir)) >= 2  # both workers write their samples
    for page in pages:  # whichever worker answers /metrics, it counts every worker's
        text = page.text
        assert page.status_code == 200
        assert _value(text, 'dxgraph_requests_total{operation="Workers",status="200"}') == REQUESTS
        hits = _value(text, "dxgraph_cache_hits_total")
        misses = _value(text, "dxgraph_cache_misses_total")
        assert hits + misses == REQUESTS
        assert 1 <= misses <= 2  # each worker's cache misses once at most
        assert _value(text, "dxgraph_db_statements_total") > 0


def test_serve_runs_one_worker_per_cpu_by_default_when_limits_are_shared(
    loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[dict[str, object]] = []

    def run(_target: str, **options: object) -> None:
        # what a worker would inherit
        runs.append({**options, "env": os.environ.get(MULTIPROCESS_DIR_ENV)})

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.delenv(MULTIPROCESS_DIR_ENV, raising=False)
    monkeypatch.delenv("DXGRAPH_DB_POOL_SIZE", raising=False)
    runner = CliRunner()
    env = {"DATABASE_URL": loaded_url}
    # Redis configured (never reached: uvicorn.run is the stand-in): shared limits
    shared = {**env, "DXGRAPH_REDIS_URL": "redis://127.0.0.1:9/0"}
    assert runner.invoke(cli, ["serve"], env=shared).exit_code == 0
    assert runner.invoke(cli, ["serve", "--workers", "1"], env=env).exit_code == 0
    assert runner.invoke(cli, ["serve", "--workers", "3"], env=env).exit_code == 0
    # without Redis each worker would keep its own rate-limit counts: one by default
    assert runner.invoke(cli, ["serve"], env=env).exit_code == 0
    assert [r["workers"] for r in runs] == [len(os.sched_getaffinity(0)), 1, 3, 1]
    assert default_workers(shared_limits=True) == len(os.sched_getaffinity(0))
    assert runs[1]["env"] is None  # one worker: plain single-process metrics
    assert isinstance(runs[2]["env"], str)
    assert not Path(runs[2]["env"]).exists()  # removed when serve returned
    assert MULTIPROCESS_DIR_ENV not in os.environ
    assert "DXGRAPH_DB_POOL_SIZE" not in os.environ


def test_multiprocess_directory_keeps_an_operators_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROCESS_DIR_ENV, str(tmp_path))
    with multiprocess_directory() as directory:
        assert directory == str(tmp_path)
    assert tmp_path.is_dir()
