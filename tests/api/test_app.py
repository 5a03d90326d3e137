"""The app serves reference data, GraphiQL, health and readiness on both databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import event
from typer.testing import CliRunner

from api.app import GC_GEN0_THRESHOLD
from api.cli import app as cli
from db.migrate import upgrade_async
from devkit.client import app_client, gql


async def test_provinces_and_pillars(db_url: str) -> None:
    async with app_client(db_url) as client:
        data = await gql(
            client,
            """{ provinces { slug } all: provinces(withContent: false) { slug code name }
                 pillars { code name } }""",
        )
    assert data["provinces"] == []  # nothing loaded: no province has content yet
    assert len(data["all"]) == 63  # the provinces before 1 July 2025 are reference data
    assert [p for p in data["all"] if p["code"] in ("02", "10", "42", "56")] == [
        {"slug": "ha-giang", "code": "02", "name": "Hà Giang"},
        {"slug": "lao-cai", "code": "10", "name": "Lào Cai"},
        {"slug": "ha-tinh", "code": "42", "name": "Hà Tĩnh"},
        {"slug": "khanh-hoa", "code": "56", "name": "Khánh Hòa"},
    ]
    assert data["pillars"] == [
        {"code": "DIGITAL_GOVERNMENT", "name": "Chính quyền số"},
        {"code": "DIGITAL_ECONOMY", "name": "Kinh tế số"},
        {"code": "DIGITAL_SOCIETY", "name": "Xã hội số"},
    ]


async def test_province_by_slug_or_code_and_node(db_url: str) -> None:
    async with app_client(db_url) as client:
        data = await gql(
            client,
            """{ a: province(slug: "lao-cai") { id name }
                 b: province(code: "56") { id slug }
                 c: province(slug: "atlantis") { id } }""",
        )
        assert data["a"]["name"] == "Lào Cai"
        assert data["b"]["slug"] == "khanh-hoa"
        assert data["c"] is None
        node = await gql(
            client,
            "query($id: ID!) { node(id: $id) { id ... on Province { slug code } } }",
            id=data["a"]["id"],
        )
        assert node["node"] == {"id": data["a"]["id"], "slug": "lao-cai", "code": "10"}
        missing = await gql(client, '{ node(id: "bm9wZTpub3Bl") { id } }')
        assert missing["node"] is None


async def test_graphiql_for_a_browser(db_url: str) -> None:
    async with app_client(db_url) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_healthz(db_url: str) -> None:
    async with app_client(db_url) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200


async def test_readyz_follows_the_database_without_restart(backend, db_url, pg_server, tmp_root):
    """/readyz says 503 while the database is unreachable and 200 once it is back."""
    if backend == "sqlite":
        # mode=rw: SQLite must open the existing file, not create an empty one.
        path = Path(db_url.split("///", 1)[1])
        url = f"sqlite+aiosqlite:///file:{path}?mode=rw&uri=true"
        async with app_client(url, db_timeout=1.0) as client:
            assert (await client.get("/readyz")).status_code == 200
            moved = path.with_suffix(".away")
            os.rename(path, moved)
            try:
                assert (await client.get("/readyz")).status_code == 503
            finally:
                os.rename(moved, path)
            assert (await client.get("/readyz")).status_code == 200
        return
    # PostgreSQL: a server of its own, stopped and started under the running app.
    from devkit.pgserver import PostgresServer

    server = PostgresServer().start()
    try:
        await upgrade_async(server.url())
        async with app_client(server.url(), db_timeout=1.0) as client:
            assert (await client.get("/readyz")).status_code == 200
            server.stop(remove=False)
            assert (await client.get("/readyz")).status_code == 503
            server.restart()
            response = await client.get("/readyz")
            assert response.status_code == 200, response.text
    finally:
        server.stop()


async def test_graphiql_loads_only_files_this_app_serves(db_url: str) -> None:
    import re

    async with app_client(db_url) as client:
        page = (await client.get("/graphql", headers={"Accept": "text/html"})).text
        assets = re.findall(r'(?:src|href)="(/graphiql-assets/[^"]+)"', page)
        responses = [await client.get(asset) for asset in assets]
    assert "unpkg.com" not in page
    assert len(assets) == 7
    assert all(r.status_code == 200 for r in responses)
    assert all("immutable" in r.headers["cache-control"] for r in responses)


PROBE_GC = """
import asyncio, gc, sys
from api.app import create_app, create_server_app

async def main():
    for factory in (create_app, create_server_app):
        before = gc.get_threshold()[0], gc.get_freeze_count()
        app = factory()
        async with app.router.lifespan_context(app):
            print(factory.__name__, before, gc.get_threshold()[0], gc.get_freeze_count() > 0)
        gc.unfreeze()
        gc.set_threshold(700)

asyncio.run(main())
"""


def test_the_served_app_tunes_the_garbage_collector_and_tests_do_not(db_url: str) -> None:
    """``dxgraph serve`` runs ``create_server_app``: it freezes what is alive after start-up
    and raises the youngest generation's threshold; ``create_app`` (tests, tools) leaves
    the collector alone. In a process of its own: a freeze would outlive the test."""
    env = {**os.environ, "DXGRAPH_DATABASE_URL": db_url}
    out = subprocess.run(
        [sys.executable, "-c", PROBE_GC], env=env, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    plain = next(line for line in out if line.startswith("create_app "))
    served = next(line for line in out if line.startswith("create_server_app "))
    assert plain.endswith(" 700 False"), plain
    assert served.endswith(f" {GC_GEN0_THRESHOLD} True"), served


async def test_serve_runs_the_server_app(loaded_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[tuple[str, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: runs.append((target, options)))
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["serve", "--port", "8123"], env={"DATABASE_URL": loaded_url}
    )
    assert result.exit_code == 0, result.output
    assert [(target, options["factory"]) for target, options in runs] == [
        ("api.app:create_server_app", True)
    ]


async def test_sqlite_requests_share_a_fixed_pool(loaded_urls: dict[str, str]) -> None:
    """Concurrent requests on SQLite wait for one of ``DXGRAPH_SQLITE_POOL_SIZE``
    connections (each a thread of its own) rather than open more, and each is answered
    as it is alone."""
    query = "query Page($first: Int) { questions(first: $first) { nodes { id } } }"
    async with app_client(loaded_urls["sqlite"], sqlite_pool_size=2) as client:
        engine = client.app_state.engine.sync_engine  # type: ignore[attr-defined]
        opened: list[object] = []
        held = [0, 0]  # checked out now, most at once

        def checkout(*_args: object) -> None:
            held[0] += 1
            held[1] = max(held)

        def checkin(*_args: object) -> None:
            held[0] -= 1

        event.listen(engine, "connect", lambda *_args: opened.append(None))
        event.listen(engine, "checkout", checkout)
        event.listen(engine, "checkin", checkin)
        whole = [n["id"] for n in (await gql(client, query, first=12))["questions"]["nodes"]]
        pages = await asyncio.gather(*(gql(client, query, first=n) for n in range(1, 12)))
    assert len(whole) == 12
    for n, page in enumerate(pages, start=1):
        assert [node["id"] for node in page["questions"]["nodes"]] == whole[:n]
    assert len(opened) <= 2 and held[1] <= 2
    assert held[0] == 0
