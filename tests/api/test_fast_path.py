"""Cache hits of ``GET /graphql`` answered before routing (api.graphql.CachedGets), with
admission, ETags, coding, metrics and the log line as on the long way."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from api.cache import MemoryStore, ResponseCache
from api.graphql import GraphQLEndpoint
from devkit.client import app_client

pytestmark = pytest.mark.rate_window

QUERY = "query Page { questions(first: 20) { nodes { text answer } } }"


@pytest.fixture
def long_way(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The methods of requests that reached the endpoint through routing."""
    calls: list[str] = []
    respond = GraphQLEndpoint.respond

    async def counted(self: GraphQLEndpoint, request: Any) -> Any:
        calls.append(request.method)
        return await respond(self, request)

    monkeypatch.setattr(GraphQLEndpoint, "respond", counted)
    return calls


async def get(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.get("/graphql", params={"query": QUERY}, headers=headers)


def _metric(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert match, sample
    return float(match.group(1))


async def test_a_hit_skips_routing_and_answers_as_the_long_way(
    loaded_url: str, long_way: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    async with app_client(loaded_url) as client:
        miss = await get(client, **{"Accept-Encoding": "gzip"})
        capsys.readouterr()
        hit = await get(client, **{"Accept-Encoding": "gzip", "X-Request-ID": "fast-1"})
        log = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
        not_modified = await get(
            client, **{"Accept-Encoding": "gzip", "If-None-Match": miss.headers["etag"]}
        )
        metrics = (await client.get("/metrics")).text
    assert long_way == ["GET"]  # only the miss went through routing
    assert hit.status_code == 200 and hit.json() == miss.json()
    assert len(hit.json()["data"]["questions"]["nodes"]) == 20
    # the same headers as the long way's answer (the hit writes its own ASGI messages)
    assert sorted(hit.headers.keys()) == sorted(miss.headers.keys())
    for header in ("etag", "cache-control", "content-encoding", "content-type", "vary"):
        assert hit.headers[header] == miss.headers[header], header
    assert hit.headers["content-length"] == miss.headers["content-length"]
    assert {"accept-encoding", "origin"} <= {
        v.strip().lower() for v in hit.headers["vary"].split(",")
    }
    assert hit.headers["ratelimit-remaining"] == str(int(miss.headers["ratelimit-remaining"]) - 1)
    assert hit.headers["x-request-id"] == "fast-1"
    assert not_modified.status_code == 304 and not_modified.content == b""
    [line] = [entry for entry in log if entry["event"] == "request"]
    assert (line["request_id"], line["operation"], line["cache"], line["status"]) == (
        "fast-1",
        "Page",
        "hit",
        200,
    )
    assert _metric(metrics, "dxgraph_cache_hits_total") == 2
    assert _metric(metrics, 'dxgraph_requests_total{operation="Page",status="200"}') == 2


async def test_a_hit_is_still_rate_limited(loaded_url: str, long_way: list[str]) -> None:
    async with app_client(loaded_url, anon_rate_limit="3/minute") as client:
        answers = [await get(client) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert long_way == ["GET"]
    refused = answers[3]
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_dropped_entry_goes_the_long_way_counted_once(
    loaded_url: str, long_way: list[str]
) -> None:
    async with app_client(loaded_url, anon_rate_limit="10/minute") as client:
        first = await get(client)
        client.app_state.response_cache = ResponseCache(MemoryStore(1 << 20))  # type: ignore[attr-defined]
        again = await get(client)
    assert long_way == ["GET", "GET"]
    assert again.json() == first.json()
    assert (
        int(again.headers["ratelimit-remaining"]) == int(first.headers["ratelimit-remaining"]) - 1
    )


async def test_cors_requests_go_the_long_way(db_url: str, long_way: list[str]) -> None:
    origin = "https://congdanso.example"
    async with app_client(db_url, cors_origins=origin) as client:
        await get(client)
        await get(client)
        cors = await get(client, Origin=origin)
    assert long_way == ["GET", "GET"]
    assert cors.headers["access-control-allow-origin"] == origin
