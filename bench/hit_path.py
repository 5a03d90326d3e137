"""What a cache hit of a persisted GET costs inside the app: ``python -m bench.hit_path``.

Loads the bundled sources into a temporary SQLite file, registers the citizen Q&A query
as an Apollo persisted query, then calls the whole ASGI app directly (no server, no HTTP
client: the scope and messages are built here) with the persisted GET that ``bench.run``
sends, alternating rounds with the pure ASGI hit path on and off
(``api.graphql.CachedGets``; off = every request goes the long way through CORS, routing,
decoding and the persisted-query lookup, as before issue 17). Prints µs per hit for each
and their ratio per round. A measurement, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import api.graphql
from api.app import create_app
from api.settings import Settings
from bench.databases import loaded_sqlite
from bench.scenarios import BY_NAME, UNLIMITED_RATE, HttpRequest, apq_register, dxgraph_request


async def _call(app: Any, request: HttpRequest) -> int:
    path, _, query = request.path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers]
        + [(b"host", b"bench")]
        + ([(b"content-length", str(len(request.body)).encode())] if request.body else []),
        "client": ("127.0.0.1", 40000),
        "server": ("bench", 80),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def run(rounds: int, hits: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = await loaded_sqlite(Path(folder), "hits.db")
        app = create_app(Settings(database_url=url, anon_rate_limit=UNLIMITED_RATE))
        scenario = BY_NAME["citizen_qa"]
        register = apq_register(scenario.query, scenario.variables)
        persisted = dxgraph_request(BY_NAME["persisted_get"], apq=True)
        per_hit: dict[str, list[float]] = {"hit path on": [], "hit path off": []}
        async with app.router.lifespan_context(app):
            assert await _call(app, register) == 200
            for _ in range(rounds):
                for label in per_hit:
                    off = label.endswith("off")
                    # off: no GET is eligible, so none is filed and none answered early
                    switch = (
                        mock.patch.object(api.graphql, "_fast_path_eligible", lambda _s: False)
                        if off
                        else contextlib.nullcontext()
                    )
                    with switch:
                        assert await _call(app, persisted) == 200  # warm: a miss files it
                        start = time.perf_counter()
                        for _ in range(hits):
                            await _call(app, persisted)
                        per_hit[label].append((time.perf_counter() - start) / hits * 1e6)
    on_us, off_us = per_hit["hit path on"], per_hit["hit path off"]
    return {
        "µs per hit (median of rounds)": {
            k: round(statistics.median(v), 1) for k, v in per_hit.items()
        },
        "on ÷ off per round": [round(a / b, 2) for a, b in zip(on_us, off_us, strict=True)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hits", type=int, default=2000)
    args = parser.parse_args()
    print(asyncio.run(run(args.rounds, args.hits)))


if __name__ == "__main__":
    main()
