"""API keys and rate limits over HTTP: per-key limits, revocation, shared Redis limits."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from api.keys import create_key, list_keys, revoke_key
from devkit.client import app_client, error_codes, with_sessions
from devkit.redisserver import redis_server

pytestmark = pytest.mark.rate_window

QUERY = {"query": "{ pillars { code } }"}


async def test_key_limit_then_429_then_revoked_401(db_url: str) -> None:
    key = await with_sessions(db_url, lambda m: create_key(m, "app", "3/minute"))
    headers = {"X-API-Key": key}
    async with app_client(db_url, anon_rate_limit="1000/minute") as client:
        ok = [(await client.post("/graphql", json=QUERY, headers=headers)) for _ in range(3)]
        over = await client.post("/graphql", json=QUERY, headers=headers)
        anonymous = await client.post("/graphql", json=QUERY)  # its own, larger limit
        await with_sessions(db_url, lambda m: revoke_key(m, "app"))
        revoked = await client.post(
            "/graphql", json=QUERY, headers={"Authorization": f"Bearer {key}"}
        )
    assert [r.status_code for r in ok] == [200, 200, 200]
    assert [r.headers["ratelimit-remaining"] for r in ok] == ["2", "1", "0"]
    assert over.status_code == 429
    assert error_codes(over.json()) == ["RATE_LIMITED"]
    assert int(over.headers["retry-after"]) >= 1
    assert anonymous.status_code == 200
    assert revoked.status_code == 401
    assert error_codes(revoked.json()) == ["UNAUTHENTICATED"]


async def test_last_used_is_recorded_without_a_write_per_request(db_url: str) -> None:
    key = await with_sessions(db_url, lambda m: create_key(m, "newsroom", None))
    writes: list[str] = []
    async with app_client(db_url) as client:
        engine = client.app_state.engine  # type: ignore[attr-defined]

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
            if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
                writes.append(statement)

        for _ in range(5):
            response = await client.post("/graphql", json=QUERY, headers={"X-API-Key": key})
            assert response.status_code == 200
        pending = len(client.app_state.last_used)  # type: ignore[attr-defined]
    # leaving the app flushed the buffer: one write for five requests, off the request path
    keys = await with_sessions(db_url, list_keys)
    assert writes == []
    assert pending == 1
    assert keys[0].name == "newsroom" and keys[0].last_used_at is not None


async def test_instances_share_a_limit_through_redis(db_url: str) -> None:
    with redis_server() as redis_url:
        async with (
            app_client(db_url, anon_rate_limit="4/minute", redis_url=redis_url) as a,
            app_client(db_url, anon_rate_limit="4/minute", redis_url=redis_url) as b,
        ):
            statuses = []
            for client in (a, b, a, b, a, b):
                statuses.append((await client.post("/graphql", json=QUERY)).status_code)
            metrics = (await a.get("/metrics")).text
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert 'dxgraph_rate_limit_rejections_total{caller="anonymous"} 1.0' in metrics


async def test_without_redis_each_instance_limits_alone(db_url: str) -> None:
    async with (
        app_client(db_url, anon_rate_limit="2/minute") as a,
        app_client(db_url, anon_rate_limit="2/minute") as b,
    ):
        statuses = []
        for client in (a, b, a, b, a, b):
            statuses.append((await client.post("/graphql", json=QUERY)).status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]
