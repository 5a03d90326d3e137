"""The floor peer: a bare Starlette endpoint that returns dxgraph's own response bytes.

The bench captures dxgraph's answer to each scenario first and writes them to the JSON
file named by ``BENCH_FLOOR_RESPONSES`` (request key → body, base64); this app reads the
request the way dxgraph must (method, query string, body), looks the answer up and sends
it. What it costs is HTTP, Starlette and uvicorn: the least any Python server can do.

Run: ``BENCH_FLOOR_RESPONSES=… uvicorn --factory bench.peers.floor:create_app``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def request_key(method: str, query_string: str, body: bytes) -> str:
    """What identifies a request: a GET by its query string, a POST by its query text
    (the body also carries the bench's nonce variable, which changes every request)."""
    if method == "GET":
        return f"GET?{query_string}"
    query = json.loads(body).get("query") or ""
    return f"POST#{hashlib.sha256(query.encode()).hexdigest()}"


def create_app(responses_file: str | None = None) -> Starlette:
    path = Path(responses_file or os.environ["BENCH_FLOOR_RESPONSES"])
    stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    answers = {key: base64.b64decode(body) for key, body in stored.items()}

    async def graphql(request: Request) -> Response:
        body = await request.body()
        found = answers.get(request_key(request.method, request.url.query, body))
        if found is None:
            return Response(b'{"errors":[{"message":"unknown request"}]}', status_code=404)
        return Response(found, media_type="application/json")

    async def healthz(_request: Request) -> Response:
        return Response(b"ok", media_type="text/plain")

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
    )
