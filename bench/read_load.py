"""Uncached reads under load, this checkout against another: ``python -m bench.read_load``.

Starts ``dxgraph serve --workers 1`` twice on the same loaded database — once with this
checkout's code, once with ``--against TREE``'s (``git archive <commit> | tar -x -C TREE``;
``PYTHONPATH`` picks the code, the venv is this one) — and runs ``wrk -c16`` against each
in turn for every uncached scenario but search (fresh nonce per request), rounds
interleaved so both see the same machine. Prints requests/s, p50 and p99 and the ratio
this ÷ other within each round. SQLite, and PostgreSQL with ``--postgres``. A
measurement, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.databases import loaded_sqlite
from bench.read_path import _load_postgres, _postgres
from bench.scenarios import BY_NAME, UNLIMITED_RATE, dxgraph_request
from bench.wrk import ensure_wrk, run_wrk
from conformance.server import free_port, live_server, serve_command

SCENARIOS = ("citizen_qa", "internal_tasks", "nested")
HERE = Path(__file__).resolve().parent.parent


def _measure(database: Path, url: str, tree: Path, rounds: int, duration: float) -> dict[str, Any]:
    figures: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        bases: dict[str, str] = {}
        for label, code in (("other", tree), ("this", HERE)):
            port = free_port()
            env = {"DATABASE_URL": url, "PYTHONPATH": str(code)}
            env["DXGRAPH_ANON_RATE_LIMIT"] = UNLIMITED_RATE
            command = [*serve_command(port), "--workers", "1"]
            log = Path(folder) / f"{label}.log"
            bases[label] = stack.enter_context(live_server(database, log, command, port, env))
        for _ in range(rounds):
            for name in SCENARIOS:
                request = dxgraph_request(BY_NAME[name], apq=False)
                for label, base in bases.items():
                    result = run_wrk(base, request, connections=16, duration_s=duration)
                    figures.setdefault(name, {}).setdefault(label, []).append(
                        (result.requests / result.duration_s, result.p50_ms, result.p99_ms)
                    )
    return {
        name: {
            label: {
                "rps": round(statistics.median(r[0] for r in runs)),
                "p50 ms": round(statistics.median(r[1] for r in runs), 1),
                "p99 ms": round(statistics.median(r[2] for r in runs), 1),
            }
            for label, runs in by_label.items()
        }
        | {
            "rps this ÷ other (per round)": [
                round(t[0] / o[0], 2)
                for o, t in zip(by_label["other"], by_label["this"], strict=True)
            ]
        }
        for name, by_label in figures.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too")
    args = parser.parse_args()
    ensure_wrk()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = asyncio.run(loaded_sqlite(Path(folder)))
        database = Path(folder) / "reads.db"
        report["sqlite"] = _measure(database, url, args.against, args.rounds, args.duration)
        if args.postgres:
            with _postgres() as server:
                pg = asyncio.run(_load_postgres(server))
                report["postgresql"] = _measure(
                    database, pg, args.against, args.rounds, args.duration
                )
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
