"""Tests for loaders.rankings: the Hà Giang article sentence and the Hà Tĩnh DTI slide."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from loaders.clean import clean
from loaders.documents import extract_documents
from loaders.rankings import extract_rankings
from loaders.records import RankingRecord

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parents[1] / "data" / "sources"


def _read(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def _table(
    records: list[RankingRecord],
) -> dict[tuple[int | None, str | None], tuple[int, int, float | None, int | None]]:
    return {(r.year, r.pillar): (r.rank, r.out_of, r.score, r.change) for r in records}


def _cited(text: str, record: RankingRecord) -> str:
    return " ".join(text.split("\n")[record.span.start - 1 : record.span.end])


@pytest.fixture(scope="module")
def ha_tinh() -> tuple[str, list[RankingRecord]]:
    text = _read("ha-tinh-slides-2022.txt")
    records, warnings = extract_rankings(text, "ha-tinh")
    assert warnings == []  # the printed changes agree with both years' ranks
    return text, records


def test_ha_tinh_2020_and_2021(ha_tinh: tuple[str, list[RankingRecord]]) -> None:
    # The slide prints the first row (22 / 63, 0,3272) and the second (59 / 63, 0,2775,
    # with the changes 37, 37, 13, 49), then "Năm 2020" and "Năm 2021" in that order:
    # Hà Tĩnh fell 37 places, from 22nd in 2020 to 59th in 2021.
    _, records = ha_tinh
    assert {r.province for r in records} == {"ha-tinh"}
    assert {r.index for r in records} == {"DTI"}
    assert _table(records) == {
        (2020, None): (22, 63, 0.3272, None),
        (2020, "DIGITAL_GOVERNMENT"): (23, 63, 0.3860, None),
        (2020, "DIGITAL_ECONOMY"): (43, 63, 0.2300, None),
        (2020, "DIGITAL_SOCIETY"): (12, 63, 0.3461, None),
        (2021, None): (59, 63, 0.2775, -37),
        (2021, "DIGITAL_GOVERNMENT"): (60, 63, 0.2732, -37),
        (2021, "DIGITAL_ECONOMY"): (56, 63, 0.2984, -13),
        (2021, "DIGITAL_SOCIETY"): (61, 63, 0.2540, -49),
    }


def test_ha_tinh_spans_hold_rank_and_score(ha_tinh: tuple[str, list[RankingRecord]]) -> None:
    text, records = ha_tinh
    for record in records:
        cited = _cited(text, record)
        assert re.match(rf"{record.rank}\b", cited.strip())
        assert f"{record.score:.4f}".replace(".", ",") in cited
    overall = {r.year: r for r in records if r.pillar is None}
    assert (overall[2020].span.start, overall[2020].span.end) == (121, 122)
    assert (overall[2021].span.start, overall[2021].span.end) == (133, 134)


def test_labels_in_the_other_order_contradict_the_printed_changes() -> None:
    # A change is "since the year before": printed under a row labelled 2020 it cannot be.
    excerpt = (HERE / "fixtures" / "b_ha_tinh_dti.txt").read_text(encoding="utf-8")
    swapped = excerpt.replace("Năm 2020", "Năm 20XX").replace("Năm 2021", "Năm 2020")
    records, warnings = extract_rankings(swapped.replace("Năm 20XX", "Năm 2021"), "ha-tinh")
    assert len(records) == 8
    assert all(r.change is None for r in records)
    assert len(warnings) == 4 and all("not after 2021" in w.message for w in warnings)


def test_an_unlabelled_table_takes_the_heading_year() -> None:
    excerpt = (HERE / "fixtures" / "b_ha_tinh_dti.txt").read_text(encoding="utf-8")
    first_row = excerpt[: excerpt.index("59 / 63")]
    records, warnings = extract_rankings(first_row, "ha-tinh")
    assert warnings == []
    assert [(r.year, r.rank, r.change) for r in records] == [
        (2021, 22, None),
        (2021, 23, None),
        (2021, 43, None),
        (2021, 12, None),
    ]


def test_a_rank_change_that_disagrees_is_reported() -> None:
    excerpt = (HERE / "fixtures" / "b_ha_tinh_dti.txt").read_text(encoding="utf-8")
    records, warnings = extract_rankings(excerpt, "ha-tinh")
    assert len(records) == 8 and warnings == []
    lines = excerpt.split("\n")
    at = lines.index("13")  # the digital economy change: 56 → 43
    lines[at] = "14"
    records, warnings = extract_rankings("\n".join(lines), "ha-tinh")
    assert len(records) == 8
    assert [(w.line, "14" in w.message) for w in warnings] == [(at + 1, True)]


def test_ha_giang_article_sentence() -> None:
    text = _read("ha-giang-bai-bao-chuyen-doi-so.txt")
    records, warnings = extract_rankings(text, "ha-giang")
    assert warnings == []
    # The sentence gives no year.
    assert _table(records) == {
        (None, None): (26, 63, None, None),
        (None, "DIGITAL_GOVERNMENT"): (30, 63, None, None),
        (None, "DIGITAL_ECONOMY"): (23, 63, None, None),
        (None, "DIGITAL_SOCIETY"): (19, 63, None, None),
    }
    for record in records:
        assert f"{record.rank}/{record.out_of}" in _cited(text, record)
    government = next(r for r in records if r.pillar == "DIGITAL_GOVERNMENT")
    assert (government.span.start, government.span.end) == (54, 56)  # "Chính" / "quyền số là 30/63"


def test_year_read_from_the_sentence() -> None:
    sentence = "Năm 2021, Hà Giang xếp hạng thứ 26/63 về chỉ số DTI, Xã hội số là 19/63."
    records, _ = extract_rankings(sentence, "ha-giang")
    assert [(r.year, r.pillar, r.rank) for r in records] == [
        (2021, None, 26),
        (2021, "DIGITAL_SOCIETY", 19),
    ]


def test_lao_cai_par_index() -> None:
    # "Theo kết quả công bố Chỉ số cải cách hành chính năm 2021, tỉnh Lào Cai đạt 88,44
    # điểm, xếp thứ 11/63 tỉnh, thành phố, tăng 3 bậc so với năm 2020." (line 569)
    text = _read("lao-cai-tai-lieu-tuyen-truyen-2022.txt")
    records, warnings = extract_rankings(text, "lao-cai")
    assert warnings == []
    assert [
        (r.index, r.year, r.pillar, r.rank, r.out_of, r.score, r.change, r.span.start)
        for r in records
    ] == [("PAR INDEX", 2021, None, 11, 63, 88.44, 3, 569)]


def test_a_fall_on_an_index_is_negative() -> None:
    sentence = "Chỉ số cải cách hành chính năm 2022 đạt 80,1 điểm, xếp thứ 20/63, giảm 9 bậc."
    records, _ = extract_rankings(sentence, "lao-cai")
    assert [(r.index, r.rank, r.change, r.score) for r in records] == [("PAR INDEX", 20, -9, 80.1)]


def test_the_booklets_have_no_rankings() -> None:
    for name, province in [
        ("ha-giang-hoi-dap-2022.txt", "ha-giang"),
        ("khanh-hoa-hoi-dap-2022.txt", "khanh-hoa"),
    ]:
        assert extract_rankings(_read(name), province) == ([], [])


def test_contact_block_stays_out_of_every_record(ha_tinh: tuple[str, list[RankingRecord]]) -> None:
    text, rankings = ha_tinh
    emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
    phones = set(re.findall(r"(?<!\d)0\d{9}(?!\d)", text))
    assert emails and phones  # the slide deck does hold a contact block
    mentions, _ = extract_documents(clean(text), "ha-tinh")
    fields = [str(dataclasses.astuple(r)) for r in rankings]
    fields += [str(dataclasses.astuple(m)) for m in mentions]
    for secret in emails | phones:
        assert not any(secret in field for field in fields)
    last_line = max([r.span.end for r in rankings] + [m.span.end for m in mentions])
    contact = text.split("\n").index("Thông tin liên hệ") + 1
    assert last_line < contact
