"""Each filter and order of the contract on real content, on both databases.

Most checks compare a filtered connection with the same filter applied by hand to the
unfiltered list, so they test the filter, not a remembered answer; spot checks pin
known facts of the sources.
"""

from __future__ import annotations

from typing import Any

from devkit.client import app_client, gql
from dxtext.text import fold

TASK_FIELDS = """id title deadline deadlineKind deadlineText
  leadAgencies { name } pillars { code } province { slug } document { number }
  citation { lineStart source { slug } }"""


async def _all(client, field: str, selection: str, **args: Any) -> list[dict[str, Any]]:
    """Every node of a connection, page by page (100 a page)."""
    arg_text = "".join(f"{k}: {v}, " for k, v in args.items())
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gql(
            client,
            f"""query($after: String) {{ c: {field}({arg_text}first: 100, after: $after) {{
            totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}""",
            after=after,
        )
        conn = data["c"]
        nodes += conn["nodes"]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert conn["totalCount"] == len(nodes)
    return nodes


async def test_task_filters(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        everything = await _all(client, "tasks", TASK_FIELDS, orderBy="SOURCE")
        lao_cai = await _all(client, "tasks", TASK_FIELDS, filter='{province: "10"}')
        q3 = await _all(
            client,
            "tasks",
            TASK_FIELDS,
            filter='{province: "lao-cai", dueOnOrAfter: "2022-07-01", dueOnOrBefore: "2022-09-30"}',
        )
        kinds = await _all(
            client, "tasks", TASK_FIELDS, filter="{deadlineKinds: [RECURRING, PERIOD]}"
        )
        agency = await _all(client, "tasks", TASK_FIELDS, filter='{agency: "van phong ubnd"}')
        pillar = await _all(client, "tasks", TASK_FIELDS, filter="{pillar: DIGITAL_ECONOMY}")
        search = await _all(client, "tasks", TASK_FIELDS, filter='{search: "du lich"}')

    assert len(lao_cai) == 39
    assert {t["province"]["slug"] for t in lao_cai} == {"lao-cai"}
    assert len(everything) > len(lao_cai)

    expected_q3 = [
        t for t in lao_cai if t["deadline"] and "2022-07-01" <= t["deadline"] <= "2022-09-30"
    ]
    assert sorted(t["id"] for t in q3) == sorted(t["id"] for t in expected_q3)
    assert len(q3) > 5
    assert [t["deadline"] for t in q3] == sorted(t["deadline"] for t in q3)

    assert {t["deadlineKind"] for t in kinds} == {"RECURRING", "PERIOD"}
    assert len(kinds) == sum(t["deadlineKind"] in ("RECURRING", "PERIOD") for t in everything)
    assert any(t["deadlineText"] == "2022 - 2023" and t["deadline"] == "2023-12-31" for t in kinds)

    assert agency and all(
        any("van phong ubnd" in fold(a["name"]) for a in t["leadAgencies"]) for t in agency
    )
    assert len(agency) == sum(
        any("van phong ubnd" in fold(a["name"]) for a in t["leadAgencies"]) for t in everything
    )
    assert pillar and all("DIGITAL_ECONOMY" in [p["code"] for p in t["pillars"]] for t in pillar)
    assert len(pillar) == sum(
        "DIGITAL_ECONOMY" in [p["code"] for p in t["pillars"]] for t in everything
    )
    assert search and all("du" in fold(t["title"]) and "lich" in fold(t["title"]) for t in search)
    assert any("du lịch" in t["title"].lower() for t in search)


async def test_task_orders(loaded_url: str) -> None:
    rank = {"DATE": 0, "PERIOD": 0, "RECURRING": 1, "NONE": 2}
    async with app_client(loaded_url) as client:
        asc = await _all(client, "tasks", TASK_FIELDS)  # DEADLINE_ASC is the default
        desc = await _all(client, "tasks", TASK_FIELDS, orderBy="DEADLINE_DESC")
        source = await _all(client, "tasks", TASK_FIELDS, orderBy="SOURCE")
        again = await _all(client, "tasks", TASK_FIELDS)
    assert [t["id"] for t in asc] == [t["id"] for t in again], "ties must break stably"
    assert [rank[t["deadlineKind"]] for t in asc] == sorted(rank[t["deadlineKind"]] for t in asc)
    dated = [t["deadline"] for t in asc if t["deadline"]]
    assert dated == sorted(dated)
    assert [t["deadline"] for t in desc if t["deadline"]] == sorted(dated, reverse=True)
    assert [rank[t["deadlineKind"]] for t in desc] == sorted(rank[t["deadlineKind"]] for t in desc)
    assert sorted(t["id"] for t in source) == sorted(t["id"] for t in asc)
    # source order: the Lào Cai table reads top to bottom
    lines = [t["citation"]["lineStart"] for t in source if t["province"]["slug"] == "lao-cai"]
    assert len(lines) == 39 and lines == sorted(lines)


async def test_question_filters(loaded_url: str) -> None:
    fields = "id number text province { slug } source { slug } pillars { code }"
    async with app_client(loaded_url) as client:
        data = await gql(client, "{ questions { totalCount } }")
        total = data["questions"]["totalCount"]
        general = await gql(client, "{ q: questions(filter: {general: true}) { totalCount } }")
        specific = await gql(client, "{ q: questions(filter: {general: false}) { totalCount } }")
        kh = await _all(client, "questions", fields, filter='{province: "khanh-hoa"}')
        by_source = await gql(
            client,
            """{ q: questions(filter: {source: "khanh-hoa-hoi-dap-2022"},
            first: 100) { totalCount nodes { number } } }""",
        )
        pillar = await _all(
            client,
            "questions",
            fields,
            filter='{source: "ha-giang-hoi-dap-2022", pillar: DIGITAL_SOCIETY}',
        )
        search = await _all(client, "questions", fields, filter='{search: "cong dan so"}')
    assert general["q"]["totalCount"] + specific["q"]["totalCount"] == total
    assert [q["number"] for q in kh] == list(range(24, 51))
    assert {q["province"]["slug"] for q in kh} == {"khanh-hoa"}
    assert [q["number"] for q in by_source["q"]["nodes"]] == list(range(1, 51))
    assert pillar and all("DIGITAL_SOCIETY" in [p["code"] for p in q["pillars"]] for q in pillar)
    assert {q["source"]["slug"] for q in pillar} == {"ha-giang-hoi-dap-2022"}
    texts = [q["text"] for q in search]
    assert any("Công dân số là gì" in t for t in texts)
    assert len({q["source"]["slug"] for q in search}) >= 2


async def test_target_filters(loaded_url: str) -> None:
    fields = (
        "id text year pillars { code } province { slug } document { number } "
        "quantities { value unit comparator qualifier } citation { excerpt }"
    )
    async with app_client(loaded_url) as client:
        hg_2025 = await _all(client, "targets", fields, filter='{province: "ha-giang", year: 2025}')
        hg_2030 = await _all(client, "targets", fields, filter='{province: "02", year: 2030}')
        by_doc = await _all(client, "targets", fields, filter='{document: "18-nq/tu"}')
        kh_econ = await _all(
            client, "targets", fields, filter='{province: "khanh-hoa", pillar: DIGITAL_ECONOMY}'
        )
        search = await _all(client, "targets", fields, filter='{search: "dich vu cong"}')
    assert (len(hg_2025), len(hg_2030)) == (9, 7)
    assert {t["document"]["number"] for t in hg_2025 + hg_2030} == {"18-NQ/TU"}
    assert sorted(t["id"] for t in by_doc) == sorted(t["id"] for t in hg_2025 + hg_2030)
    assert kh_econ and all({"code": "DIGITAL_ECONOMY"} in t["pillars"] for t in kh_econ)
    assert {t["year"] for t in kh_econ} == {2023, 2025, 2030}
    quantities = [q for t in kh_econ for q in t["quantities"]]
    units = ("PERCENT", "COUNT", "OTHER", "RANK", "SCORE")
    assert quantities and all(q["unit"] in units for q in quantities)
    # every word of a search must occur, without diacritics, in any order
    assert search and all(all(w in fold(t["text"]) for w in ("dich", "vu", "cong")) for t in search)
    assert any("dịch vụ công" in t["text"] for t in search)


async def test_document_filters_and_lookup(loaded_url: str) -> None:
    fields = "id number kind level issuedOn province { slug }"
    async with app_client(loaded_url) as client:
        everything = await _all(client, "documents", fields)
        national = await _all(client, "documents", fields, filter="{level: NATIONAL}")
        decisions = await _all(client, "documents", fields, filter="{kind: DECISION}")
        hg = await _all(client, "documents", fields, filter='{province: "ha-giang"}')
        dated = await _all(
            client, "documents", fields, filter='{issuedFrom: "2021-10-01", issuedTo: "2021-12-31"}'
        )
        search = await _all(client, "documents", fields, filter='{search: "nghi quyet"}')
        lookup = await gql(
            client,
            """{
          a: document(number: "749/QD-TTg") { number kind level province { slug } }
          b: document(number: "293/KH-UBND", province: "ha-giang") {
               number kind issuedOn implements { number } }
          c: document(number: "18-NQ/TU") { number implementedBy { number } citations {
               source { slug } lineStart lineEnd excerpt } }
          d: document(number: "999/XX-YY") { number }
        }""",
        )
    assert national and {d["level"] for d in national} == {"NATIONAL"}
    assert len(national) == sum(d["level"] == "NATIONAL" for d in everything)
    assert decisions and {d["kind"] for d in decisions} == {"DECISION"}
    assert hg and {d["province"]["slug"] for d in hg} == {"ha-giang"}
    assert dated and all("2021-10-01" <= d["issuedOn"] <= "2021-12-31" for d in dated)
    assert len(dated) == sum(
        bool(d["issuedOn"]) and "2021-10-01" <= d["issuedOn"] <= "2021-12-31" for d in everything
    )
    # every Nghị quyết matches "nghi quyet"; a plan whose title names one does too
    resolutions = {d["id"] for d in everything if d["kind"] == "RESOLUTION"}
    assert resolutions and resolutions <= {d["id"] for d in search}
    issued = [d["issuedOn"] for d in everything if d["issuedOn"]]
    assert issued == sorted(issued)
    assert lookup["a"] == {
        "number": "749/QĐ-TTg",
        "kind": "DECISION",
        "level": "NATIONAL",
        "province": None,
    }
    assert lookup["b"]["issuedOn"] == "2021-12-07"
    assert {"number": "18-NQ/TU"} in lookup["b"]["implements"]
    assert {"number": "293/KH-UBND"} in lookup["c"]["implementedBy"]
    sources = {c["source"]["slug"] for c in lookup["c"]["citations"]}
    assert {"ha-giang-hoi-dap-2022", "ha-giang-bai-bao-chuyen-doi-so"} <= sources
    assert all("18-" in c["excerpt"] for c in lookup["c"]["citations"])
    assert lookup["d"] is None


async def test_agencies_and_rankings(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        agencies = await _all(
            client,
            "agencies",
            "id name province { slug }",
            province='"lao-cai"',
            search='"so thong tin"',
        )
        data = await gql(
            client,
            """{
          rankings(province: "ha-tinh", year: 2021) { year rank outOf score pillar { code } }
          pillarRanks: rankings(pillar: DIGITAL_SOCIETY) { province { slug } rank }
          haGiang: province(slug: "ha-giang") { rankings { rank outOf pillar { name } } }
        }""",
        )
        tasks_of = await gql(
            client,
            """query($id: ID!) { node(id: $id) { ... on Agency {
            name tasks(first: 100) { totalCount nodes { leadAgencies { id } } } } } }""",
            id=agencies[0]["id"],
        )
    assert [a["name"] for a in agencies] == ["Sở Thông tin và Truyền thông"]
    agency = tasks_of["node"]
    assert agency["tasks"]["totalCount"] > 10
    assert all(
        agencies[0]["id"] in [a["id"] for a in t["leadAgencies"]] for t in agency["tasks"]["nodes"]
    )
    ranks = data["rankings"]
    assert len(ranks) == 4 and ranks[0]["pillar"] is None and ranks[0]["year"] == 2021
    assert all(r["outOf"] == 63 for r in ranks)
    assert {r["province"]["slug"] for r in data["pillarRanks"]} == {"ha-tinh", "ha-giang"}
    hg = data["haGiang"]["rankings"]
    assert (hg[0]["rank"], hg[0]["outOf"], hg[0]["pillar"]) == (26, 63, None)
    assert sorted(r["rank"] for r in hg[1:]) == [19, 23, 30]
