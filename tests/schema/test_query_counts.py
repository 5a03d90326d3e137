"""N+1 guards: the SQL statements a request sends do not grow with the page size.

As Saleor does: count every statement the app's engine sends for a query (a SQLAlchemy
event hook) and assert a bound that holds for a small and a large page alike.
"""

from __future__ import annotations

import itertools

import pytest

from devkit.client import app_client, gql, statements

QUERIES = {
    "tasks": (
        """query($n: Int) { tasks(first: $n) { totalCount nodes {
            leadAgencies { name } province { name } document { number } } } }""",
        4,
    ),
    "questions": (
        """query($n: Int) { questions(first: $n) { nodes {
            text source { slug } province { name } pillars { name } documents { number }
            citation { lineStart source { title } } citations { lineEnd } } } }""",
        6,
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
    "figures": (
        """query($n: Int) { figures(first: $n) { totalCount nodes {
            label value province { name } pillars { code } source { slug }
            citation { lineStart source { title } } } } }""",
        4,
    ),
    "passages": (
        """query($n: Int) { passages(first: $n) { totalCount nodes {
            heading province { name } source { slug } pillars { code } documents { number }
            figures { value unit } citation { lineStart } } } }""",
        6,
    ),
    "source-passages": (
        """query($n: Int) { sources { slug passages(first: $n) { totalCount nodes {
            heading figures { label } documents { number } } } } }""",
        4,
    ),
    "province-figures": (
        """query($n: Int) { provinces { slug figures(first: $n) { totalCount nodes {
            value source { slug } } } passages(first: $n) { nodes { heading } } } }""",
        4,
    ),
    "search-passages-figures": (
        """query($n: Int) { search(query: "chuyen doi so", types: [PASSAGE, FIGURE],
            first: $n) { totalCount nodes { item {
              ... on Passage { heading source { slug } figures { value } pillars { code } }
              ... on Figure { label source { slug } province { name } } } } } }""",
        9,
    ),
    "documents": (
        """query($n: Int) { documents(first: $n) { nodes {
            number province { name } implements { number } implementedBy { number }
            citations { lineStart source { slug } } } } }""",
        6,
    ),
}


_nonces = itertools.count(1)


async def _count(client, query: str, n: int) -> int:
    # each request carries a new undeclared variable, so the response cache, keyed by
    # variables, never answers it: the count is the resolvers' own
    await gql(client, query, n=n, nonce=next(_nonces))  # warm: connections, memos
    before = statements(client)
    data = await gql(client, query, n=n, nonce=next(_nonces))
    assert data
    return statements(client) - before


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_statements_do_not_grow_with_page_size(loaded_url: str, name: str) -> None:
    query, bound = QUERIES[name]
    async with app_client(loaded_url) as client:
        counts = {n: await _count(client, query, n) for n in (5, 50, 100)}
    # A small page may skip a loader whose relation is empty on that page (no task of
    # the first five names a document), never the other way round.
    assert 0 < counts[5] <= counts[50] == counts[100], f"{name}: {counts}"
    assert counts[100] <= bound, f"{name}: {counts[100]} statements, bound {bound}"


async def test_a_province_argument_is_looked_up_once_per_content_version(
    loaded_url: str,
) -> None:
    query = """query($n: Int, $p: String) { tasks(first: $n, filter: {province: $p}) {
        totalCount } }"""
    async with app_client(loaded_url) as client:
        counts = []
        for province in ("lao-cai", "lao-cai", "10", "10"):  # by slug, then by GSO code
            before = statements(client)
            data = await gql(client, query, n=1, p=province, nonce=next(_nonces))
            counts.append(statements(client) - before)
            assert data["tasks"]["totalCount"] > 0
    assert counts[0] == counts[1] + 1 and counts[2] == counts[3] + 1, counts
    assert counts[1] == counts[3] > 0, counts


async def test_provinces_since_2025_in_a_fixed_number_of_statements(loaded_url: str) -> None:
    # 63 provinces, each with hasContent and mergedInto, and the 34 with mergedFrom
    query = """{ provinces(withContent: false) { hasContent mergedInto { name } }
        currentProvinces { mergedFrom { hasContent mergedInto { slug } } } }"""
    async with app_client(loaded_url) as client:
        await gql(client, query, nonce=next(_nonces))
        before = statements(client)
        data = await gql(client, query, nonce=next(_nonces))
        count = statements(client) - before
    assert len(data["provinces"]) == 63 and len(data["currentProvinces"]) == 34
    assert count <= 5, count
