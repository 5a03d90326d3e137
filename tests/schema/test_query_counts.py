"""N+1 guards: the SQL statements a request sends do not grow with the page size.

As Saleor does: count every statement the app's engine sends for a query (a SQLAlchemy
event hook) and assert a bound that holds for a small and a large page alike.
"""

from __future__ import annotations

import pytest

from tests.client import app_client, gql, statements

QUERIES = {
    "tasks": (
        """query($n: Int) { tasks(first: $n) { totalCount nodes {
            leadAgencies { name } province { name } document { number } } } }""",
        4,
    ),
    "questions": (
        """query($n: Int) { questions(first: $n) { nodes {
            text source { slug } province { name } pillars { name } documents { number }
            citation { lineStart source { title } } } } }""",
        5,
    ),
    "targets": (
        """query($n: Int) { targets(first: $n) { nodes {
            text quantities { value unit } pillars { code } document { number kind }
            province { code } } } }""",
        5,
    ),
    "nested": (
        """query($n: Int) { provinces { slug
            tasks(first: $n) { totalCount nodes { leadAgencies { name } } }
            questions(first: $n) { totalCount nodes { text } }
            documents(first: $n) { nodes { number } }
            targets(first: $n, filter: {year: 2025}) { nodes { quantities { value } } } } }""",
        8,
    ),
    "documents": (
        """query($n: Int) { documents(first: $n) { nodes {
            number province { name } implements { number } implementedBy { number }
            citations { lineStart source { slug } } } } }""",
        6,
    ),
}


async def _count(client, query: str, n: int) -> int:
    await gql(client, query, n=n)  # warm: connections, caches
    before = statements(client)
    data = await gql(client, query, n=n)
    assert data
    return statements(client) - before


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_statements_do_not_grow_with_page_size(loaded_url: str, name: str) -> None:
    query, bound = QUERIES[name]
    async with app_client(loaded_url) as client:
        counts = {n: await _count(client, query, n) for n in (5, 50, 100)}
    # A small page may skip a loader whose relation is empty on that page (no task of
    # the first five names a document), never the other way round.
    assert counts[5] <= counts[50] == counts[100], f"{name}: {counts}"
    assert counts[100] <= bound, f"{name}: {counts[100]} statements, bound {bound}"
