"""Vietnamese search: without diacritics, ranked, highlighted, the same on both backends."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from devkit.client import app_client, error_codes, gql, post, statements
from dxtext.text import fold
from tests.conftest import load_into, subset_manifest

SEARCH = """query($q: String!, $types: [SearchType!], $p: String, $n: Int, $after: String) {
  search(query: $q, types: $types, province: $p, first: $n, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { score snippet item {
      __typename
      ... on Question { id number text answer source { slug } }
      ... on Task { id title }
      ... on Target { id text }
      ... on Document { id docNumber: number docTitle: title }
      ... on Figure { id label value unit unitText asOf }
      ... on Passage { id heading text }
    } }
  }
}"""


async def search(client, q: str, n: int = 100, **args: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(client, SEARCH, q=q, n=n, **args))["search"]
    return result


async def search_all(client, q: str) -> dict[str, Any]:
    """Every hit of a search, page after page."""
    result = await search(client, q)
    while result["pageInfo"]["hasNextPage"]:
        more = await search(client, q, after=result["pageInfo"]["endCursor"])
        result["nodes"] += more["nodes"]
        result["pageInfo"] = more["pageInfo"]
    assert len(result["nodes"]) == result["totalCount"]
    return result


def ids(result: dict[str, Any]) -> list[str]:
    return [hit["item"]["id"] for hit in result["nodes"]]


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("chuyển đổi số", "chuyen doi so"),
        ("Đảng bộ", "dang bo"),
        ("thương mại điện tử", "thuong mai dien tu"),
        ("Thông tin và Truyền thông", "thong tin va truyen thong"),
    ],
)
async def test_accented_and_plain_queries_find_the_same_items(
    loaded_url: str, accented: str, plain: str
) -> None:
    async with app_client(loaded_url) as client:
        with_marks = await search_all(client, accented)
        without = await search_all(client, plain)
        upper = await search_all(client, plain.upper())
    assert with_marks["totalCount"] == without["totalCount"] == upper["totalCount"] > 0
    assert set(ids(with_marks)) == set(ids(without)) == set(ids(upper))
    # exact diacritics rank at least as high as the folded form, and above other spellings
    # (a folded match is a weaker match): the first hit spells the query as typed
    plain_scores = {hit["item"]["id"]: hit["score"] for hit in without["nodes"]}
    spelled = [h for h in with_marks["nodes"] if accented.lower() in h["snippet"].lower()]
    assert spelled and with_marks["nodes"][0] in spelled
    for hit in spelled:
        assert hit["score"] >= plain_scores[hit["item"]["id"]]


@pytest.mark.parametrize("query", ["kinh tế số là gì", "kinh te so la gi"])
async def test_definition_questions_of_both_booklets_rank_in_the_top_five(
    loaded_url: str, query: str
) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, query, n=5)
    top = [
        (hit["item"]["source"]["slug"], hit["item"]["text"])
        for hit in result["nodes"]
        if hit["item"]["__typename"] == "Question"
    ]
    assert ("ha-giang-hoi-dap-2022", "Kinh tế số là gì?") in top
    assert ("khanh-hoa-hoi-dap-2022", "Kinh tế số là gì?") in top


async def test_cong_dan_so_finds_both_booklets_definition(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, "công dân số", types=["QUESTION"], n=5)
    found = {(h["item"]["source"]["slug"], h["item"]["text"]) for h in result["nodes"]}
    assert ("ha-giang-hoi-dap-2022", "Công dân số là gì?") in found
    assert ("khanh-hoa-hoi-dap-2022", "Công dân số là gì?") in found


async def test_title_phrase_ranks_above_scattered_words(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, "kinh te so", types=["QUESTION"])
    phrase = "kinh te so"
    positions = [
        (
            phrase in fold(h["item"]["text"]),
            phrase in fold(h["item"]["text"] + " " + h["item"]["answer"]),
        )
        for h in result["nodes"]
    ]
    in_title = [i for i, (title, _) in enumerate(positions) if title]
    nowhere = [i for i, (_, anywhere) in enumerate(positions) if not anywhere]
    assert in_title and nowhere
    assert max(in_title) < min(nowhere), "a question naming the phrase ranks below scattered words"
    scores = [h["score"] for h in result["nodes"]]
    assert scores == sorted(scores, reverse=True)


async def test_snippets_mark_the_original_words(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, "chuyen doi so", n=10)
    for hit in result["nodes"]:
        marked = re.findall(r"<mark>(.*?)</mark>", hit["snippet"])
        assert marked, hit["snippet"]
        assert all(fold(m).split()[0] in ("chuyen", "doi", "so") for m in marked)
        assert "<" not in re.sub(r"</?mark>", "", hit["snippet"])
    all_marks = " ".join(
        re.findall(r"<mark>(.*?)</mark>", " ".join(h["snippet"] for h in result["nodes"]))
    )
    assert "chuyển đổi số" in all_marks.lower()  # diacritics intact, as written


async def test_snippets_escape_html(loaded_url: str) -> None:
    from schema.search_rank import highlight

    snippet = highlight("Số <b>liệu</b> & chuyển đổi số", ["chuyen", "doi", "so"])
    assert "&lt;b&gt;" in snippet and "&amp;" in snippet
    assert "<mark>chuyển đổi số</mark>" in snippet and snippet.startswith("<mark>Số</mark>")
    assert loaded_url  # runs on each backend like the rest of the module


async def test_types_and_province_narrow(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        everything = await search_all(client, "chuyen doi so")
        tasks = await search(client, "chuyen doi so", types=["TASK"])
        lao_cai = await search(client, "chuyen doi so", p="10")
    assert tasks["totalCount"] > 0
    assert {h["item"]["__typename"] for h in tasks["nodes"]} == {"Task"}
    assert set(ids(tasks)) < set(ids(everything))
    assert 0 < lao_cai["totalCount"] < everything["totalCount"]


@pytest.mark.parametrize(
    "query",
    [
        '"chuyển đổi số',
        "(kinh tế) [số]",
        "số*",
        "' OR 1=1; DROP TABLE questions; --",
        "a\x00b",
        "",
        "   ",
        "NEAR(kinh tế)",
        "kinh AND OR NOT",
        "x" * 500,
        "\\",
        "%_%",
    ],
)
async def test_odd_input_is_plain_words(loaded_url: str, query: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(client, SEARCH, q=query, n=5)
    assert body["_status"] == 200
    assert "errors" not in body, body["errors"]
    assert body["data"]["search"]["totalCount"] >= 0


async def test_too_long_a_query_is_bad_user_input(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(client, SEARCH, q="chuyển đổi số " * 40, n=5)
        in_filter = await post(
            client, "query($q: String) { tasks(filter: {search: $q}) { totalCount } }", q="x" * 501
        )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert error_codes(in_filter) == ["BAD_USER_INPUT"]


QUERIES = [
    "chuyển đổi số",
    "chuyen doi so",
    "kinh tế số là gì",
    "kinh te so la gi",
    "công dân số",
    "dang bo",
    "Đảng bộ",
    "thuong mai dien tu",
    "chính quyền số",
    "xa hoi so",
    "nền tảng số",
    "dich vu cong truc tuyen",
    "du lich",
    "Sở Thông tin và Truyền thông",
    "nghi quyet 18",
    "293/KH-UBND",
    "749/QD-TTg",
    "hạ tầng số",
    "an toàn thông tin",
    "ky nang so",
    "doanh nghiệp",
    "chữ ký số",
    "thanh toán không dùng tiền mặt",
    "y te",
    "giáo dục",
    # as people type
    "chuyen doi s",
    "thuong mai dien t",
    "nong ngiep",
    "chuyen doi so la gj",
    "make in vietnam",
    "SOC",
]

AGREE = """query($q: String!) { search(query: $q, first: 10) {
  totalCount totalCountIsExact suggestion
  facets {
    types { type count }
    provinces { province { slug } count }
    pillars { pillar { code } count }
  }
  nodes { score snippet item { ... on Node { id } } }
} }"""


async def test_sqlite_and_postgresql_agree_on_the_top_ten(loaded_urls: dict[str, str]) -> None:
    """The same hits in the same order, scores, snippets, counts, facets and suggestions."""
    answers: dict[str, list[dict[str, Any]]] = {}
    for backend, url in loaded_urls.items():
        async with app_client(url, anon_rate_limit="100000/minute") as client:
            answers[backend] = [(await gql(client, AGREE, q=q))["search"] for q in QUERIES]
    assert sum(bool(a["nodes"]) for a in answers["sqlite"]) >= 25
    for query, lite, pg in zip(QUERIES, answers["sqlite"], answers["postgresql"], strict=True):
        assert lite == pg, query


async def test_corpus_statistics_are_counted_once_per_content_version(
    db_url: str, tmp_path: Path
) -> None:
    """Planning and scoring need the vocabulary and corpus statistics, and matching the
    engine's index; they are memoised per content version: a repeated search reads none of
    them again, and after a load the matches and scores are the new corpus's."""
    await load_into(db_url)
    async with app_client(db_url, version_poll_interval=0.1) as client:
        before = statements(client)
        first = await search(client, "chuyen doi so", n=5)
        cold = statements(client) - before
        before = statements(client)
        again = await search(client, "chuyen doi so", n=6)  # other variables: no cached answer
        warm = statements(client) - before
        # the vocabulary, the entries and their pillars (the index and the corpus
        # statistics are built from them) and the candidates scored are not read again
        assert cold - warm == 4, (cold, warm)
        assert [h["score"] for h in again["nodes"][:5]] == [h["score"] for h in first["nodes"]]

        await load_into(db_url, subset_manifest(tmp_path, 1))
        deadline = asyncio.get_running_loop().time() + 5
        while (await search(client, "chuyen doi so", n=5))["totalCount"] == first["totalCount"]:
            assert asyncio.get_running_loop().time() < deadline, "the load was never seen"
            await asyncio.sleep(0.1)
        after = await search(client, "chuyen doi so", n=5)
    async with app_client(db_url) as fresh:
        expected = await search(fresh, "chuyen doi so", n=5)
    assert after == expected  # not scored with the old corpus's statistics
    assert [h["score"] for h in after["nodes"]] != [h["score"] for h in first["nodes"]]


async def test_each_process_keeps_the_engine_index_of_the_newest_two_versions(
    db_url: str, tmp_path: Path
) -> None:
    """A request that began before a load still finds its version's index; older indexes
    are dropped, not left to grow with every load."""
    import schema.search

    await load_into(db_url)
    counts = []
    async with app_client(db_url, version_poll_interval=0.1) as client:
        for keep in (1, 2, 3):
            before = (await search(client, "chuyen doi so", n=1))["totalCount"]
            folder = tmp_path / str(keep)
            folder.mkdir()
            await load_into(db_url, subset_manifest(folder, keep))
            deadline = asyncio.get_running_loop().time() + 5
            while (now := (await search(client, "chuyen doi so", n=1))["totalCount"]) == before:
                assert asyncio.get_running_loop().time() < deadline, "the load was never seen"
                await asyncio.sleep(0.1)
            counts.append(now)
        shelf = client.app_state.corpus_cache["search:versions"]  # type: ignore[attr-defined]
        current = client.app_state.content_version.current  # type: ignore[attr-defined]
    assert len(shelf) == schema.search.KEPT_INDEXES == 2 and current in shelf
    assert counts == sorted(counts) and len(set(counts)) == 3


async def test_the_index_is_read_in_batches_that_each_stay_short(
    loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large corpus is read a batch at a time (PostgreSQL's statement_timeout would stop
    one statement reading it all); the batches together are the whole corpus, in order."""
    import schema.search

    async with app_client(loaded_url) as whole:
        expected = await search(whole, "chuyen doi so", n=100)
        async with whole.app_state.sessionmaker() as session:  # type: ignore[attr-defined]
            entries = int(await session.scalar(text("SELECT count(*) FROM search_entries")))
    monkeypatch.setattr(schema.search, "BUILD_BATCH", 7)
    async with app_client(loaded_url) as batched:
        before = statements(batched)
        found = await search(batched, "chuyen doi so", n=100)
        read = statements(batched) - before
    assert found == expected
    assert read > entries // 7  # every batch of seven entries took a statement
