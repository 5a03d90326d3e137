"""An in-process HTTP client for the app, with its lifespan running (no network)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from api.app import create_app
from api.settings import Settings
from db.session import create_engine, create_sessionmaker


@contextlib.asynccontextmanager
async def app_client(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app_state = app.state  # type: ignore[attr-defined]
            yield client


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query; return the whole JSON body (data and errors)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    body["_status"] = response.status_code
    return body


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query; assert HTTP 200 and no errors; return ``data``."""
    body = await post(client, query, **variables)
    assert body["_status"] == 200, body
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def with_sessions(url: str, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """``work(sessionmaker)`` on ``url`` with an engine of its own (e.g. creating API keys)."""
    engine = create_engine(url)
    try:
        return await work(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def statements(client: httpx.AsyncClient) -> int:
    """SQL statements the app has sent so far."""
    count: int = client.app_state.statements.count  # type: ignore[attr-defined]
    return count
