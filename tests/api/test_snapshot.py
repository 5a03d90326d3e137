"""A request reads one content version from start to end (issue 15: answers during a load
mixed two versions, or failed with INTERNAL_SERVER_ERROR). On both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text, update

from db import models
from db.session import create_engine
from devkit.client import app_client, gql


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


READS = """{
  sources { slug lineCount province { slug } }
  search(query: "chuyển đổi số", first: 20) {
    totalCount nodes { score snippet item { __typename ... on Question { id text } } }
  }
  questions(first: 50) { totalCount nodes { id source { slug } } }
}"""


async def test_answers_during_loads_never_fail_and_never_mix(db_url: str, tmp_path: Any) -> None:
    """Loads replacing all content (five sources, then one, then five…) run while the same
    query is sent again and again: no answer has an error, and each answer's questions
    come from the sources that same answer lists (one content version throughout)."""
    from tests.conftest import BUNDLED_MANIFEST, load_into, subset_manifest

    await load_into(db_url)
    one_source = subset_manifest(tmp_path, 1)
    done = False
    answers: list[dict[str, Any]] = []

    async def loads() -> None:
        nonlocal done
        try:
            for n in range(4):
                await load_into(db_url, one_source if n % 2 == 0 else BUNDLED_MANIFEST)
        finally:
            done = True

    async def reads(client: Any) -> None:
        while not done:
            response = await client.post(
                "/graphql", json={"query": READS, "variables": {"n": len(answers)}}
            )
            answers.append({"status": response.status_code, **response.json()})

    # as many reads as the loads leave time for: past any anonymous rate limit
    async with app_client(db_url, anon_rate_limit="1000000/minute") as client:
        await asyncio.gather(loads(), reads(client), reads(client))
    assert len(answers) > 4
    for answer in answers:
        assert answer["status"] == 200 and "errors" not in answer, answer.get("errors")
        sources = {s["slug"] for s in answer["data"]["sources"]}
        assert {q["source"]["slug"] for q in answer["data"]["questions"]["nodes"]} <= sources
    # both contents were seen: the loads really landed while the answers were given
    assert {len(a["data"]["sources"]) for a in answers} == {1, 5}
