"""Search as people type: prefixes, typos, exact spellings, facets, totals and paging.

Every expectation comes from the texts: "Chuyển đổi số là gì?" is Câu hỏi 1 of the Hà Giang
booklet, "Hiểu về Make in Viet Nam như thế nào?" a heading of the Lào Cai handbook, the
SOC task a row of Khánh Hòa's Câu 49 ("Trung tâm Giám sát … (SOC)")…
"""

from __future__ import annotations

from typing import Any

import pytest

from devkit.client import app_client, gql
from dxtext.text import fold

SEARCH = """query($q: String!, $n: Int, $after: String, $types: [SearchType!],
  $p: String, $pillar: PillarCode) {
  search(query: $q, first: $n, after: $after, types: $types, province: $p, pillar: $pillar) {
    totalCount totalCountIsExact suggestion
    pageInfo { hasNextPage endCursor }
    facets {
      types { type count }
      provinces { province { slug } count }
      pillars { pillar { code } count }
    }
    nodes { snippet item {
      __typename
      ... on Node { id }
      ... on Question { number text source { slug } province { slug } pillars { code } }
      ... on Task { title province { slug } pillars { code } }
      ... on Target { text province { slug } pillars { code } }
      ... on Document { docNumber: number docTitle: title }
    } }
  }
}"""


async def search(client: Any, q: str, n: int = 10, **args: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(client, SEARCH, q=q, n=n, **args))["search"]
    return result


def label(hit: dict[str, Any]) -> str:
    item = hit["item"]
    return str(item.get("text") or item.get("title") or item.get("docTitle") or "")


@pytest.mark.parametrize(
    ("typed", "phrase"),
    [("chuyen doi s", "chuyen doi so"), ("thuong mai dien t", "thuong mai dien tu")],
)
async def test_half_typed_last_word_matches_as_a_prefix(
    loaded_url: str, typed: str, phrase: str
) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, typed, n=5)
        whole = await search(client, phrase, n=5)
    assert result["totalCount"] >= whole["totalCount"] > 0
    assert all(
        phrase in fold(label(hit)) or phrase in fold(hit["snippet"]) for hit in result["nodes"]
    )


async def test_whole_words_rank_above_prefix_completions(loaded_url: str) -> None:
    # "so" as typed is a whole word ("số"), and a prefix of "sống", "soạn"…: the whole word
    # wins, so the first hits hold "số" itself
    async with app_client(loaded_url) as client:
        result = await search(client, "kinh te so", n=3)
    assert fold(label(result["nodes"][0])).split()[:3] == ["kinh", "te", "so"]


async def test_a_misspelt_word_is_corrected_and_suggested(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        typo = await search(client, "nong ngiep", n=5)
        right = await search(client, "nông nghiệp", n=5)
        sentence = await search(client, "chuyen doi so nong ngiep", n=3)
    assert typo["suggestion"] == "nông nghiệp"
    assert right["suggestion"] is None
    # the correction finds what the right spelling finds (the order may differ a little:
    # the right spelling also earns its exact-spelling weight)
    assert len({label(h) for h in typo["nodes"]} & {label(h) for h in right["nodes"]}) >= 4
    assert all(
        "nông nghiệp" in label(h).lower() or "nông nghiệp" in h["snippet"] for h in typo["nodes"]
    )
    assert sentence["suggestion"] == "chuyển đổi số nông nghiệp"
    assert "nông nghiệp" in label(sentence["nodes"][0]).lower()


async def test_a_stray_short_word_does_not_empty_the_answer(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, "chuyen doi so la gj", n=2)
    assert [label(h) for h in result["nodes"]] == ["Chuyển đổi số là gì?"] * 2


async def test_compounds_match_with_or_without_a_space(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        joined = await search(client, "make in vietnam", n=1)
        spaced = await search(client, "make in viet nam", n=1)
    assert label(joined["nodes"][0]) == label(spaced["nodes"][0])
    assert label(joined["nodes"][0]) == "Hiểu về Make in Viet Nam như thế nào?"
    assert joined["suggestion"] is None  # the query as written is no misspelling


async def test_a_plain_word_the_texts_write_plain_prefers_that_form(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, "SOC", n=3)
    first = result["nodes"][0]
    assert first["item"]["__typename"] == "Task" and "(SOC)" in first["item"]["title"]
    assert "<mark>SOC</mark>" in first["snippet"]


async def test_an_accented_query_marks_only_its_own_spelling(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        result = await search(client, "chữ ký số", n=5)
    top = result["nodes"][0]["snippet"]
    assert "<mark>chữ ký số</mark>" in top
    assert "<mark>sơ</mark>" not in top and "<mark>sổ</mark>" not in top


async def test_facets_count_every_match(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        for query in ("chuyen doi so", "du lich", "an toan thong tin", "nong ngiep"):
            result = await search(client, query, n=1)
            counts = {t["type"]: t["count"] for t in result["facets"]["types"]}
            assert sum(counts.values()) == result["totalCount"] > 0, query
            narrowed = await search(client, query, n=1, types=["TASK"])
            assert narrowed["totalCount"] == counts.get("TASK", 0), query
            for entry in result["facets"]["provinces"]:
                slug = entry["province"]["slug"]
                in_province = await search(client, query, n=1, p=slug)
                assert in_province["totalCount"] == entry["count"], (query, slug)
            for entry in result["facets"]["pillars"]:
                code = entry["pillar"]["code"]
                in_pillar = await search(client, query, n=100, pillar=code)
                assert in_pillar["totalCount"] == entry["count"], (query, code)


async def test_pillar_narrows_to_items_of_that_pillar(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        everything = await search(client, "chuyen doi so", n=1)
        economy = await search(client, "chuyen doi so", n=100, pillar="DIGITAL_ECONOMY")
    assert 0 < economy["totalCount"] < everything["totalCount"]
    for hit in economy["nodes"]:
        if "pillars" in hit["item"]:
            assert "DIGITAL_ECONOMY" in {p["code"] for p in hit["item"]["pillars"]}


async def test_paging_a_common_word_ends_cleanly(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        first = await search(client, "so", n=100)
        seen = list(first["nodes"])
        result = first
        pages = 1
        while result["pageInfo"]["hasNextPage"]:
            result = await search(client, "so", n=100, after=result["pageInfo"]["endCursor"])
            assert result["nodes"], "a page promised by hasNextPage came back empty"
            seen += result["nodes"]
            pages += 1
            assert pages <= 11
    assert first["totalCountIsExact"] is True
    # the ranked list holds every match (up to the documented 1,000) and ends with false
    assert len(seen) == min(first["totalCount"], 1000)
    ids = [hit["item"]["id"] for hit in seen]
    assert len(ids) == len(set(ids))  # no item twice across pages
    assert result["pageInfo"]["hasNextPage"] is False


def test_the_engine_counts_every_match_it_can_bound() -> None:
    """A query the vocabulary bounds to at most ``ONE_PASS_BOUND`` entries is counted in
    one pass, exactly, past 10,000; the facets spread every match."""
    from schema.search_engine import COUNT_CAP, ONE_PASS_BOUND, IndexedEntry, SearchIndex
    from schema.search_plan import Vocabulary, plan_query

    size = 12_000
    assert COUNT_CAP < size <= ONE_PASS_BOUND
    entries = [
        IndexedEntry(
            id=f"e{n}",
            kind="TASK" if n % 3 else "QUESTION",
            province_id="ha-giang" if n % 2 else None,
            pillars=("DIGITAL_ECONOMY",) if n % 4 == 0 else (),
            title_folded=f"chuyen doi so muc {n}",
            body_folded="nong nghiep" if n % 5 == 0 else "du lich",
        )
        for n in range(size)
    ]
    index = SearchIndex(entries)
    words = ["chuyen", "doi", "so", "muc", "nong", "nghiep", "du", "lich"]
    vocabulary = Vocabulary.of([(w, w, w, size) for w in words])
    matching = index.query(plan_query("chuyen doi so", vocabulary, 8), vocabulary)
    found = index.search(matching, 1000)
    assert (found.count, found.exact) == (size, True)
    facets = index.facets(matching)
    assert facets.kinds == {"QUESTION": 4_000, "TASK": 8_000}
    assert facets.provinces == {"ha-giang": 6_000}
    assert facets.pillars == {"DIGITAL_ECONOMY": 3_000}
    farming = index.query(plan_query("so nong", vocabulary, 8), vocabulary, kinds=["TASK"])
    assert index.search(farming, 1).count == sum(1 for n in range(size) if n % 5 == 0 and n % 3)
    assert len(found.ids) == len(set(found.ids)) == 1000


def test_a_vague_query_stops_counting_past_the_cap_and_ranks_what_it_visited() -> None:
    """Where the vocabulary cannot bound a query, the engine visits source order in
    growing windows until ``COUNT_CAP`` matches are counted: the count is then a lower
    bound (not exact), the best are the best of the windows visited, compared by the
    whole index's scores; a query that never reaches the cap is still counted exactly."""
    from schema.search_engine import COUNT_CAP, ONE_PASS_BOUND, IndexedEntry, SearchIndex
    from schema.search_plan import Vocabulary, plan_query

    size = 60_000
    assert size > ONE_PASS_BOUND
    # every title holds the query in five words, but one: "chuyen doi so" alone, shorter,
    # so it scores higher; it stands past the first window
    stronger = 5_000
    entries = [
        IndexedEntry(
            id=f"e{n}",
            kind="QUESTION" if n % 3 == 0 else "TASK",
            province_id=None,
            pillars=(),
            title_folded="chuyen doi so" if n == stronger else f"chuyen doi so muc {n}",
            body_folded="nong nghiep" if n % 5 == 0 else "du lich",
        )
        for n in range(size)
    ]
    index = SearchIndex(entries)
    words = ["chuyen", "doi", "so", "muc", "nong", "nghiep", "du", "lich"]
    vocabulary = Vocabulary.of([(w, w, w, size) for w in words])
    found = index.search(index.query(plan_query("chuyen doi so", vocabulary, 8), vocabulary), 20)
    assert COUNT_CAP <= found.count < size
    assert not found.exact
    # the stronger entry first, then the rest tied, in source order
    assert found.ids == [f"e{stronger}"] + [f"e{n}" for n in range(19)]
    # matching in every window but counting fewer than the cap: exact
    sparse = index.query(plan_query("nong", vocabulary, 8), vocabulary, kinds=["QUESTION"])
    counted = index.search(sparse, 5)
    assert (counted.count, counted.exact) == (size // 15, True)
    assert counted.ids == [f"e{n}" for n in range(0, 75, 15)]


SEARCH_COUNT_ONLY = """query($q: String!) {
  search(query: $q, first: 3) { totalCount totalCountIsExact nodes { item { ... on Node { id } } } }
}"""


async def test_past_the_count_cap_totals_are_lower_bounds_unless_facets_are_asked(
    loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled sources are far below the cap, so the cap is lowered here to what they
    reach: "chuyen doi so" (hundreds of matches) is then counted window by window and its
    total is a lower bound, flagged; asked for facets, search counts every match and the
    total is the exact one, as the facets add up to it."""
    import schema.search_engine as engine

    async with app_client(loaded_url) as client:
        exact = await search(client, "chuyen doi so", n=3)
    monkeypatch.setattr(engine, "COUNT_CAP", 50)
    monkeypatch.setattr(engine, "ONE_PASS_BOUND", 0)
    monkeypatch.setattr(engine, "MIN_WINDOW", 64)
    async with app_client(loaded_url) as client:  # a new app: an index with small tiers
        bounded = (await gql(client, SEARCH_COUNT_ONLY, q="chuyen doi so"))["search"]
        counted = await search(client, "chuyen doi so", n=3)
    assert exact["totalCountIsExact"] is True and exact["totalCount"] > 100
    assert bounded["totalCountIsExact"] is False
    assert 50 <= bounded["totalCount"] < exact["totalCount"]
    assert counted["totalCountIsExact"] is True
    assert counted["totalCount"] == exact["totalCount"]
    assert sum(t["count"] for t in counted["facets"]["types"]) == counted["totalCount"]
