"""Passages and figures through the API, on both databases: values pinned from the texts."""

from __future__ import annotations

from typing import Any

from devkit.client import app_client, gql

FIGURE_FIELDS = """id label value unit unitText asOf asOfText province { slug }
    pillars { code } source { slug } citation { lineStart lineEnd excerpt source { slug } }"""

FIGURES = f"""query($f: FigureFilter, $after: String) {{
  figures(filter: $f, first: 100, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {FIGURE_FIELDS} }} }} }}"""

PASSAGES = """query($f: PassageFilter, $n: Int) { passages(filter: $f, first: $n) {
  totalCount nodes { id heading text position province { slug } source { slug }
    pillars { code } documents { number } figures { id value unit unitText label }
    citation { lineStart lineEnd excerpt } } } }"""


async def _all_figures(client: Any, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(client, FIGURES, f=where, after=after))["figures"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(found) == page["totalCount"]
            return found
        after = page["pageInfo"]["endCursor"]


def _one(figures: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    hits = [f for f in figures if all(f[k] == v for k, v in fields.items())]
    assert len(hits) == 1, (fields, hits)
    return hits[0]


async def test_the_issues_figures_with_values_units_dates_and_citations(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        lao_cai = await _all_figures(client, {"province": "lao-cai"})
        khanh_hoa = await _all_figures(client, {"province": "56"})
        article = await _all_figures(client, {"source": "ha-giang-bai-bao-chuyen-doi-so"})
    assert {f["province"]["slug"] for f in lao_cai} == {"lao-cai"}

    # Lào Cai handbook, PHẦN III 2.2: "2.752 trạm thu phát sóng thông tin di động - BTS"
    stations = _one(lao_cai, value=2752.0)
    assert (stations["unit"], stations["unitText"]) == ("COUNT", "trạm")
    assert stations["label"] == "trạm thu phát sóng thông tin di động - BTS"
    assert (
        stations["citation"]["lineStart"] == 545 and "2.752 trạm" in stations["citation"]["excerpt"]
    )
    # 2.1: "đã thành lập 143 tổ công nghệ số cộng đồng"
    teams = _one(lao_cai, value=143.0)
    assert (teams["unitText"], teams["label"]) == ("tổ", "tổ công nghệ số cộng đồng")
    assert teams["citation"]["lineStart"] == 539
    # 2.3: "Tính đến ngày 30/5/2022, … tích hợp 1.305/1.598 (đạt 81,6%) dịch vụ công mức độ
    # 3, 4 lên Cổng dịch vụ công quốc gia"
    portal = _one(lao_cai, value=81.6)
    assert (portal["unit"], portal["asOf"], portal["asOfText"]) == (
        "PERCENT",
        "2022-05-30",
        "Tính đến ngày 30/5/2022",
    )
    assert portal["label"] == "dịch vụ công mức độ 3, 4 lên Cổng dịch vụ công quốc gia"
    assert portal["citation"]["source"]["slug"] == "lao-cai-tai-lieu-tuyen-truyen-2022"
    score = _one(lao_cai, value=88.44)
    assert (score["unit"], score["unitText"]) == ("SCORE", "điểm")

    # Khánh Hòa, Câu 24: "Năm 2020, dịch vụ công trực tuyến mức độ 3,4 … đạt tỷ lệ 64,06%;
    # hồ sơ giải quyết trực tuyến đạt 56%; tỷ lệ đấu thầu qua mạng đạt 35,8%."
    baseline = [f for f in khanh_hoa if f["asOf"] == "2020-12-31"]
    assert [(f["value"], f["unit"]) for f in baseline] == [
        (64.06, "PERCENT"),
        (56.0, "PERCENT"),
        (35.8, "PERCENT"),
    ]
    assert {f["asOfText"] for f in baseline} == {"Năm 2020"}
    assert all(548 <= f["citation"]["lineStart"] <= 553 for f in baseline)
    assert "64,06%" in baseline[0]["citation"]["excerpt"]

    # the article, 3.1: "Đến năm 2021, … tỷ lệ dịch vụ công trực tuyến mức độ 4 đạt 80,53%"
    level4 = _one(article, value=80.53)
    assert (level4["label"], level4["asOf"], level4["asOfText"]) == (
        "tỷ lệ dịch vụ công trực tuyến mức độ 4",
        "2021-12-31",
        "Đến năm 2021",
    )
    certificates = [f for f in article if f["value"] == 5932.0]
    assert {f["unitText"] for f in certificates} == {"chứng thư số"}
    assert {f["citation"]["lineStart"] for f in certificates} == {364, 396}  # prose, Bảng 1
    computers = [f for f in article if f["value"] == 9370.0]
    assert {(f["unit"], f["unitText"]) for f in computers} == {("COUNT", "máy tính")}


async def test_table_one_whole_as_a_passage_with_its_figures(loaded_url: str) -> None:
    where = {"source": "ha-giang-bai-bao-chuyen-doi-so", "search": "Bảng 1 thực trạng"}
    async with app_client(loaded_url) as client:
        found = (await gql(client, PASSAGES, f=where, n=50))["passages"]["nodes"]
    table = next(p for p in found if (p["heading"] or "").startswith("Bảng 1."))
    assert (table["citation"]["lineStart"], table["citation"]["lineEnd"]) == (372, 410)
    assert table["province"]["slug"] == "ha-giang"
    values = [(f["value"], f["unit"], f["unitText"]) for f in table["figures"]]
    assert values == [
        (236.0, "COUNT", "điểm"),
        (100.0, "PERCENT", None),
        (9370.0, "COUNT", "máy tính"),
        (2432.0, "COUNT", "trạm"),
        (758.0, "COUNT", "trạm"),
        (894.0, "COUNT", "trạm"),
        (780.0, "COUNT", "trạm"),
        (98.6, "PERCENT", None),
        (15675.0, "COUNT", "tài khoản"),
        (100.0, "PERCENT", None),
        (5932.0, "COUNT", "chứng thư số"),
        (241.0, "COUNT", "điểm cầu"),
        (1864.0, "COUNT", "dịch vụ công trực tuyến"),
        (175.0, "COUNT", "dịch vụ công trực tuyến"),
        (1501.0, "COUNT", "dịch vụ công trực tuyến"),
    ]
    assert "Chứng thư số" in {f["label"] for f in table["figures"]}


async def test_search_finds_passages_and_figures(loaded_url: str) -> None:
    query = """query($q: String!, $t: [SearchType!]) { search(query: $q, types: $t, first: 5) {
      totalCount nodes { snippet item { __typename
        ... on Passage { id heading text source { slug } }
        ... on Figure { id label value citation { excerpt } } } } } }"""
    async with app_client(loaded_url) as client:
        for phrase, source in (
            ("Nậm Ty", "ha-giang-bai-bao-chuyen-doi-so"),
            ("World Cup", "ha-tinh-slides-2022"),
            ("RIS-PACS", "lao-cai-tai-lieu-tuyen-truyen-2022"),
            ("2.752 trạm", "lao-cai-tai-lieu-tuyen-truyen-2022"),
            ("35 nền tảng số quốc gia", "ha-tinh-slides-2022"),
        ):
            hits = (await gql(client, query, q=phrase, t=["PASSAGE"]))["search"]
            assert hits["totalCount"] >= 1, phrase
            top = hits["nodes"][0]["item"]
            assert top["__typename"] == "Passage" and top["source"]["slug"] == source
            assert phrase.lower() in f"{top['heading']} {top['text']}".lower(), phrase
        stations = (await gql(client, query, q="2.752 trạm", t=["FIGURE"]))["search"]
        assert stations["nodes"][0]["item"]["value"] == 2752.0
        plain = (await gql(client, query, q="nam ty", t=None))["search"]
        assert any(n["item"]["__typename"] == "Passage" for n in plain["nodes"])


async def test_the_contact_block_is_found_by_no_search(loaded_url: str) -> None:
    query = """query($q: String!) { search(query: $q, first: 100) { totalCount
        nodes { snippet } } }"""
    async with app_client(loaded_url) as client:
        for personal in ("nhdung", "0969122888", "nhdung@mic.gov.vn", "mailto nhdung"):
            # typo tolerance may find other words ("nhdung" is one edit from "nhung",
            # những), never the contact block's
            hits = (await gql(client, query, q=personal))["search"]["nodes"]
            assert not any(
                secret in hit["snippet"].lower()
                for hit in hits
                for secret in ("nhdung", "0969122888", "mic.gov.vn", "mailto")
            ), personal
        # the name's words stand in other texts ("phát huy", "sử dụng"), never the name
        named = (await gql(client, query, q="Nguyễn Huy Dũng"))["search"]["nodes"]
        assert all("Huy Dũng" not in hit["snippet"] for hit in named)


async def test_source_passages_in_reading_order(loaded_url: str) -> None:
    query = """query($after: String) { sources { slug passages(first: 100, after: $after) {
      totalCount nodes { position heading citation { lineStart } } } } }"""
    async with app_client(loaded_url) as client:
        sources = (await gql(client, query))["sources"]
    for source in sources:
        nodes = source["passages"]["nodes"]
        assert source["passages"]["totalCount"] == len(nodes) > 0, source["slug"]
        assert [n["position"] for n in nodes] == list(range(1, len(nodes) + 1))
        starts = [n["citation"]["lineStart"] for n in nodes]
        assert starts == sorted(starts), source["slug"]
    slides = next(s for s in sources if s["slug"] == "ha-tinh-slides-2022")
    async with app_client(loaded_url) as client:
        listed = await gql(client, PASSAGES, f={"source": "ha-tinh-slides-2022"}, n=1)
        first = listed["passages"]["nodes"][0]
        fields = PASSAGES.split("nodes {", 1)[1].rsplit("} } }", 1)[0]
        node = await gql(
            client,
            f"query($id: ID!) {{ node(id: $id) {{ ... on Passage {{ {fields} }} }} }}",
            id=first["id"],
        )
    assert node["node"] == first
    assert "CÔNG NGHỆ PHÁT HIỆN VIỆT VỊ BÁN TỰ ĐỘNG TẠI WORLD CUP 2022" in {
        n["heading"] for n in slides["passages"]["nodes"]
    }


async def test_province_figures_and_passages_equal_the_filtered_root_lists(
    loaded_url: str,
) -> None:
    nested = """{ provinces { slug figures(first: 100) { totalCount nodes { id } }
        passages(first: 100) { totalCount nodes { id } } } }"""
    root = """query($p: String) { figures(filter: {province: $p}, first: 100) { totalCount
        nodes { id } } passages(filter: {province: $p}, first: 100) { nodes { id } } }"""
    async with app_client(loaded_url) as client:
        provinces = (await gql(client, nested))["provinces"]
        for province in provinces:
            direct = await gql(client, root, p=province["slug"])
            assert province["figures"]["nodes"] == direct["figures"]["nodes"]
            assert province["passages"]["nodes"] == direct["passages"]["nodes"]
    assert sum(p["figures"]["totalCount"] for p in provinces) > 100


async def test_figure_filters_by_date_pillar_and_node(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        may = await _all_figures(client, {"asOfFrom": "2022-05-01", "asOfTo": "2022-05-31"})
        government = await _all_figures(client, {"pillar": "DIGITAL_GOVERNMENT"})
        first = may[0]
        node = await gql(
            client,
            f"query($id: ID!) {{ node(id: $id) {{ ... on Figure {{ {FIGURE_FIELDS} }} }} }}",
            id=first["id"],
        )
    assert may and all("2022-05-01" <= f["asOf"] <= "2022-05-31" for f in may)
    assert {f["asOfText"] for f in may} >= {"Tính đến ngày 30/5/2022", "trong tháng 5/2022"}
    assert government and all(
        "DIGITAL_GOVERNMENT" in {p["code"] for p in f["pillars"]} for f in government
    )
    assert node["node"] == first
