"""The database stops under a running app: fast 503s, then recovery without a restart.

PostgreSQL only: it is the database that can go away under a running app (a server of
its own here, stopped and restarted). SQLite's 503 (a file that cannot be opened) is in
test_errors.py.
"""

from __future__ import annotations

import time

from api.keys import create_key
from db.migrate import upgrade_async
from devkit.client import app_client, error_codes, with_sessions
from devkit.pgserver import PostgresServer
from tests.conftest import load_into

QUERY = "query($n: Int) { questions(first: $n) { totalCount nodes { text } } }"


async def test_requests_fail_fast_while_the_database_is_down_and_recover() -> None:
    server = PostgresServer().start()
    try:
        url = server.url()
        await upgrade_async(url)
        await load_into(url)
        key = await with_sessions(url, lambda m: create_key(m, "partner", "100/minute"))
        async with app_client(url, db_timeout=1.0) as client:
            before = await client.post("/graphql", json={"query": QUERY, "variables": {"n": 1}})
            assert before.status_code == 200
            total = before.json()["data"]["questions"]["totalCount"]

            server.stop(remove=False)
            started = time.monotonic()
            down = await client.post("/graphql", json={"query": QUERY, "variables": {"n": 2}})
            elapsed = time.monotonic() - started
            keyed = await client.post(
                "/graphql", json={"query": QUERY, "variables": {"n": 3}}, headers={"X-API-Key": key}
            )
            ready_down = await client.get("/readyz")
            # a repeated query is still answered from the cache: its content cannot change
            # while no load can reach the database
            cached = await client.post("/graphql", json={"query": QUERY, "variables": {"n": 1}})

            server.restart()
            after = await client.post("/graphql", json={"query": QUERY, "variables": {"n": 2}})
            ready_up = await client.get("/readyz")
    finally:
        server.stop()

    assert down.status_code == 503
    assert set(error_codes(down.json())) == {"SERVICE_UNAVAILABLE"}
    assert elapsed < 2.0
    assert keyed.status_code == 503
    assert error_codes(keyed.json()) == ["SERVICE_UNAVAILABLE"]
    assert ready_down.status_code == 503
    assert cached.status_code == 200
    assert after.status_code == 200, after.text
    assert after.json()["data"]["questions"]["totalCount"] == total
    assert len(after.json()["data"]["questions"]["nodes"]) == 2
    assert ready_up.status_code == 200
