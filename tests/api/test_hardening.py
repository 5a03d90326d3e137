"""Proxies, caching with keys, /metrics, and faults (issue 15).

- the client address comes from the right of X-Forwarded-For, through trusted hops only;
- with keys required, GET answers are private and vary on the credential headers;
- ``/metrics`` can require a bearer token; refused keys spend the anonymous budget;
- a hung Redis costs at most its timeout per call and /readyz says so; a statement past
  ``DXGRAPH_DB_TIMEOUT`` is cancelled (PostgreSQL); a body that trickles in gets 408.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import text

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from devkit.client import app_client, error_codes, with_sessions
from devkit.redisserver import redis_server

QUERY = {"query": "{ pillars { code } }"}


@contextlib.asynccontextmanager
async def client_from(
    address: str, database_url: str, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection comes from ``address`` (as a proxy's would)."""
    app = create_app(Settings(database_url=database_url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.mark.rate_window
async def test_a_spoofed_forwarded_for_through_a_trusted_proxy_picks_no_bucket(
    db_url: str,
) -> None:
    """nginx appends the address it saw; whatever the client wrote before it is ignored."""
    async with client_from(
        "10.0.0.5", db_url, forwarded_allow_ips="10.0.0.5", anon_rate_limit="3/minute"
    ) as proxy:
        statuses = [
            (
                await proxy.post(
                    "/graphql",
                    json=QUERY,
                    headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.9"},
                )
            ).status_code
            for n in range(6)
        ]
        # another real client behind the same proxy has a budget of its own
        other = await proxy.post(
            "/graphql", json=QUERY, headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.77"}
        )
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert other.status_code == 200


@pytest.mark.rate_window
async def test_forwarded_for_from_an_untrusted_peer_is_ignored(db_url: str) -> None:
    async with client_from(
        "192.0.2.44", db_url, forwarded_allow_ips="10.0.0.5", anon_rate_limit="2/minute"
    ) as direct:
        statuses = [
            (
                await direct.post(
                    "/graphql", json=QUERY, headers={"X-Forwarded-For": f"198.51.100.{n}"}
                )
            ).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 429, 429]


@pytest.mark.rate_window
async def test_trusted_proxies_may_be_a_network_and_hops_are_skipped(db_url: str) -> None:
    """Two trusted hops (CDN → nginx): the client is the first untrusted one from the right."""
    async with client_from(
        "10.1.2.3", db_url, forwarded_allow_ips="10.1.0.0/16, 10.9.9.9", anon_rate_limit="2/minute"
    ) as proxy:
        statuses = [
            (
                await proxy.post(
                    "/graphql",
                    json=QUERY,
                    headers={"X-Forwarded-For": f"6.6.6.{n}, 203.0.113.9, 10.9.9.9"},
                )
            ).status_code
            for n in range(3)
        ]
    assert statuses == [200, 200, 429]


async def test_keyed_answers_are_private_and_vary_on_credentials(db_url: str) -> None:
    key = await with_sessions(db_url, lambda m: create_key(m, "partner", "100/minute"))
    async with app_client(db_url, require_api_key=True) as keyed:
        private = await keyed.get("/graphql", params=QUERY, headers={"X-API-Key": key})
    async with app_client(db_url) as open_:
        public = await open_.get("/graphql", params=QUERY)
    assert private.status_code == 200 and len(private.json()["data"]["pillars"]) == 3
    assert private.headers["cache-control"].startswith("private")
    assert "public" not in private.headers["cache-control"]
    vary = {v.strip().lower() for v in private.headers["vary"].split(",")}
    assert {"authorization", "x-api-key"} <= vary
    assert public.headers["cache-control"] == "public, max-age=60"


async def test_metrics_can_require_a_bearer_token(db_url: str) -> None:
    async with app_client(db_url, metrics_token="s3cret") as client:
        await client.post("/graphql", json={"query": "query Secret { pillars { code } }"})
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert "Secret" not in refused.text
    assert right.status_code == 200
    assert 'operation="Secret"' in right.text


@pytest.mark.rate_window
async def test_refused_keys_spend_the_anonymous_budget(db_url: str) -> None:
    async with app_client(db_url, anon_rate_limit="3/minute") as client:
        statuses = [
            (
                await client.post(
                    "/graphql", json=QUERY, headers={"X-API-Key": f"dxg_guess{n:04d}"}
                )
            ).status_code
            for n in range(5)
        ]
        anonymous = await client.post("/graphql", json=QUERY)
    assert statuses == [401, 401, 401, 429, 429]
    assert anonymous.status_code == 429
    assert error_codes(anonymous.json()) == ["RATE_LIMITED"]


@contextlib.contextmanager
def stopped(redis_url: str) -> Iterator[None]:
    """The Redis server at ``redis_url`` hung (SIGSTOP) for the block, as in the red team."""
    pid = int(redis.Redis.from_url(redis_url).info("server")["process_id"])
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def test_a_hung_redis_costs_its_timeout_and_readyz_says_so(db_url: str) -> None:
    with redis_server() as redis_url:
        async with app_client(db_url, redis_url=redis_url, redis_timeout=0.2) as client:
            assert (await client.post("/graphql", json=QUERY)).status_code == 200
            ready = await client.get("/readyz")
            with stopped(redis_url):
                started = time.monotonic()
                during = await client.post(
                    "/graphql", json={"query": "{ provinces(withContent: false) { slug } }"}
                )
                elapsed = time.monotonic() - started
                # the failures paused Redis for a few seconds: the next requests do not wait
                started = time.monotonic()
                later = [
                    await client.post(
                        "/graphql", json={"query": f"{{ provinces {{ s{n}: slug }} }}"}
                    )
                    for n in range(5)
                ]
                later_elapsed = time.monotonic() - started
                not_ready = await client.get("/readyz")
            after = await client.get("/readyz")
            metrics = (await client.get("/metrics")).text
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "rate_limits": "ok"}
    # admitted without a decision (fail open) and served without the cache (fail open)
    assert during.status_code == 200 and len(during.json()["data"]["provinces"]) > 0
    # the rate limit and the cache read: two timeouts, not the whole hang
    assert elapsed < 1.5
    assert all(r.status_code == 200 for r in later)
    assert later_elapsed < 1.0
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["redis"] != "ok"
    assert after.status_code == 200
    assert "dxgraph_rate_limit_unavailable_total 6.0" in metrics


async def test_a_slow_statement_is_cancelled_after_the_db_timeout(
    loaded_urls: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL only: SQLite runs statements in-process, where DXGRAPH_DB_TIMEOUT bounds
    the wait for a load's write lock instead (its busy timeout)."""

    async def slow(info: Any, *_args: Any) -> Any:
        async with info.context.session() as session:
            await session.execute(text("SELECT pg_sleep(10)"))

    monkeypatch.setattr("schema.provinces.find_province", slow)
    async with app_client(loaded_urls["postgresql"], db_timeout=0.5) as client:
        started = time.monotonic()
        response = await client.post(
            "/graphql", json={"query": '{ province(slug: "lao-cai") { name } }'}
        )
        elapsed = time.monotonic() - started
        again = await client.post("/graphql", json={"query": "{ provinces { slug } }"})
    assert elapsed < 3.0
    assert response.status_code == 503, response.text
    assert error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]
    assert "pg_sleep" not in response.text
    assert again.status_code == 200


async def test_a_trickling_body_gets_408(db_url: str) -> None:
    async def trickle() -> AsyncIterator[bytes]:
        yield b'{"query": "'
        await asyncio.sleep(1.0)
        yield b'{ pillars { code } }"}'

    async with app_client(db_url, body_timeout=0.3) as client:
        slow = await client.post(
            "/graphql", content=trickle(), headers={"Content-Type": "application/json"}
        )
        quick = await client.post("/graphql", json=QUERY)
    assert slow.status_code == 408
    assert error_codes(slow.json()) == ["REQUEST_TIMEOUT"]
    assert quick.status_code == 200


async def test_cache_keys_in_redis_carry_ttls(loaded_url: str) -> None:
    with redis_server() as redis_url:
        async with app_client(loaded_url, redis_url=redis_url) as client:
            assert (await client.get("/graphql", params=QUERY)).status_code == 200
        store = redis.Redis.from_url(redis_url)
        keys = [k.decode() for k in store.scan_iter("dxgraph:cache:*")]
        ttls = [store.ttl(k) for k in keys]
    assert len(keys) == 1
    assert all(ttl > 0 for ttl in ttls)


def test_the_memory_store_is_bounded_in_bytes() -> None:
    from api.cache import ENTRY_OVERHEAD_BYTES, MemoryStore

    store = MemoryStore(max_bytes=64 * 1024)

    async def fill() -> None:
        for n in range(100):
            await store.set(f"k{n}", b"x" * 10_000, ttl=60)
        await store.set("huge", b"x" * 100_000, ttl=60)  # larger than the store: not kept
        assert await store.get("huge") is None
        assert await store.get("k99") == b"x" * 10_000
        assert await store.get("k0") is None

    asyncio.run(fill())
    assert store.size_bytes <= 64 * 1024
    assert len(store) == 64 * 1024 // (10_000 + 3 + ENTRY_OVERHEAD_BYTES)


async def test_a_hung_database_backend_is_given_up_on_after_the_db_timeout(
    loaded_urls: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The red team's SIGSTOP of PostgreSQL: a stopped server cannot enforce its own
    statement_timeout, so the driver's timeout must end the wait. Here the request's own
    backend process is stopped between two of its statements."""
    stopped_pids: list[int] = []

    async def hangs(info: Any, *_args: Any) -> Any:
        async with info.context.session() as session:
            pid = int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
            os.kill(pid, signal.SIGSTOP)
            stopped_pids.append(pid)
            await session.execute(text("SELECT 1"))

    monkeypatch.setattr("schema.provinces.find_province", hangs)
    try:
        async with app_client(loaded_urls["postgresql"], db_timeout=0.5) as client:
            started = time.monotonic()
            response = await client.post(
                "/graphql", json={"query": '{ province(slug: "lao-cai") { name } }'}
            )
            elapsed = time.monotonic() - started
            monkeypatch.undo()
            for pid in stopped_pids:
                os.kill(pid, signal.SIGCONT)
            again = await client.post("/graphql", json={"query": "{ provinces { slug } }"})
    finally:
        for pid in stopped_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    assert stopped_pids
    assert elapsed < 3.0
    assert response.status_code == 503, response.text
    assert error_codes(response.json()) == ["SERVICE_UNAVAILABLE"]
    assert again.status_code == 200


@pytest.mark.rate_window
async def test_malformed_requests_spend_the_rate_limit_too(db_url: str) -> None:
    async with app_client(db_url, anon_rate_limit="2/minute") as client:
        statuses = [
            (
                await client.post(
                    "/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"}
                )
            ).status_code
            for _ in range(3)
        ]
    assert statuses == [400, 400, 429]
