"""The document cache (api.document_cache): a repeated query text is neither parsed nor
validated again, and everything that depends on the request still is checked."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry.schema.schema

from api.document_cache import MAX_QUERY_CHARS, DocumentStore
from devkit.client import app_client, error_codes, gql, post

PAGE = """query Page($n: Int) { questions(first: $n) { totalCount nodes { id } } }
query Count { questions { totalCount } }"""


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The query texts Strawberry parses from now on."""
    seen: list[str] = []
    parse = strawberry.schema.schema.parse

    def counting(source: Any, **options: Any) -> Any:
        seen.append(source)
        return parse(source, **options)

    monkeypatch.setattr(strawberry.schema.schema, "parse", counting)
    return seen


async def page(client: Any, n: int | None, operation: str = "Page") -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": PAGE, "variables": {"n": n}, "operationName": operation}
    )
    body: dict[str, Any] = response.json()
    return body


async def test_a_repeated_query_is_parsed_once_and_still_answers_per_request(
    loaded_url: str, parses: list[str]
) -> None:
    async with app_client(loaded_url) as client:
        store: DocumentStore = client.app_state.documents  # type: ignore[attr-defined]
        one = await page(client, 1)
        three = await page(client, 3)
        count = await page(client, None, operation="Count")
        assert parses == [PAGE]
        assert len(store) == 1
        assert len(one["data"]["questions"]["nodes"]) == 1
        assert len(three["data"]["questions"]["nodes"]) == 3
        assert count["data"]["questions"]["totalCount"] == one["data"]["questions"]["totalCount"]
        # the page size and cost depend on the variables: checked on every request
        over = await page(client, 101)
        assert error_codes(over) == ["PAGE_SIZE_LIMIT"]
        bad = await page(client, "three")  # type: ignore[arg-type]
        assert error_codes(bad) == ["BAD_USER_INPUT"]
        assert parses == [PAGE]


async def test_invalid_documents_are_not_kept(loaded_url: str, parses: list[str]) -> None:
    invalid = "{ questions { totalCount nope } }"
    deep = "{ provinces { documents { nodes { targets { nodes { quantities { value } } } } } } }"
    async with app_client(loaded_url, max_depth=5) as client:
        store: DocumentStore = client.app_state.documents  # type: ignore[attr-defined]
        for _ in range(2):
            assert error_codes(await post(client, invalid)) == ["GRAPHQL_VALIDATION_FAILED"]
            assert error_codes(await post(client, deep)) == ["DEPTH_LIMIT"]
            assert error_codes(await post(client, "{ questions {")) == ["GRAPHQL_PARSE_FAILED"]
        assert len(store) == 0
        assert parses.count(invalid) == 2 and parses.count(deep) == 2


async def test_the_limits_of_the_schema_apply_to_kept_documents(loaded_url: str) -> None:
    """Each app has its own store: a document kept under loose limits is not reused by an
    app with stricter ones."""
    query = "{ provinces { slug } }"
    async with app_client(loaded_url) as loose:
        assert len((await gql(loose, query))["provinces"]) > 0
    async with app_client(loaded_url, max_tokens=5) as strict:
        assert error_codes(await post(strict, query)) == ["TOKEN_LIMIT"]


def test_the_store_is_bounded_by_the_length_of_its_texts() -> None:
    from graphql import parse

    store = DocumentStore(max_chars=100)
    texts = [f"{{ provinces {{ slug name{i} }} }}" for i in range(10)]  # ~30 chars each
    for text in texts:
        store.put(text, parse(text))
    assert 0 < len(store) <= 100 // len(texts[0])
    assert store.get(texts[-1]) is not None and store.get(texts[0]) is None
    roomy = DocumentStore()
    long = "{ provinces { slug } }" + " " * MAX_QUERY_CHARS
    roomy.put(long, parse(long))
    assert roomy.get(long) is None and len(roomy) == 0
