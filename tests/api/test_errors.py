"""Every row of CLI.md's error-code table, provoked over HTTP: the code and the status.

The query-limit rows (DEPTH_LIMIT, ALIAS_LIMIT, TOKEN_LIMIT, COST_LIMIT) are here too;
their edge cases are in test_limits.py. Keys and rate limits: test_keys_http.py;
persisted queries: test_caching.py; the database going away: test_fault.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.keys import create_key
from devkit.client import app_client, error_codes, post, with_sessions

PROVINCES = "{ provinces { slug name } }"


def log_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


async def test_bad_user_input_is_200(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(client, '{ tasks(filter: {province: "atlantis"}) { totalCount } }')
    assert body["_status"] == 200
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "atlantis" in body["errors"][0]["message"]


async def test_bad_variable_is_bad_user_input(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(client, "query($n: Int) { tasks(first: $n) { totalCount } }", n="ten")
    assert body["_status"] == 200
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_page_size_limit(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(client, "{ questions(first: 101) { totalCount } }")
    assert body["_status"] == 200
    assert error_codes(body) == ["PAGE_SIZE_LIMIT"]


@pytest.mark.parametrize(
    ("settings", "query", "code"),
    [
        ({"max_depth": 3}, "{ provinces { tasks { nodes { title } } } }", "DEPTH_LIMIT"),
        (
            {"max_aliases": 2},
            "{ a: provinces { slug } b: pillars { code } c: pillars { name } }",
            "ALIAS_LIMIT",
        ),
        (
            {"max_tokens": 10},
            "{ provinces { slug name code id slug name code id slug } }",
            "TOKEN_LIMIT",
        ),
        (
            {"max_cost": 100},
            "{ questions(first: 100) { nodes { id text answer } } }",
            "COST_LIMIT",
        ),
    ],
)
async def test_query_limits(db_url: str, settings: dict[str, int], query: str, code: str) -> None:
    async with app_client(db_url, **settings) as client:
        body = await post(client, query)
    assert body["_status"] == 200
    assert body["data"] is None
    assert error_codes(body) == [code]


async def test_unauthenticated_is_401(db_url: str) -> None:
    async with app_client(db_url, require_api_key=True) as client:
        missing = await client.post("/graphql", json={"query": PROVINCES})
        unknown = await client.post(
            "/graphql", json={"query": PROVINCES}, headers={"X-API-Key": "dxg_not-a-key"}
        )
    for response in (missing, unknown):
        assert response.status_code == 401
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.rate_window
async def test_rate_limited_is_429_with_retry_after(db_url: str) -> None:
    async with app_client(db_url, anon_rate_limit="2/minute") as client:
        statuses = [
            (await client.post("/graphql", json={"query": PROVINCES})).status_code for _ in range(2)
        ]
        refused = await client.post("/graphql", json={"query": PROVINCES})
    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert error_codes(refused.json()) == ["RATE_LIMITED"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_persisted_query_not_found(db_url: str) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}
    async with app_client(db_url) as client:
        response = await client.get("/graphql", params={"extensions": json.dumps(extensions)})
    assert response.status_code == 200
    assert error_codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"


async def test_service_unavailable_is_503(tmp_path: Any) -> None:
    # a database file that is not there (and cannot be created): every query fails
    missing = f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/dxgraph.db"
    async with app_client(missing) as client:
        response = await client.post("/graphql", json={"query": PROVINCES})
        ready = await client.get("/readyz")
    assert response.status_code == 503
    assert set(error_codes(response.json())) == {"SERVICE_UNAVAILABLE"}
    assert ready.status_code == 503


@pytest.mark.parametrize("env", ["development", "production"])
async def test_internal_error_carries_the_request_id_of_its_log_line(
    loaded_url: str, env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def broken(*_args: Any) -> Any:
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr("schema.provinces.find_province", broken)
    async with app_client(loaded_url, env=env) as client:
        capsys.readouterr()
        body = await post(client, '{ pillars { code } province(slug: "lao-cai") { name } }')
    err = capsys.readouterr().err
    assert body["_status"] == 200
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    error = body["errors"][0]
    assert len(body["data"]["pillars"]) == 3  # the rest of the query still answers
    request_id = error["extensions"]["requestId"]
    logged = [line for line in log_lines(err) if line.get("request_id") == request_id]
    traceback = [line for line in logged if line["event"] == "graphql.internal_error"]
    assert len(traceback) == 1
    assert "RuntimeError: secret detail" in traceback[0]["exception"]
    # the exception's message (a driver's holds SQL and parameters) stays in the log in
    # both modes; development names its class
    assert "hunter2" not in json.dumps(body) and "secret" not in json.dumps(body)
    if env == "production":
        assert error["message"] == "Internal server error"
    else:
        assert error["message"] == "Internal server error (RuntimeError; see the log)"


async def test_production_hides_field_suggestions(db_url: str) -> None:
    query = "{ provinces { nmae } }"
    async with app_client(db_url) as client:
        development = await post(client, query)
    async with app_client(db_url, env="production") as client:
        production = await post(client, query)
    assert "Did you mean" in development["errors"][0]["message"]
    assert "Did you mean" not in production["errors"][0]["message"]
    assert "nmae" in production["errors"][0]["message"]
    assert error_codes(production) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_parse_error_is_coded(db_url: str) -> None:
    async with app_client(db_url) as client:
        body = await post(client, "{ provinces { slug }")
    assert body["_status"] == 200
    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]


async def test_introspection_can_be_disabled(db_url: str) -> None:
    async with app_client(db_url, introspection=False) as client:
        body = await post(client, "{ __schema { queryType { name } } }")
        data = await post(client, "{ pillars { code } }")
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in body["errors"][0]["message"].lower()
    assert len(data["data"]["pillars"]) == 3


@pytest.mark.rate_window
async def test_a_key_works_when_required(db_url: str) -> None:
    key = await with_sessions(db_url, lambda m: create_key(m, "newsroom", "5/minute"))
    async with app_client(db_url, require_api_key=True) as client:
        by_header = await client.post(
            "/graphql", json={"query": "{ pillars { code } }"}, headers={"X-API-Key": key}
        )
        by_bearer = await client.post(
            "/graphql",
            json={"query": "{ pillars { code } }"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert by_header.status_code == by_bearer.status_code == 200
    assert len(by_bearer.json()["data"]["pillars"]) == 3
    assert by_bearer.headers["ratelimit-limit"] == "5"
    assert by_bearer.headers["ratelimit-remaining"] == "3"
