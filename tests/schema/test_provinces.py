"""Provinces before and since the merger of 1 July 2025 (Nghị quyết 202/2025/QH15).

The 63 and 34 provinces and the mapping come from the `vietnamadminunits` package; the
pinned facts here are the resolution's: Hà Giang is part of Tuyên Quang, Lào Cai took in
Yên Bái, Khánh Hòa took in Ninh Thuận, Hà Tĩnh kept its territory.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from db import reference
from devkit.client import app_client, gql

QUERY = """{
  provinces { slug hasContent mergedInto { slug } }
  all: provinces(withContent: false) { slug code hasContent }
  allToo: provinces(withContent: null) { slug }
  currentProvinces { code slug name mergedFrom { slug code } }
  haGiang: province(slug: "ha-giang") { mergedInto { name slug code mergedFrom { name } } }
  yenBai: province(code: "15") { slug name hasContent mergedInto { name } tasks { totalCount } }
  laoCaiTasks: tasks(filter: {province: "10"}) { totalCount }
  yenBaiTasks: tasks(filter: {province: "yen-bai"}) { totalCount }
}"""


async def _answer(url: str) -> dict[str, Any]:
    async with app_client(url) as client:
        data: dict[str, Any] = await gql(client, QUERY)
    return data


async def test_provinces_since_2025(loaded_url: str) -> None:
    data = await _answer(loaded_url)
    assert data["provinces"] == [
        {"slug": "ha-giang", "hasContent": True, "mergedInto": {"slug": "tuyen-quang"}},
        {"slug": "lao-cai", "hasContent": True, "mergedInto": {"slug": "lao-cai"}},
        {"slug": "ha-tinh", "hasContent": True, "mergedInto": {"slug": "ha-tinh"}},
        {"slug": "khanh-hoa", "hasContent": True, "mergedInto": {"slug": "khanh-hoa"}},
    ]
    assert len(data["all"]) == 63 and [p["slug"] for p in data["allToo"]] == [
        p["slug"] for p in data["all"]
    ]
    assert [p["code"] for p in data["all"]] == sorted(p["code"] for p in data["all"])
    assert {p["slug"] for p in data["all"] if p["hasContent"]} == {
        "ha-giang",
        "lao-cai",
        "ha-tinh",
        "khanh-hoa",
    }
    assert data["haGiang"]["mergedInto"] == {
        "name": "Tuyên Quang",
        "slug": "tuyen-quang",
        "code": "08",
        "mergedFrom": [{"name": "Hà Giang"}, {"name": "Tuyên Quang"}],
    }
    current = {p["slug"]: p for p in data["currentProvinces"]}
    assert len(current) == 34
    assert [p["slug"] for p in current["lao-cai"]["mergedFrom"]] == ["lao-cai", "yen-bai"]
    assert [p["slug"] for p in current["khanh-hoa"]["mergedFrom"]] == ["khanh-hoa", "ninh-thuan"]
    assert [p["slug"] for p in current["ha-tinh"]["mergedFrom"]] == ["ha-tinh"]
    merged = [p["slug"] for c in current.values() for p in c["mergedFrom"]]
    assert sorted(merged) == sorted(p["slug"] for p in data["all"])  # each old one, once
    # pre-2025 slugs and codes keep working as content filters
    assert data["yenBai"] == {
        "slug": "yen-bai",
        "name": "Yên Bái",
        "hasContent": False,
        "mergedInto": {"name": "Lào Cai"},
        "tasks": {"totalCount": 0},
    }
    assert data["laoCaiTasks"]["totalCount"] > 0 and data["yenBaiTasks"]["totalCount"] == 0


async def test_both_databases_answer_the_same(loaded_urls: dict[str, str]) -> None:
    answers = [await _answer(url) for url in loaded_urls.values()]
    assert answers[0] == answers[1]


def test_reference_data_is_read_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the province reference data tried the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    reference.current_provinces.cache_clear()
    reference.pre_merger_provinces.cache_clear()
    old = reference.pre_merger_provinces()
    assert len(old) == 63 and len(reference.current_provinces()) == 34
    assert {p.slug: p.merged_into for p in old}["ha-giang"] == "tuyen-quang"


RANKINGS = """{
  haTinh: rankings(province: "ha-tinh") { year rank change index pillar { code } }
  every: rankings(index: null) { province { slug } index year rank score change }
  par: rankings(index: "par index") { province { slug } rank }
  dti: rankings { index }
  laoCai: province(slug: "lao-cai") { rankings { index year rank outOf score change } }
}"""


async def test_rankings_by_index(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        data = await gql(client, RANKINGS)
    # the slide: 22/63 in 2020, 59/63 in 2021, a change of 37 (pillars 37, 13, 49)
    assert [(r["year"], r["pillar"], r["rank"], r["change"]) for r in data["haTinh"]] == [
        (2021, None, 59, -37),
        (2021, {"code": "DIGITAL_GOVERNMENT"}, 60, -37),
        (2021, {"code": "DIGITAL_ECONOMY"}, 56, -13),
        (2021, {"code": "DIGITAL_SOCIETY"}, 61, -49),
        (2020, None, 22, None),
        (2020, {"code": "DIGITAL_GOVERNMENT"}, 23, None),
        (2020, {"code": "DIGITAL_ECONOMY"}, 43, None),
        (2020, {"code": "DIGITAL_SOCIETY"}, 12, None),
    ]
    assert {r["index"] for r in data["haTinh"]} == {"DTI"}
    par = {
        "province": {"slug": "lao-cai"},
        "index": "PAR INDEX",
        "year": 2021,
        "rank": 11,
        "score": 88.44,
        "change": 3,
    }
    assert [r for r in data["every"] if r["index"] != "DTI"] == [par]
    assert len(data["every"]) == 13  # 4 Hà Giang (article), 8 Hà Tĩnh, 1 Lào Cai
    assert [r["index"] for r in data["dti"]] == ["DTI"] * 12  # the default lists DTI only
    assert data["par"] == [{"province": {"slug": "lao-cai"}, "rank": 11}]
    assert data["laoCai"]["rankings"] == [
        {"index": "PAR INDEX", "year": 2021, "rank": 11, "outOf": 63, "score": 88.44, "change": 3}
    ]
