"""Tests for loaders.documents on all five sources, cleaned by loaders.clean."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from loaders.clean import clean
from loaders.documents import MergedDocument, extract_documents, merge_mentions, normalize_issuer
from loaders.records import DocumentMention, Line, Span

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parents[1] / "data" / "sources"
PROVINCES = {
    "ha-giang-hoi-dap-2022": "ha-giang",
    "ha-giang-bai-bao-chuyen-doi-so": "ha-giang",
    "khanh-hoa-hoi-dap-2022": "khanh-hoa",
    "lao-cai-tai-lieu-tuyen-truyen-2022": "lao-cai",
    "ha-tinh-slides-2022": "ha-tinh",
}

Found = dict[str, tuple[list[str], list[DocumentMention]]]


@pytest.fixture(scope="module")
def found() -> Found:
    result: Found = {}
    for slug, province in PROVINCES.items():
        raw = (SOURCES / f"{slug}.txt").read_text(encoding="utf-8")
        mentions, warnings = extract_documents(clean(raw), province)
        assert warnings == []
        result[slug] = (raw.split("\n"), mentions)
    return result


def _first(found: Found, slug: str, number: str) -> DocumentMention:
    return next(m for m in found[slug][1] if m.number == number)


def test_numbers_found_in_each_source(found: Found) -> None:
    numbers = {slug: {m.number for m in mentions} for slug, (_, mentions) in found.items()}
    assert numbers["ha-giang-hoi-dap-2022"] == {
        "18-NQ/TU", "47/QĐ-UBND", "552-KH/TU", "52-NQ/TW", "293/KH-UBND", "294/KH-UBND",
        "13/GP-STTTT",
    }  # fmt: skip
    assert numbers["ha-giang-bai-bao-chuyen-doi-so"] == {"749/QĐ-TTg", "18-NQ/TU", "293/KH-UBND"}
    assert numbers["khanh-hoa-hoi-dap-2022"] == {"16-NQ/TU", "909/QĐ-UBND"}
    assert numbers["lao-cai-tai-lieu-tuyen-truyen-2022"] == {
        "08-ĐA/TU", "20-NQ/TU", "1634/QĐ-UBND", "51/KH-STTTT", "02/CT-TTg",
        "07/2020/QĐ-UBND", "27/QĐ-UBND", "422/QĐ-TTg",
    }  # fmt: skip
    assert numbers["ha-tinh-slides-2022"] == {
        "749/QĐ-TTg", "942/QĐ-TTg", "411/QĐ-TTg", "52-NQ/TW", "2224/BTTTT-THH",
        "80/2021/NĐ-CP", "186/QĐ-BTTTT", "639/BTTTT-THH",
    }  # fmt: skip


def test_resolution_18_nq_tu(found: Found) -> None:
    mention = _first(found, "ha-giang-hoi-dap-2022", "18-NQ/TU")
    assert (mention.kind, mention.kind_label, mention.level) == (
        "RESOLUTION",
        "Nghị quyết",
        "PROVINCIAL",
    )
    assert mention.issued_on == datetime.date(2021, 10, 29)
    assert mention.issuer == "Ban Chấp hành Đảng bộ tỉnh"
    assert mention.title == (
        "chuyển đổi số trên địa bàn tỉnh Hà Giang giai đoạn 2021-2025, định hướng đến năm 2030"
    )


def test_plan_293_implements_18_nq_tu_across_a_broken_number(found: Found) -> None:
    # Seed 000: "Kế hoạch số 293/KH-" / "UBND, ngày 07/12/2021 … về triển khai thực hiện
    # Nghị quyết số 18-" / "NQ/TU, ngày 29/10/2021 …"
    mention = _first(found, "ha-giang-hoi-dap-2022", "293/KH-UBND")
    assert (mention.kind, mention.kind_label) == ("PLAN", "Kế hoạch")
    assert mention.issued_on == datetime.date(2021, 12, 7)
    assert mention.issuer == "UBND tỉnh"
    assert mention.implements == ["18-NQ/TU"]
    # the title runs on through the resolution's date and issuer to "… năm 2030" (1523)
    assert mention.title == (
        "triển khai thực hiện Nghị quyết số 18-NQ/TU, ngày 29/10/2021 của Ban Chấp hành Đảng "
        "bộ tỉnh về chuyển đổi số trên địa bàn tỉnh Hà Giang giai đoạn 2021 - 2025, định "
        "hướng đến năm 2030"
    )
    assert (mention.span.start, mention.span.end) == (1511, 1523)


def test_plan_293_in_the_article_implements_the_resolution_named_before(found: Found) -> None:
    # Seed 001: "… Nghị quyết số 18-NQ/TU … và Kế hoạch số 293/KH-UBND ngày 07/12/2021
    # của UBND tỉnh thực hiện Nghị quyết về chuyển đổi số."
    mention = _first(found, "ha-giang-bai-bao-chuyen-doi-so", "293/KH-UBND")
    assert mention.implements == ["18-NQ/TU"]
    assert mention.issuer == "UBND tỉnh"
    resolution = _first(found, "ha-giang-bai-bao-chuyen-doi-so", "18-NQ/TU")
    assert resolution.issuer == "Ban chấp hành Đảng bộ tỉnh Hà Giang"


def test_party_plan_implements_a_politburo_resolution(found: Found) -> None:
    plan = _first(found, "ha-giang-hoi-dap-2022", "552-KH/TU")
    assert plan.implements == ["52-NQ/TW"]
    assert (plan.issued_on, plan.issuer) == (
        datetime.date(2020, 3, 5),
        "Ban Thường vụ Tỉnh ủy Hà Giang",
    )
    politburo = _first(found, "ha-giang-hoi-dap-2022", "52-NQ/TW")
    assert (politburo.level, politburo.issuer) == ("NATIONAL", "Bộ Chính trị")
    assert politburo.issued_on == datetime.date(2019, 9, 27)


def test_national_documents(found: Found) -> None:
    article = _first(found, "ha-giang-bai-bao-chuyen-doi-so", "749/QĐ-TTg")
    assert (article.kind, article.level) == ("DECISION", "NATIONAL")
    assert article.issued_on == datetime.date(2020, 6, 3)
    assert (
        article.title == "Chương trình chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030"
    )
    slide = _first(found, "ha-tinh-slides-2022", "749/QĐ-TTg")
    assert (slide.issuer, slide.level, slide.issued_on) == ("Thủ tướng Chính phủ", "NATIONAL", None)
    letter = _first(found, "ha-tinh-slides-2022", "2224/BTTTT-THH")
    assert (letter.kind, letter.kind_label) == ("OFFICIAL_LETTER", "Công văn")
    assert (letter.issued_on, letter.issuer) == (
        datetime.date(2022, 6, 9),
        "Bộ Thông tin và Truyền thông",
    )
    decree = _first(found, "ha-tinh-slides-2022", "80/2021/NĐ-CP")
    assert (decree.kind, decree.kind_label, decree.level) == ("DECREE", "Nghị định", "NATIONAL")
    directive = _first(found, "lao-cai-tai-lieu-tuyen-truyen-2022", "02/CT-TTg")
    assert (directive.kind, directive.level, directive.issuer) == (
        "DIRECTIVE",
        "NATIONAL",
        "Thủ tướng Chính phủ",
    )
    # The issuer, not the number, makes this one national.
    committee = _first(found, "lao-cai-tai-lieu-tuyen-truyen-2022", "27/QĐ-UBND")
    assert (committee.issuer, committee.level) == ("Ủy ban Quốc gia về Chuyển đổi số", "NATIONAL")


def test_provincial_documents_of_khanh_hoa_and_lao_cai(found: Found) -> None:
    resolution = _first(found, "khanh-hoa-hoi-dap-2022", "16-NQ/TU")
    # "Ban Chấp hành Đảng bộ tỉnh khóa XVIII ban hành Nghị quyết số 16-NQ/TU, ngày …"
    assert resolution.issuer == "Ban Chấp hành Đảng bộ tỉnh khóa XVIII"
    assert resolution.issued_on == datetime.date(2021, 10, 19)
    decision = _first(found, "khanh-hoa-hoi-dap-2022", "909/QĐ-UBND")
    assert (decision.issued_on, decision.issuer) == (datetime.date(2022, 4, 4), "UBND tỉnh")
    assert decision.title == (
        "Kế hoạch chuyển đổi số tỉnh Khánh Hòa giai đoạn 2021-2025, định hướng đến năm 2030"
    )
    program = _first(found, "lao-cai-tai-lieu-tuyen-truyen-2022", "1634/QĐ-UBND")
    assert (program.kind, program.issued_on, program.issuer, program.level) == (
        "DECISION",
        datetime.date(2021, 5, 17),
        "UBND tỉnh",
        "PROVINCIAL",
    )
    assert program.title == (
        "Chương trình Chuyển đổi số tỉnh Lào Cai đến năm 2025, định hướng đến năm 2030"
    )
    project = _first(found, "lao-cai-tai-lieu-tuyen-truyen-2022", "08-ĐA/TU")
    assert (project.kind, project.kind_label, project.issuer) == ("PROJECT", "Đề án", "Tỉnh ủy")


def test_publishing_licence_is_an_other_document(found: Found) -> None:
    licence = _first(found, "ha-giang-hoi-dap-2022", "13/GP-STTTT")
    assert (licence.kind, licence.kind_label) == ("OTHER", "Giấy phép xuất bản")
    assert licence.issued_on == datetime.date(2022, 5, 11)
    assert licence.issuer == "sở Thông tin và Truyền thông"


def test_spans_hold_the_number(found: Found) -> None:
    for lines, mentions in found.values():
        for mention in mentions:
            cited = "".join(
                line.strip() for line in lines[mention.span.start - 1 : mention.span.end]
            )
            assert mention.number in cited.replace(" ", ""), mention


def test_residual_space_inside_a_number() -> None:
    line = Line("Theo Kế hoạch số 293/KH- UBND, ngày 07/12/2021 của UBND tỉnh", Span(4, 5))
    (mention,), _ = extract_documents([line], "ha-giang")
    assert (mention.number, mention.issued_on) == ("293/KH-UBND", datetime.date(2021, 12, 7))


def test_broken_excerpt_through_clean() -> None:
    raw = (HERE / "fixtures" / "b_ha_giang_293_kh_ubnd.txt").read_text(encoding="utf-8")
    mentions, _ = extract_documents(clean(raw), "ha-giang")
    assert [m.number for m in mentions] == ["293/KH-UBND", "18-NQ/TU", "293/KH-UBND"]
    assert mentions[0].implements == ["18-NQ/TU"]
    assert mentions[1].issued_on == datetime.date(2021, 10, 29)


def test_kind_word_disagreeing_with_the_number_is_reported() -> None:
    line = Line("theo Nghị quyết số 12/QĐ-UBND ngày 1/2/2022", Span(1, 1))
    (mention,), warnings = extract_documents([line], "ha-giang")
    assert mention.kind == "RESOLUTION"
    assert len(warnings) == 1 and "12/QĐ-UBND" in warnings[0].message


def _merged(found: Found) -> tuple[list[MergedDocument], list[str]]:
    pairs: list[tuple[str | None, DocumentMention]] = [
        (PROVINCES[slug], mention) for slug, (_, mentions) in found.items() for mention in mentions
    ]
    slugs = [slug for slug, (_, mentions) in found.items() for _ in mentions]
    docs, warnings = merge_mentions(pairs)
    assert warnings == []
    return docs, slugs


def test_merge_across_sources(found: Found) -> None:
    docs, slugs = _merged(found)
    by_key = {doc.key: doc for doc in docs}
    assert len(docs) == 24
    resolution = by_key["ha-giang:18-nq/tu"]
    assert {slugs[i] for i in resolution.indexes} == {
        "ha-giang-hoi-dap-2022",
        "ha-giang-bai-bao-chuyen-doi-so",
    }
    assert (resolution.issued_on, resolution.kind, resolution.province) == (
        datetime.date(2021, 10, 29),
        "RESOLUTION",
        "ha-giang",
    )
    plan = by_key["ha-giang:293/kh-ubnd"]
    assert plan.implements == ["18-NQ/TU"]
    assert plan.issued_on == datetime.date(2021, 12, 7)
    national = by_key["749/qd-ttg"]
    assert (national.level, national.province, national.issuer) == (
        "NATIONAL",
        None,
        "Thủ tướng Chính phủ",
    )
    assert national.issued_on == datetime.date(2020, 6, 3)
    assert {slugs[i] for i in national.indexes} == {
        "ha-giang-bai-bao-chuyen-doi-so",
        "ha-tinh-slides-2022",
    }
    assert by_key["52-nq/tw"].issuer == "Bộ Chính trị"


def _mention(
    number: str, day: datetime.date | None, line: int, kind: str = "PLAN"
) -> DocumentMention:
    return DocumentMention(number=number, kind=kind, span=Span(line, line), issued_on=day)


def test_merge_reports_conflicts_and_keeps_the_most_frequent() -> None:
    first, second = datetime.date(2021, 12, 7), datetime.date(2021, 12, 8)
    docs, warnings = merge_mentions(
        [
            ("ha-giang", _mention("293/KH-UBND", second, 3)),
            ("ha-giang", _mention("293/KH-UBND", first, 5)),
            ("ha-giang", _mention("293/KH-UBND", first, 9)),
            ("lao-cai", _mention("293/KH-UBND", second, 2)),
        ]
    )
    assert [(d.key, d.issued_on, len(d.mentions)) for d in docs] == [
        ("ha-giang:293/kh-ubnd", first, 3),
        ("lao-cai:293/kh-ubnd", second, 1),
    ]
    assert len(warnings) == 1 and "issue date" in warnings[0].message
    assert warnings[0].line == 3


def test_merge_tie_goes_to_the_first_mention() -> None:
    docs, warnings = merge_mentions(
        [
            (None, _mention("5/KH-UBND", None, 1, kind="PLAN")),
            (None, _mention("5/KH-UBND", None, 2, kind="DECISION")),
        ]
    )
    assert [d.kind for d in docs] == ["PLAN"]
    assert ["the kind" in w.message for w in warnings] == [True]


def test_a_title_on_the_lines_after_its_number(found: Found) -> None:
    # Hà Tĩnh slide, lines 82–85: "Quyết định số 411/QĐ-TTg của Thủ tướng Chính phủ:" /
    # "Phê duyệt Chiến lược quốc gia phát triển kinh tế số" / "và xã hội số đến năm 2025, …"
    mention = _first(found, "ha-tinh-slides-2022", "411/QĐ-TTg")
    assert mention.title == (
        "Chiến lược quốc gia phát triển kinh tế số và xã hội số đến năm 2025, định hướng "
        "đến năm 2030"
    )
    assert (mention.issuer, mention.span.start, mention.span.end) == ("Thủ tướng Chính phủ", 82, 85)


def test_issuer_from_de_before_the_number(found: Found) -> None:
    # Lào Cai task table, line 672: "theo chỉ đạo của Thủ tướng Chính phủ tại Quyết định
    # số 422/QĐ-TTg ngày 04/4/2022"
    mention = _first(found, "lao-cai-tai-lieu-tuyen-truyen-2022", "422/QĐ-TTg")
    assert (mention.issuer, mention.level, mention.issued_on) == (
        "Thủ tướng Chính phủ",
        "NATIONAL",
        datetime.date(2022, 4, 4),
    )


@pytest.mark.parametrize(
    ("written", "province", "one_spelling"),
    [
        ("UBND tỉnh", "ha-giang", "Ủy ban nhân dân tỉnh Hà Giang"),
        ("Ủy ban nhân dân tỉnh", "ha-giang", "Ủy ban nhân dân tỉnh Hà Giang"),
        ("Ủy ban nhân dân tỉnh Hà Giang", "ha-giang", "Ủy ban nhân dân tỉnh Hà Giang"),
        ("sở Thông tin và Truyền thông", "ha-giang", "Sở Thông tin và Truyền thông"),
        ("Bộ TT&TT", None, "Bộ Thông tin và Truyền thông"),
        ("Tỉnh ủy", "lao-cai", "Tỉnh ủy Lào Cai"),
        ("Thủ tướng Chính phủ", None, "Thủ tướng Chính phủ"),
        ("UBND tỉnh", None, "Ủy ban nhân dân tỉnh"),  # no province to name
    ],
)
def test_one_spelling_per_issuer(written: str, province: str | None, one_spelling: str) -> None:
    assert normalize_issuer(written, province) == one_spelling


def test_the_ha_giang_committee_is_one_issuer(found: Found) -> None:
    # written "Ủy ban nhân dân tỉnh Hà Giang" (47/QĐ-UBND), "UBND tỉnh" (293/KH-UBND) and
    # "Ủy ban nhân dân tỉnh" (294/KH-UBND): one issuer once merged
    tagged = [("ha-giang", m) for m in found["ha-giang-hoi-dap-2022"][1]]
    docs, _ = merge_mentions(tagged)
    issuers = {d.number: d.issuer for d in docs}
    assert {issuers[n] for n in ("47/QĐ-UBND", "293/KH-UBND", "294/KH-UBND")} == {
        "Ủy ban nhân dân tỉnh Hà Giang"
    }
    written = {m.issuer for m in found["ha-giang-hoi-dap-2022"][1] if m.number.endswith("UBND")}
    assert {"UBND tỉnh", "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh Hà Giang"} <= written
