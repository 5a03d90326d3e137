"""The app serves reference data, GraphiQL, health and readiness on both databases."""

from __future__ import annotations

import os
from pathlib import Path

from db.migrate import upgrade_async
from tests.client import app_client, gql


async def test_provinces_and_pillars(db_url: str) -> None:
    async with app_client(db_url) as client:
        data = await gql(client, "{ provinces { slug code name } pillars { code name } }")
    assert data["provinces"] == [
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
    from tests.pgserver import PostgresServer

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
