"""Bytes on the wire: UTF-8 JSON answers, coded (brotli, gzip) when the client accepts it,
and cached answers that keep their coded forms (api.compression, api.graphql)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import brotli  # type: ignore[import-untyped]
import httpx
import pytest

import api.compression
from api.compression import MIN_BYTES, accepted_coding
from devkit.client import app_client

#: the citizen app's page: 20 questions with their answers
PAGE = "{ questions(first: 20) { nodes { text answer } } }"


async def raw_get(
    client: httpx.AsyncClient, query: str, **headers: str
) -> tuple[httpx.Response, bytes]:
    """A GET and its body as sent, before any content decoding."""
    async with client.stream("GET", "/graphql", params={"query": query}, headers=headers) as r:
        raw = b"".join([chunk async for chunk in r.aiter_raw()])
    return r, raw


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")}


async def test_a_gzipped_page_of_questions_is_at_most_35_percent_of_the_escaped_json(
    loaded_url: str,
) -> None:
    async with app_client(loaded_url) as client:
        plain, plain_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "identity"})
        coded, coded_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "gzip"})
    answer: dict[str, Any] = json.loads(plain_raw.decode("utf-8"))
    nodes = answer["data"]["questions"]["nodes"]
    assert len(nodes) == 20 and all(n["text"] and n["answer"] for n in nodes)
    # what the answer weighed before: every letter with a diacritic a \uXXXX escape
    escaped = len(json.dumps(answer, separators=(",", ":")).encode("ascii"))
    assert escaped > 25_000  # the 25.6 KB
    assert "content-encoding" not in plain.headers
    assert len(plain_raw) < 0.7 * escaped  # UTF-8: a Vietnamese letter is 2-3 bytes, not 6
    assert coded.headers["content-encoding"] == "gzip"
    assert int(coded.headers["content-length"]) == len(coded_raw)
    assert len(coded_raw) <= 0.35 * escaped
    assert gzip.decompress(coded_raw) == plain_raw
    assert {"accept-encoding"} <= vary(coded) and {"accept-encoding"} <= vary(plain)


async def test_answers_are_utf8_json_without_escapes(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        response, raw = await raw_get(client, PAGE, **{"Accept-Encoding": "identity"})
    assert response.headers["content-type"].startswith("application/")
    text = raw.decode("utf-8")
    assert "\\u" not in text
    assert "chuyển đổi số" in text.lower()
    assert len(json.loads(text)["data"]["questions"]["nodes"]) == 20


async def test_brotli_when_the_client_prefers_it(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        _, plain = await raw_get(client, PAGE, **{"Accept-Encoding": "identity"})
        both, both_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "gzip, br"})
        gzip_first, gz_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "br;q=0.5, gzip"})
    assert both.headers["content-encoding"] == "br"
    assert brotli.decompress(both_raw) == plain
    assert gzip_first.headers["content-encoding"] == "gzip"
    assert gzip.decompress(gz_raw) == plain


async def test_small_answers_are_not_coded(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        response, raw = await raw_get(client, "{ pillars { code } }", **{"Accept-Encoding": "gzip"})
    assert len(raw) < MIN_BYTES
    assert "content-encoding" not in response.headers
    assert json.loads(raw)["data"]["pillars"]


async def test_a_cache_hit_is_not_compressed_again(
    loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    compress = api.compression.compress

    def counting(body: bytes, coding: str) -> bytes:
        calls.append(coding)
        return compress(body, coding)

    monkeypatch.setattr(api.compression, "compress", counting)
    async with app_client(loaded_url) as client:
        first, first_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "gzip"})
        second, second_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "gzip"})
    assert calls == ["gzip"]
    assert second_raw == first_raw
    assert first.headers["etag"] == second.headers["etag"]


async def test_each_coding_has_its_own_etag_and_304(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        plain, plain_raw = await raw_get(client, PAGE, **{"Accept-Encoding": "identity"})
        coded, _ = await raw_get(client, PAGE, **{"Accept-Encoding": "gzip"})
        same, same_raw = await raw_get(
            client,
            PAGE,
            **{"Accept-Encoding": "gzip", "If-None-Match": coded.headers["etag"]},
        )
        other, other_raw = await raw_get(
            client,
            PAGE,
            **{"Accept-Encoding": "identity", "If-None-Match": coded.headers["etag"]},
        )
    assert plain.headers["etag"] != coded.headers["etag"]
    assert same.status_code == 304 and same_raw == b""
    assert same.headers["etag"] == coded.headers["etag"]
    assert other.status_code == 200 and "content-encoding" not in other.headers
    assert other_raw == plain_raw
    assert other.headers["etag"] == plain.headers["etag"]


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.1, gzip;q=0.9", "gzip"),
        ("gzip;q=0", None),
        ("*", "br"),
        ("*;q=0.5, br;q=0", "gzip"),
        ("GZIP", "gzip"),
        ("gzip;q=nonsense", None),
        ("deflate", None),
    ],
)
def test_accepted_coding(header: str | None, coding: str | None) -> None:
    assert accepted_coding(header) == coding
