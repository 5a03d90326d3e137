"""Bytes on the wire and what coding them costs (``python -m bench.wire``).

Loads the bundled sources into a temporary SQLite file and asks the citizen app's page,
``questions(first: 20) { nodes { text answer } }``, through the app in process
(``devkit.client.app_client``, no network). Prints the answer's size as ASCII-escaped JSON
(what dxgraph sent before issue 17), as UTF-8 JSON, gzipped and brotli-coded as served,
and the median time of an uncached request (fresh nonce) and of a cache hit, each with
and without ``Accept-Encoding``. A measurement, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]
import httpx

from api.compression import BROTLI_QUALITY, GZIP_LEVEL
from bench.databases import loaded_sqlite
from bench.scenarios import NONCE_VARIABLE, UNLIMITED_RATE
from devkit.client import app_client

PAGE = "{ questions(first: 20) { nodes { text answer } } }"


async def _raw(client: httpx.AsyncClient, coding: str, nonce: str | None) -> tuple[float, bytes]:
    params = {"query": PAGE}
    if nonce is not None:
        # an undeclared variable is ignored by execution but keys the response cache
        params["variables"] = json.dumps({NONCE_VARIABLE: nonce})
    start = time.perf_counter()
    async with client.stream(
        "GET", "/graphql", params=params, headers={"Accept-Encoding": coding}
    ) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return time.perf_counter() - start, raw


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _compress_us(body: bytes, work: Any, repeat: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        work(body)
    return (time.perf_counter() - start) / repeat * 1e6


async def run(repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as workdir:
        url = await loaded_sqlite(Path(workdir), "wire.sqlite")
        async with app_client(url, anon_rate_limit=UNLIMITED_RATE) as client:
            _, plain = await _raw(client, "identity", None)
            _, gz = await _raw(client, "gzip", None)
            _, br = await _raw(client, "br", None)
            times: dict[str, list[float]] = {}
            for i in range(repeat):  # interleaved, so each kind sees the same machine
                for coding in ("identity", "gzip", "br"):
                    elapsed, _ = await _raw(client, coding, f"{i}-{coding}")
                    times.setdefault(f"uncached {coding}", []).append(elapsed)
                    elapsed, _ = await _raw(client, coding, None)
                    times.setdefault(f"hit {coding}", []).append(elapsed)
    escaped = json.dumps(json.loads(plain), separators=(",", ":")).encode("ascii")
    return {
        "bytes": {
            "ascii-escaped JSON (before)": len(escaped),
            "UTF-8 JSON": len(plain),
            f"gzip (level {GZIP_LEVEL})": len(gz),
            f"br (quality {BROTLI_QUALITY})": len(br),
        },
        "gzip ÷ before": round(len(gz) / len(escaped), 3),
        "br ÷ before": round(len(br) / len(escaped), 3),
        "coding µs": {
            f"gzip {level}": round(
                _compress_us(plain, lambda b, lv=level: gzip.compress(b, lv, mtime=0))
            )
            for level in (1, 6, 9)
        }
        | {
            f"br {quality}": round(
                _compress_us(plain, lambda b, q=quality: brotli.compress(b, quality=q), 50)
            )
            for quality in (1, 4, 5, 6, 9)
        },
        "request ms (median)": {name: round(_median_ms(s), 2) for name, s in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.repeat)), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
