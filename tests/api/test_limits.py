"""Query limits (api.limits): each one just at the limit passes with real content, just over
it the whole request is refused before any SQL statement, with its code."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from api.limits import Limits, count_tokens
from api.settings import Settings
from devkit.client import app_client, error_codes, gql, post, statements


async def refused(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a query that must be refused as a whole before any SQL; return its one error."""
    before = statements(client)
    body = await post(client, query, **variables)
    assert body["_status"] == 200, body
    assert body["data"] is None, body
    assert len(body["errors"]) == 1, body["errors"]
    assert statements(client) == before, "the request reached the database"
    error: dict[str, Any] = body["errors"][0]
    return error


PROVINCE_SLUGS = ["ha-giang", "lao-cai", "ha-tinh", "khanh-hoa"]


# --- the error, whichever limit -------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "query", "code"),
    [
        ({"max_tokens": 5}, "{ provinces { slug } }", "TOKEN_LIMIT"),
        ({"max_depth": 1}, "{ provinces { slug } }", "DEPTH_LIMIT"),
        ({"max_aliases": 0}, "{ p: provinces { slug } }", "ALIAS_LIMIT"),
        ({"max_cost": 10}, "{ provinces { slug } }", "COST_LIMIT"),
        (
            {"max_page_size": 3},
            "{ provinces { slug } documents(first: 4) { totalCount } }",
            "PAGE_SIZE_LIMIT",
        ),
    ],
)
async def test_a_refused_request_is_200_json_with_data_null_and_one_coded_error(
    loaded_url: str, settings: dict[str, int], query: str, code: str
) -> None:
    async with app_client(loaded_url, **settings) as client:
        before = statements(client)
        response = await client.post("/graphql", json={"query": query})
        assert statements(client) == before
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body.keys() == {"data", "errors"}
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    [limit] = settings.values()
    assert str(limit) in error["message"]  # the message names the limit


async def test_each_request_is_measured_on_its_own(loaded_url: str) -> None:
    """Strawberry builds the extension per request: concurrent requests do not mix."""
    cheap = "{ provinces { slug } }"
    dear = "{ provinces { documents(first: 50) { nodes { number } } } }"
    async with app_client(loaded_url, max_cost=100) as client:
        bodies = await asyncio.gather(*(post(client, q) for q in [cheap, dear] * 5))
    for i, body in enumerate(bodies):
        if i % 2 == 0:
            assert [p["slug"] for p in body["data"]["provinces"]] == PROVINCE_SLUGS
        else:
            assert error_codes(body) == ["COST_LIMIT"]


# --- tokens ---------------------------------------------------------------------------


def test_tokens_are_counted_as_the_parser_counts_them() -> None:
    assert count_tokens("{ provinces { name } }", stop_after=100) == 6
    # commas, white space and comments are not tokens; a string is one
    assert count_tokens('# a comment\n{ province(slug: "lao-cai"), { name } }', 100) == 11
    assert count_tokens("{ provinces { name } }", stop_after=4) == 4
    assert count_tokens('{ provinces { "unterminated', stop_after=100) == 3


def search_with(tokens: int) -> str:
    """A search query of exactly ``tokens`` tokens (15 plus one per listed type)."""
    types = " ".join(["QUESTION"] * (tokens - 15))
    return f'{{ search(query: "chuyen doi so", types: [{types}]) {{ totalCount }} }}'


async def test_token_limit_default(loaded_url: str) -> None:
    assert count_tokens(search_with(3000), 10_000) == 3000
    async with app_client(loaded_url) as client:
        data = await gql(client, search_with(3000))
        error = await refused(client, search_with(3001))
    assert data["search"]["totalCount"] > 0
    assert error["extensions"] == {"code": "TOKEN_LIMIT", "maxTokens": 3000}


async def test_token_limit_setting(loaded_url: str) -> None:
    async with app_client(loaded_url, max_tokens=6) as client:
        data = await gql(client, "{ provinces { slug } }")
        error = await refused(client, "{ provinces { slug name } }")
    assert [p["slug"] for p in data["provinces"]] == PROVINCE_SLUGS
    assert error["extensions"]["code"] == "TOKEN_LIMIT"
    assert "more than 6 tokens" in error["message"]


async def test_a_syntax_error_is_the_parsers_within_the_limit(loaded_url: str) -> None:
    async with app_client(loaded_url, max_tokens=6) as client:
        within = await post(client, "{ provinces { slug }")
        beyond = await post(client, "{ provinces { slug name code }")
    assert within["errors"][0]["message"].startswith("Syntax Error")
    assert error_codes(within) != ["TOKEN_LIMIT"]
    assert error_codes(beyond) == ["TOKEN_LIMIT"]


# --- depth ----------------------------------------------------------------------------

# province 1, documents 2, nodes 3, province 4, … province 10, documents 11, totalCount 12
DEPTH_12 = """{
  province(slug: "khanh-hoa") { documents(first: 1) { nodes {
    province { documents(first: 1) { nodes {
      province { documents(first: 1) { nodes {
        province { documents(first: 1) { totalCount } }
      } } }
    } } }
  } } }
}"""
DEPTH_13 = DEPTH_12.replace("{ totalCount }", "{ pageInfo { hasNextPage } }")


async def test_depth_limit_default(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        data = await gql(client, DEPTH_12)
        error = await refused(client, DEPTH_13)
    inner = data["province"]["documents"]["nodes"][0]["province"]
    assert inner["documents"]["nodes"][0]["province"]["documents"]["nodes"]
    assert error["extensions"] == {"code": "DEPTH_LIMIT", "maxDepth": 12, "depth": 13}


async def test_depth_limit_setting_through_fragments(loaded_url: str) -> None:
    async with app_client(loaded_url, max_depth=3) as client:
        data = await gql(client, "{ provinces { documents { totalCount } } }")
        province = await gql(client, '{ province(slug: "lao-cai") { id } }')
        node = await gql(
            client,
            "query($id: ID!) { node(id: $id) { ... on Province { documents { totalCount } } } }",
            id=province["province"]["id"],
        )
        plain = await refused(client, "{ provinces { documents { nodes { number } } } }")
        named = await refused(
            client,
            "{ provinces { ...Documents } } "
            "fragment Documents on Province { documents { nodes { number } } }",
        )
        inline = await refused(
            client, "{ provinces { ... on Province { documents { nodes { number } } } } }"
        )
    assert [p["documents"]["totalCount"] for p in data["provinces"]] == [6, 5, 0, 2]
    assert node["node"]["documents"]["totalCount"] == 5
    for error in (plain, named, inline):
        assert error["extensions"] == {"code": "DEPTH_LIMIT", "maxDepth": 3, "depth": 4}
        assert "4 deep" in error["message"]


async def test_introspection_passes_the_default_depth(loaded_url: str) -> None:
    # its TypeRef fragment nests ofType nine times: ofType adds no level
    async with app_client(loaded_url) as client:
        data = await gql(client, get_introspection_query())
    assert data["__schema"]["queryType"]["name"] == "Query"
    assert "Province" in {t["name"] for t in data["__schema"]["types"]}


async def test_fragment_cycles_are_the_standard_rules_to_report(loaded_url: str) -> None:
    query = (
        "{ provinces { ...A } } "
        "fragment A on Province { slug ...B } fragment B on Province { name ...A }"
    )
    async with app_client(loaded_url) as client:
        error = await refused(client, query)
    assert error["message"].startswith("Cannot spread fragment 'A' within itself")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_long_chain_of_fragments_is_refused_not_a_crash(loaded_url: str) -> None:
    chain = " ".join(f"fragment F{k} on Province {{ ...F{k + 1} }}" for k in range(370))
    query = f"{{ provinces {{ ...F0 }} }} {chain} fragment F370 on Province {{ slug }}"
    async with app_client(loaded_url) as client:
        error = await refused(client, query)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


# --- aliases --------------------------------------------------------------------------


def aliased(count: int) -> str:
    return "{ " + " ".join(f"p{i}: provinces {{ slug }}" for i in range(count)) + " }"


async def test_alias_limit_default(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        data = await gql(client, aliased(30))
        error = await refused(client, aliased(31))
    assert [p["slug"] for p in data["p29"]] == PROVINCE_SLUGS
    assert error["extensions"] == {"code": "ALIAS_LIMIT", "maxAliases": 30, "aliases": 31}


async def test_alias_limit_counts_a_fragment_once_per_spread(loaded_url: str) -> None:
    query = """{
      a: province(slug: "ha-giang") { ...Named }
      b: province(slug: "lao-cai") { ...Named }
    }
    fragment Named on Province { n: name }"""
    async with app_client(loaded_url, max_aliases=4) as client:
        data = await gql(client, query)
    async with app_client(loaded_url, max_aliases=3) as client:
        error = await refused(client, query)
    assert data == {"a": {"n": "Hà Giang"}, "b": {"n": "Lào Cai"}}
    assert error["extensions"] == {"code": "ALIAS_LIMIT", "maxAliases": 3, "aliases": 4}


async def test_fragments_that_double_are_measured_quickly(loaded_url: str) -> None:
    """40 fragments each spreading the previous twice expand to 2**40 aliases: each
    fragment is measured once, so refusing them takes no time."""
    doubling = " ".join(
        f"fragment F{k} on Province {{ ...F{k - 1} ...F{k - 1} }}" for k in range(1, 41)
    )
    query = f"{{ provinces {{ ...F40 }} }} fragment F0 on Province {{ s: slug }} {doubling}"
    async with app_client(loaded_url) as client:
        error = await asyncio.wait_for(refused(client, query), timeout=10)
    assert error["extensions"]["aliases"] == 2**40


# --- page sizes -----------------------------------------------------------------------


async def test_page_size_limit_literal(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        data = await gql(client, "{ documents(first: 100) { totalCount nodes { number } } }")
        error = await refused(client, "{ provinces { slug } documents(first: 101) { totalCount } }")
    documents = data["documents"]
    assert len(documents["nodes"]) == min(100, documents["totalCount"]) > 20
    assert error["extensions"] == {
        "code": "PAGE_SIZE_LIMIT",
        "maxPageSize": 100,
        "first": 101,
        "field": "Query.documents",
    }


@pytest.mark.parametrize("first", [101, -1])
async def test_page_size_limit_variable(loaded_url: str, first: int) -> None:
    query = "query($n: Int) { provinces { slug documents(first: $n) { totalCount } } }"
    async with app_client(loaded_url) as client:
        data = await gql(client, query, n=100)
        error = await refused(client, query, n=first)
    assert [p["slug"] for p in data["provinces"]] == PROVINCE_SLUGS
    assert error["extensions"]["first"] == first
    assert error["extensions"]["field"] == "Province.documents"


async def test_page_size_limit_setting_in_a_fragment(loaded_url: str) -> None:
    query = """query($n: Int) { provinces { ...Tasks } }
    fragment Tasks on Province { slug tasks(first: $n) { nodes { title } } }"""
    async with app_client(loaded_url, max_page_size=5) as client:
        data = await gql(client, query, n=5)
        error = await refused(client, query, n=6)
    assert [len(p["tasks"]["nodes"]) for p in data["provinces"]] == [5, 5, 0, 5]
    assert error["extensions"]["maxPageSize"] == 5
    assert "between 0 and 5, got 6" in error["message"]


def test_the_page_size_setting_cannot_pass_the_resolvers_cap() -> None:
    limits = Limits.from_settings(Settings(max_page_size=500, max_cost=7))
    assert (limits.max_page_size, limits.max_cost) == (100, 7)


# --- cost -----------------------------------------------------------------------------

# provinces 1 + 10 provinces x (tasks 1 + nodes 1 + 2 nodes x title 1) = 41
COST_41 = "{ provinces { tasks(first: 2) { nodes { title } } } }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (COST_41, {}),
        ("query($n: Int) { provinces { tasks(first: $n) { nodes { title } } } }", {"n": 2}),
        (
            "{ provinces { tasks(first: 2) { ...Titles } } } "
            "fragment Titles on TaskConnection { nodes { title } }",
            {},
        ),
        ("{ provinces { ... on Province { tasks(first: 2) { nodes { title } } } } }", {}),
    ],
    ids=["literal", "variable", "fragment", "inline"],
)
async def test_cost_limit_setting(loaded_url: str, query: str, variables: dict[str, Any]) -> None:
    async with app_client(loaded_url, max_cost=41) as client:
        data = await gql(client, query, **variables)
    async with app_client(loaded_url, max_cost=40) as client:
        error = await refused(client, query, **variables)
    assert [len(p["tasks"]["nodes"]) for p in data["provinces"]] == [2, 2, 0, 2]
    assert error["extensions"] == {"code": "COST_LIMIT", "maxCost": 40, "cost": 41}


async def test_cost_of_a_page_follows_its_variable(loaded_url: str) -> None:
    query = "query($n: Int) { provinces { tasks(first: $n) { nodes { title } } } }"
    async with app_client(loaded_url, max_cost=41) as client:
        error = await refused(client, query, n=3)
    assert error["extensions"]["cost"] == 51


async def test_cost_without_first_counts_the_default_page(loaded_url: str) -> None:
    query = "{ provinces { tasks { nodes { title } } } }"  # 1 + 10 x (2 + 20)
    async with app_client(loaded_url, max_cost=221) as client:
        data = await gql(client, query)
    async with app_client(loaded_url, max_cost=220) as client:
        error = await refused(client, query)
    # a default page each: Hà Giang serves 80 tasks, Lào Cai 39, Hà Tĩnh none, Khánh Hòa 102
    assert [len(p["tasks"]["nodes"]) for p in data["provinces"]] == [20, 20, 0, 20]
    assert error["extensions"]["cost"] == 221


async def test_cost_leaves_out_skipped_fields(loaded_url: str) -> None:
    query = """query($skip: Boolean!) {
      provinces { slug tasks(first: 2) @skip(if: $skip) { nodes { title } } }
    }"""
    async with app_client(loaded_url, max_cost=11) as client:
        data = await gql(client, query, skip=True)
        error = await refused(client, query, skip=False)
    assert data["provinces"] == [{"slug": slug} for slug in PROVINCE_SLUGS]
    assert error["extensions"]["cost"] == 1 + 10 * (1 + 4)


async def test_cost_of_the_operation_that_runs(loaded_url: str) -> None:
    document = """query Cheap { pillars { code } }
    query Dear { provinces { documents(first: 100) { nodes { number } } } }"""
    async with app_client(loaded_url, max_cost=100) as client:
        cheap = await client.post("/graphql", json={"query": document, "operationName": "Cheap"})
        dear = await client.post("/graphql", json={"query": document, "operationName": "Dear"})
    assert [p["code"] for p in cheap.json()["data"]["pillars"]] == [
        "DIGITAL_GOVERNMENT",
        "DIGITAL_ECONOMY",
        "DIGITAL_SOCIETY",
    ]
    assert dear.json()["errors"][0]["extensions"]["cost"] == 1 + 10 * (2 + 100)


ABUSIVE = """{ provinces { documents(first: 100) { edges { node {
  targets(first: 100) { edges { node { quantities { value } } } }
} } } } }"""


async def test_cost_limit_default_refuses_nested_pages(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        error = await refused(client, ABUSIVE)
    assert error["extensions"]["cost"] == 1_203_021
    assert "1203021" in error["message"]


# GraphiQL 3.8 (Strawberry's) asks graphql-js 16 for this query, inputValueDeprecation on
GRAPHIQL_COST = 51_832


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(get_introspection_query(), id="graphql-core"),
        pytest.param(
            get_introspection_query(input_value_deprecation=True),
            id="graphiql",
        ),
    ],
)
async def test_introspection_passes_the_default_cost(loaded_url: str, query: str) -> None:
    assert Settings.model_fields["max_cost"].default > GRAPHIQL_COST
    async with app_client(loaded_url) as client:
        data = await gql(client, query)
    assert data["__schema"]["queryType"]["name"] == "Query"


# --- search's own work (issue 15) -----------------------------------------------------

SEARCH_HIT = "totalCount nodes { score snippet }"


def aliased_searches(queries: list[str], first: int) -> str:
    return (
        "{ "
        + " ".join(
            f's{n}: search(query: "{q}", first: {first}) {{ {SEARCH_HIT} }}'
            for n, q in enumerate(queries)
        )
        + " }"
    )


async def test_aliased_searches_cost_their_ranking_work(loaded_url: str) -> None:
    """The red team's 30 aliased ``search(first: 100)`` over common words was costed 81,090
    and accepted (1.3-2.1 s); 30 aliased 32-word searches were costed 60 (~1,050 SQL
    statements). Both are refused now, before any statement; eight searches still run."""
    long = " ".join(f"từ{n}" for n in range(32))
    async with app_client(loaded_url) as client:
        common = await refused(client, aliased_searches(["số"] * 30, 100))
        wordy = await refused(client, aliased_searches([long] * 30, 20))
        eight = await post(client, aliased_searches(["số"] * 8, 10))
        nine = await refused(client, aliased_searches(["số"] * 9, 10))
    assert common["extensions"]["code"] == wordy["extensions"]["code"] == "COST_LIMIT"
    assert common["extensions"]["cost"] > 30 * Limits().search_cost
    # 32 words each: the per-word work counts
    assert wordy["extensions"]["cost"] >= 30 * (Limits().search_cost + 32 * 1000)
    assert "errors" not in eight, eight
    assert eight["data"]["s7"]["totalCount"] > 0
    assert nine["extensions"]["code"] == "COST_LIMIT"
