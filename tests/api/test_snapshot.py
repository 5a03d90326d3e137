"""A request reads one content version from start to end (issue 15: answers during a load
mixed two versions, or failed with INTERNAL_SERVER_ERROR). On both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text, update

from db import models
from db.session import create_engine
from tests.client import app_client, gql


async def test_a_load_committing_mid_request_is_not_seen_by_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between two statements of one request another connection commits a new content
    version (what a load's transaction does); the request's second read still sees the
    version of its first, and the next request sees the new one."""
    writer = create_engine(db_url)
    seen: list[int] = []

    async def read_twice(info: Any, *_args: Any) -> Any:
        async with info.context.session() as session:
            seen.append(int(await session.scalar(select(models.ContentVersion.version)) or 0))
        async with writer.begin() as conn:  # the load commits now
            await conn.execute(
                update(models.ContentVersion).values(version=models.ContentVersion.version + 1)
            )
        async with info.context.session() as session:
            seen.append(int(await session.scalar(select(models.ContentVersion.version)) or 0))

    try:
        async with app_client(db_url) as client:
            await gql(client, "{ pillars { code } }")  # a pooled connection, used before
            monkeypatch.setattr("schema.provinces.find_province", read_twice)
            await gql(client, '{ province(slug: "lao-cai") { name } }')
            monkeypatch.undo()
            async with client.app_state.sessionmaker() as session:  # type: ignore[attr-defined]
                after = int(await session.scalar(text("SELECT version FROM content_version")))
    finally:
        await writer.dispose()
    assert seen[0] == seen[1], seen
    assert after == seen[0] + 1
