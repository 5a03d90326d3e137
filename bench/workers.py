"""One worker against the default (one per CPU): ``python -m bench.workers``.

Starts ``dxgraph serve --workers 1`` and ``dxgraph serve`` (the default) side by side on
one SQLite file holding the bundled sources, then runs wrk against each in turn, rounds
interleaved so both see the same machine: the citizen Q&A page uncached (a fresh nonce
per request) and as a persisted GET (the cache path), each with and without
``Accept-Encoding: gzip``. Prints requests/s, p50 and p99, and the ratio default ÷ one
worker within each round. A measurement, not a timed test; on a machine whose cores
also run wrk, the default's gain is bounded by what wrk leaves free.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from api.cli import default_workers
from bench.scenarios import BY_NAME, HttpRequest, apq_register, dxgraph_request
from bench.wrk import ensure_wrk, run_wrk
from conformance.server import free_port, live_server, serve_command

BIN = Path(sys.executable).parent


def _gzip(request: HttpRequest) -> HttpRequest:
    return HttpRequest(
        request.method,
        request.path,
        request.body,
        (*request.headers, ("Accept-Encoding", "gzip")),
        request.varying,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    ensure_wrk()
    scenario = BY_NAME["citizen_qa"]
    requests = {
        "citizen_qa uncached": dxgraph_request(scenario, apq=False),
        "persisted_get": dxgraph_request(BY_NAME["persisted_get"], apq=True),
    }
    requests |= {f"{name} gzip": _gzip(r) for name, r in list(requests.items())}
    register = apq_register(scenario.query, scenario.variables)
    figures: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        db = Path(folder) / "workers.db"
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
        subprocess.run([str(BIN / "dxgraph"), "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([str(BIN / "dxgraph"), "load"], env=env, check=True, capture_output=True)
        bases: dict[str, str] = {}
        per_cpu = str(default_workers(shared_limits=True))
        for label, extra in (("1 worker", ["--workers", "1"]), ("default", ["--workers", per_cpu])):
            port = free_port()
            bases[label] = stack.enter_context(
                live_server(db, Path(folder) / f"{port}.log", [*serve_command(port), *extra], port)
            )
            httpx.post(
                bases[label] + register.path,
                content=register.body,
                headers=dict(register.headers),
                timeout=10,
            ).raise_for_status()
        for _ in range(args.rounds):
            for name, request in requests.items():
                for label, base in bases.items():
                    result = run_wrk(
                        base, request, connections=args.connections, duration_s=args.duration
                    )
                    figures.setdefault(name, {}).setdefault(label, []).append(
                        (result.requests / result.duration_s, result.p50_ms, result.p99_ms)
                    )
    # "default" is the default of a deployment with Redis (one worker per CPU); without
    # Redis serve defaults to one worker
    report: dict[str, object] = {"default workers": default_workers(shared_limits=True)}
    for name, by_label in figures.items():
        one, default = by_label["1 worker"], by_label["default"]
        report[name] = {
            label: {
                "rps": round(statistics.median(r[0] for r in runs)),
                "p50 ms": round(statistics.median(r[1] for r in runs), 1),
                "p99 ms": round(statistics.median(r[2] for r in runs), 1),
            }
            for label, runs in by_label.items()
        } | {
            "rps default ÷ 1 worker (per round)": [
                round(d[0] / o[0], 2) for o, d in zip(one, default, strict=True)
            ]
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
