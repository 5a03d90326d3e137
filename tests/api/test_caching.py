"""Automatic persisted queries, ETags, and the response cache's freshness (CLI.md)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from pathlib import Path

import httpx

from devkit.client import app_client, error_codes, statements
from devkit.redisserver import redis_server
from tests.conftest import load_into, subset_manifest

QUERY = """query KinhTeSo($first: Int) {
  questions(first: $first, filter: {search: "kinh te so"}) { totalCount nodes { id text } }
}"""
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
PERSISTED = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": HASH}})
VARIABLES = json.dumps({"first": 5})


async def persisted_get(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.get(
        "/graphql",
        params={"extensions": PERSISTED, "variables": VARIABLES, "operationName": "KinhTeSo"},
        headers=headers,
    )


async def register(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={
            "query": QUERY,
            "variables": {"first": 5},
            "operationName": "KinhTeSo",
            "extensions": json.loads(PERSISTED),
        },
    )


async def test_apq_round_trip_with_etag_and_304(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        unknown = await persisted_get(client)
        registered = await register(client)
        first = await persisted_get(client)
        before = statements(client)
        again = await persisted_get(client, **{"If-None-Match": first.headers["etag"]})
        stale = await persisted_get(client, **{"If-None-Match": '"something-else"'})
        served_from_cache = statements(client) == before
    assert error_codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert registered.status_code == 200
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=60"
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["etag"])
    assert first.json() == registered.json()
    nodes = first.json()["data"]["questions"]["nodes"]
    assert len(nodes) == 5 and any("Kinh tế số" in n["text"] for n in nodes)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert stale.status_code == 200
    assert stale.json() == first.json()
    assert served_from_cache


async def test_a_query_that_does_not_match_its_hash_is_refused(db_url: str) -> None:
    async with app_client(db_url) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": "{ pillars { code } }",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": HASH}},
            },
        )
        later = await persisted_get(client)
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert error_codes(later.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_repeated_queries_are_served_without_executing(loaded_url: str) -> None:
    body = {"query": QUERY, "variables": {"first": 3}}
    async with app_client(loaded_url) as client:
        first = await client.post("/graphql", json=body)
        before = statements(client)
        second = await client.post("/graphql", json=body)
        hit_statements = statements(client) - before
        other = await client.post("/graphql", json={**body, "variables": {"first": 4}})
        metrics = (await client.get("/metrics")).text
    assert second.json() == first.json()
    assert hit_statements == 0
    assert len(other.json()["data"]["questions"]["nodes"]) == 4
    assert "dxgraph_cache_hits_total 1.0" in metrics
    assert "dxgraph_cache_misses_total 2.0" in metrics


async def _count_until_changed(client: httpx.AsyncClient, old: int) -> tuple[int, float]:
    started = time.monotonic()
    while time.monotonic() - started < 10:
        body = (
            await client.post("/graphql", json={"query": "{ questions { totalCount } }"})
        ).json()
        count: int = body["data"]["questions"]["totalCount"]
        if count != old:
            return count, time.monotonic() - started
        await asyncio.sleep(0.1)
    return old, time.monotonic() - started


async def test_a_load_that_changes_content_is_seen_within_5_seconds(
    db_url: str, tmp_path: Path
) -> None:
    await load_into(db_url)
    async with app_client(db_url) as client:
        full = (
            await client.post("/graphql", json={"query": "{ questions { totalCount } }"})
        ).json()["data"]["questions"]["totalCount"]
        etag = (
            await client.get("/graphql", params={"query": "{ questions { totalCount } }"})
        ).headers["etag"]
        await load_into(db_url, subset_manifest(tmp_path, 1))
        count, seconds = await _count_until_changed(client, full)
        after = await client.get(
            "/graphql",
            params={"query": "{ questions { totalCount } }"},
            headers={"If-None-Match": etag},
        )
    assert 0 < count < full
    assert seconds < 5
    assert after.status_code == 200  # the old ETag no longer matches
    assert after.json()["data"]["questions"]["totalCount"] == count


async def test_instances_share_the_cache_and_persisted_queries_through_redis(
    loaded_url: str,
) -> None:
    with redis_server() as redis_url:
        async with (
            app_client(loaded_url, redis_url=redis_url) as a,
            app_client(loaded_url, redis_url=redis_url) as b,
        ):
            await register(a)
            before = statements(b)
            from_b = await persisted_get(b)
            b_statements = statements(b) - before
    assert from_b.status_code == 200
    assert len(from_b.json()["data"]["questions"]["nodes"]) == 5
    assert b_statements == 0  # known to b through Redis, answered from the shared cache


async def test_without_redis_each_instance_has_its_own_cache(loaded_url: str) -> None:
    async with app_client(loaded_url) as a, app_client(loaded_url) as b:
        await register(a)
        from_b = await persisted_get(b)
    assert error_codes(from_b.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
