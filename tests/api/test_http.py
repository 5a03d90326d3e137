"""HTTP rules of /graphql (CLI.md): 413, 400 with a JSON errors list, 405, CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator

from devkit.client import app_client, error_codes

QUERY = "{ pillars { code } }"


async def test_body_over_the_limit_is_413_before_parsing(db_url: str) -> None:
    padding = " " * (1024 * 1024)
    async with app_client(db_url) as client:
        declared = await client.post(
            "/graphql",
            content=b'{"query": "' + padding.encode() + b'{ pillars { code } }"}',
            headers={"Content-Type": "application/json"},
        )

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            yield b'{"query": "'
            for _ in range(17):
                yield b" " * 65536
            yield b'{ pillars { code } }"}'

        streamed = await client.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        just_under = await client.post(
            "/graphql", json={"query": " " * (1024 * 1024 - 100) + QUERY}
        )
    for response in (declared, streamed):
        assert response.status_code == 413
        assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    assert just_under.status_code == 200
    assert len(just_under.json()["data"]["pillars"]) == 3


async def test_invalid_json_is_400_with_a_json_errors_list(db_url: str) -> None:
    async with app_client(db_url) as client:
        broken = await client.post(
            "/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"}
        )
        not_object = await client.post(
            "/graphql",
            content=b'"{ pillars { code } }"',
            headers={"Content-Type": "application/json"},
        )
        bad_variables = await client.post("/graphql", json={"query": QUERY, "variables": [1, 2]})
        bad_get_variables = await client.get(
            "/graphql", params={"query": QUERY, "variables": "{nope"}
        )
    for response in (broken, not_object, bad_variables, bad_get_variables):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/json")
        errors = response.json()["errors"]
        assert errors[0]["message"]
        assert errors[0]["extensions"]["code"] == "BAD_REQUEST"


async def test_mutation_over_get_is_405(db_url: str) -> None:
    async with app_client(db_url) as client:
        mutation = await client.get("/graphql", params={"query": "mutation { x }"})
        query = await client.get("/graphql", params={"query": QUERY})
        put = await client.put("/graphql", json={"query": QUERY})
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert error_codes(mutation.json()) == ["METHOD_NOT_ALLOWED"]
    assert query.status_code == 200
    assert len(query.json()["data"]["pillars"]) == 3
    assert put.status_code == 405


async def test_cors_allows_only_the_configured_origins(db_url: str) -> None:
    async with app_client(
        db_url, cors_origins="https://congdanso.example, https://b.example"
    ) as client:
        allowed = await client.options(
            "/graphql",
            headers={
                "Origin": "https://congdanso.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-api-key",
            },
        )
        refused = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        simple = await client.post(
            "/graphql", json={"query": QUERY}, headers={"Origin": "https://b.example"}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://congdanso.example"
    assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert simple.headers["access-control-allow-origin"] == "https://b.example"
    assert "etag" in simple.headers["access-control-expose-headers"].lower()


async def test_no_cors_by_default(db_url: str) -> None:
    async with app_client(db_url) as client:
        response = await client.post(
            "/graphql", json={"query": QUERY}, headers={"Origin": "https://a.example"}
        )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_request_id_is_echoed_or_made(db_url: str) -> None:
    async with app_client(db_url) as client:
        given = await client.post(
            "/graphql", json={"query": QUERY}, headers={"X-Request-ID": "abc-123"}
        )
        made = await client.post(
            "/graphql", json={"query": QUERY}, headers={"X-Request-ID": "bad id\\n"}
        )
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32


async def test_unknown_operation_name_or_missing_query_is_400(db_url: str) -> None:
    async with app_client(db_url) as client:
        unknown = await client.post(
            "/graphql", json={"query": "query A { pillars { code } }", "operationName": "B"}
        )
        missing = await client.post("/graphql", json={"variables": {}})
    for response in (unknown, missing):
        assert response.status_code == 400
        assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_a_lone_surrogate_is_400_not_500(db_url: str) -> None:
    async with app_client(db_url) as client:
        response = await client.post(
            "/graphql",
            content=b'{"query": "query($s: String) { province(slug: $s) { id } }",'
            b' "variables": {"s": "\\ud800"}}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_nul_in_a_lookup_is_an_unknown_value_on_both_databases(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        lookups = await client.post(
            "/graphql",
            json={
                "query": """query($v: String!) {
                  province(slug: $v) { id } byCode: province(code: $v) { id }
                  document(number: $v) { id }
                  targets(filter: {document: $v}) { totalCount }
                  questions(filter: {source: $v}) { totalCount } }""",
                "variables": {"v": "lao-cai\x00"},
            },
        )
        filtered = await client.post(
            "/graphql", json={"query": '{ rankings(province: "ha-giang\\u0000") { year } }'}
        )
    body = lookups.json()
    assert lookups.status_code == 200
    assert "errors" not in body, body
    assert body["data"] == {
        "province": None,
        "byCode": None,
        "document": None,
        "targets": {"totalCount": 0},
        "questions": {"totalCount": 0},
    }
    assert error_codes(filtered.json()) == ["BAD_USER_INPUT"]


async def test_graphql_response_json_makes_request_errors_400(db_url: str) -> None:
    new = {"Accept": "application/graphql-response+json"}
    async with app_client(db_url) as client:
        ok = await client.post("/graphql", json={"query": QUERY}, headers=new)
        invalid = await client.post("/graphql", json={"query": "{ nope }"}, headers=new)
        legacy = await client.post("/graphql", json={"query": "{ nope }"})
        limited = await client.post(
            "/graphql",
            json={"query": "{ provinces { tasks { nodes { title } } } }"},
            headers={"Accept": "application/graphql-response+json;q=1, application/json;q=0.5"},
        )
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    assert len(ok.json()["data"]["pillars"]) == 3
    assert invalid.status_code == 400 and "data" not in invalid.json()
    assert error_codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert legacy.status_code == 200 and legacy.json()["data"] is None
    assert legacy.headers["content-type"].startswith("application/json")
    assert limited.status_code == 200  # within the default limits: runs
