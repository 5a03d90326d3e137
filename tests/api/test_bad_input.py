"""Bad bodies, headers and arguments (issue 15's red-team findings): each answers a 4xx or
a coded GraphQL error, never a 500 or INTERNAL_SERVER_ERROR, and no answer shows SQL, its
parameters or a path, in development mode (the default) as in production."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from devkit.client import app_client, error_codes

QUERY = "{ pillars { code } }"
JSON = {"Content-Type": "application/json"}


def assert_no_internals(response: httpx.Response) -> None:
    text = response.text
    for leak in ("SELECT", "INSERT", "[parameters", "Traceback", "/work/", ".py", "sqlalchemy"):
        assert leak not in text, text
    assert "INTERNAL_SERVER_ERROR" not in text, text
    assert response.status_code < 500, text


def cursor(position: int) -> str:
    return base64.b64encode(f"cursor:{position}".encode()).decode()


def node_id(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b'{"query": "{ pillars { code } }", "variables": {"s": "\xff\xfe"}}', "not UTF-8"),
        (
            b'{"query": "{ pillars { code } }", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "deep",
        ),
        (b'{"query": "{ pillars { code } }", "variables": {"n": ' + b"9" * 5000 + b"}}", "digits"),
        (b'{"query": "{ pillars { code } }", "variables": {"n": NaN}}', "NaN"),
        (b'{"query": "{ pillars { code } }", "variables": {"n": 1e999}}', "infinite"),
        (
            b'{"query": "{ pillars { code } }", "variables": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
            "nested",
        ),
    ],
)
async def test_malformed_json_bodies_are_400(db_url: str, body: bytes, what: str) -> None:
    async with app_client(db_url) as client:
        response = await client.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400, (what, response.text)
    assert error_codes(response.json()) == ["BAD_REQUEST"]
    assert_no_internals(response)


async def test_media_types_compare_case_insensitively_and_need_utf8(db_url: str) -> None:
    body = json.dumps({"query": QUERY}).encode()
    async with app_client(db_url) as client:
        answers = {
            header: await client.post("/graphql", content=body, headers={"Content-Type": header})
            for header in (
                "Application/JSON",
                "application/json; Charset=UTF-8",
                'APPLICATION/JSON;charset="utf-8"',
                "application/json; charset=latin-1",
                "text/plain",
                "",
            )
        }
    for header in ("Application/JSON", "application/json; Charset=UTF-8"):
        assert answers[header].status_code == 200, answers[header].text
        assert len(answers[header].json()["data"]["pillars"]) == 3
    assert answers['APPLICATION/JSON;charset="utf-8"'].status_code == 200
    for header in ("application/json; charset=latin-1", "text/plain", ""):
        assert answers[header].status_code == 415, (header, answers[header].text)
        assert error_codes(answers[header].json()) == ["UNSUPPORTED_MEDIA_TYPE"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
async def test_other_methods_are_405_with_allow(db_url: str, method: str) -> None:
    async with app_client(db_url) as client:
        response = await client.request(method, "/graphql", json={"query": QUERY})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert error_codes(response.json()) == ["METHOD_NOT_ALLOWED"]


async def test_several_operations_need_an_operation_name(db_url: str) -> None:
    two = "query A { pillars { code } } query B { provinces(withContent: false) { slug } }"
    async with app_client(db_url) as client:
        unnamed = await client.post("/graphql", json={"query": two})
        new = await client.post(
            "/graphql",
            json={"query": two},
            headers={"Accept": "application/graphql-response+json"},
        )
        over_get = await client.get("/graphql", params={"query": two})
        named = await client.post("/graphql", json={"query": two, "operationName": "B"})
        fragments_only = await client.post(
            "/graphql", json={"query": "fragment F on Pillar { code }"}
        )
    for response in (unnamed, new, over_get, fragments_only):
        assert response.status_code == 400, response.text
        assert error_codes(response.json()) == ["BAD_REQUEST"]
        assert "data" not in response.json()
    assert "operationName" in unnamed.json()["errors"][0]["message"]
    assert named.status_code == 200
    assert "pillars" not in named.json()["data"] and len(named.json()["data"]["provinces"]) > 0


async def test_a_mutation_chosen_by_name_over_get_is_405(db_url: str) -> None:
    document = "query Q { pillars { code } } mutation M { x }"
    async with app_client(db_url) as client:
        mutation = await client.get("/graphql", params={"query": document, "operationName": "M"})
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert error_codes(mutation.json()) == ["METHOD_NOT_ALLOWED"]


CURSOR_FIELDS = {
    "top level": "query($c: String) { questions(after: $c) { totalCount } }",
    "nested": "query($c: String) { provinces { tasks(after: $c) { totalCount } } }",
    "documents": "query($c: String) { documents(after: $c) { totalCount } }",
    "agencies": "query($c: String) { agencies(after: $c) { totalCount } }",
}


@pytest.mark.parametrize("field", sorted(CURSOR_FIELDS))
@pytest.mark.parametrize("position", [2**63, 2**70, 10**400], ids=["2^63", "2^70", "10^400"])
async def test_cursors_beyond_64_bits_are_bad_user_input(
    loaded_url: str, field: str, position: int
) -> None:
    async with app_client(loaded_url) as client:
        response = await client.post(
            "/graphql",
            json={"query": CURSOR_FIELDS[field], "variables": {"c": cursor(position)}},
        )
    assert response.status_code == 200
    assert set(error_codes(response.json())) == {"BAD_USER_INPUT"}
    assert_no_internals(response)


async def test_the_largest_cursor_still_pages(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": CURSOR_FIELDS["top level"].replace(
                    "totalCount", "totalCount nodes { id }"
                ),
                "variables": {"c": cursor(2**63 - 2)},
            },
        )
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["questions"]["totalCount"] > 0


@pytest.mark.parametrize(
    "raw", ["Node:x", "Nope:x", "PageInfo:x", "Province:lao-cai\x00", "Question:\x00"]
)
async def test_node_ids_naming_no_object_are_null(loaded_url: str, raw: str) -> None:
    async with app_client(loaded_url) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": "query($i: ID!) { node(id: $i) { id } }",
                "variables": {"i": node_id(raw)},
            },
        )
    assert response.status_code == 200
    assert response.json() == {"data": {"node": None}}


async def test_a_real_node_id_still_resolves(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        first = await client.post("/graphql", json={"query": "{ provinces { id slug } }"})
        province = first.json()["data"]["provinces"][0]
        again = await client.post(
            "/graphql",
            json={
                "query": "query($i: ID!) { node(id: $i) { ... on Province { slug } } }",
                "variables": {"i": province["id"]},
            },
        )
    assert again.json() == {"data": {"node": {"slug": province["slug"]}}}


@pytest.mark.parametrize("env", ["development", "production"])
async def test_a_database_data_error_is_bad_user_input_without_its_sql(
    loaded_url: str, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the driver says about a value it cannot take (a NUL on PostgreSQL, an integer
    beyond 64 bits) names the statement and its parameters: none of it reaches the client."""
    import sqlalchemy.exc

    async def refuses(*_args: Any) -> Any:
        raise sqlalchemy.exc.DataError(
            "SELECT provinces.id FROM provinces WHERE provinces.slug = $1",
            ("lao\x00cai",),
            ValueError("invalid byte sequence for encoding UTF8: 0x00"),
        )

    monkeypatch.setattr("schema.provinces.find_province", refuses)
    async with app_client(loaded_url, env=env) as client:
        response = await client.post(
            "/graphql", json={"query": '{ province(slug: "lao-cai") { name } }'}
        )
    assert response.status_code == 200
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert "0x00" not in response.text and "lao" not in response.text.replace("lao-cai", "")
    assert_no_internals(response)
