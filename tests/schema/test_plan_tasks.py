"""The plans in full: the booklets' task lists are served, with deadlines and leads."""

from __future__ import annotations

from typing import Any

from devkit.client import app_client, gql

QUERY = """{
  kh: tasks(filter: {province: "khanh-hoa"}, first: 1) { totalCount }
  hg: tasks(filter: {province: "02"}, first: 1) { totalCount }
  youth: tasks(filter: {agency: "tinh doan"}, orderBy: SOURCE, first: 10) {
    nodes { title group leadAgencies { name province { slug } } document { number } } }
  ongoing: tasks(filter: {province: "ha-giang", deadlineKinds: [RECURRING]}, orderBy: SOURCE) {
    nodes { title deadline deadlineText citation { lineStart } } }
  due2022: tasks(filter: {province: "khanh-hoa", dueOnOrBefore: "2022-12-31"}) {
    nodes { title deadline deadlineKind deadlineText } }
}"""


async def _answer(url: str) -> dict[str, Any]:
    async with app_client(url) as client:
        data: dict[str, Any] = await gql(client, QUERY)
    return data


async def test_plan_tasks(loaded_url: str) -> None:
    data = await _answer(loaded_url)
    assert data["kh"]["totalCount"] >= 80 and data["hg"]["totalCount"] >= 40
    youth = data["youth"]["nodes"]
    assert [t["title"][:20] for t in youth] == [
        "tạo và vận hành các ",
        "phát động các phong ",
        "hỗ trợ triển khai cá",
    ]
    assert {t["leadAgencies"][0]["name"] for t in youth} == {"Tỉnh Đoàn thanh niên"}
    assert {t["leadAgencies"][0]["province"]["slug"] for t in youth} == {"ha-giang"}
    assert {t["document"]["number"] for t in youth} == {"293/KH-UBND"}
    # Câu 52 (Kế hoạch 294/KH-UBND): "Thường xuyên phối hợp …", "Thường xuyên triển khai …"
    ongoing = data["ongoing"]["nodes"]
    assert [(t["title"][:24], t["deadline"], t["deadlineText"]) for t in ongoing] == [
        ("Thường xuyên phối hợp vớ", None, "Thường xuyên"),
        ("Thường xuyên triển khai ", None, "Thường xuyên"),
    ]
    # Câu 31: "trong năm 2022, xây dựng hoàn thành bộ giáo trình …"
    assert [t["deadlineText"] for t in data["due2022"]["nodes"]] == ["trong năm 2022"]
    assert data["due2022"]["nodes"][0]["deadline"] == "2022-12-31"


async def test_both_databases_serve_the_same_plans(loaded_urls: dict[str, str]) -> None:
    answers = [await _answer(url) for url in loaded_urls.values()]
    assert answers[0] == answers[1]


async def test_khanh_hoa_rank_goals(loaded_url: str) -> None:
    query = """{ targets(filter: {province: "khanh-hoa", search: "nhom dung dau"}) {
        nodes { year text pillars { code } quantities { value unit comparator qualifier }
                citation { lineStart } } } }"""
    async with app_client(loaded_url) as client:
        data = await gql(client, query)
    goals = data["targets"]["nodes"]
    rank = {
        "unit": "RANK",
        "comparator": "AT_MOST",
        "qualifier": "tỉnh, thành phố trực thuộc Trung ương đứng đầu về chuyển đổi số",
    }
    assert sorted((g["year"], g["quantities"][0]["value"]) for g in goals) == [
        (2025, 25.0),
        (2030, 20.0),
    ]
    assert all(g["quantities"] == [{"value": g["quantities"][0]["value"], **rank}] for g in goals)
    (in_2030,) = [g for g in goals if g["year"] == 2030]
    assert "hoàn thành cơ bản chuyển đổi số" in in_2030["text"]
    assert len(in_2030["pillars"]) == 3
