"""Targets for 2025 and 2030: one per bullet or per ";" clause of a pillar group."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.clean import clean, page_number_lines, raw_lines
from loaders.qa_booklet import parse_booklet
from loaders.read import read_source
from loaders.records import QuantityRecord, Span, TargetRecord
from loaders.targets import extract_targets, quantities
from tests.loaders.sources import FIXTURES, HA_GIANG, KHANH_HOA, squeeze


def targets_of(text: str) -> tuple[list[TargetRecord], list[str]]:
    lines = clean(text)
    questions, _ = parse_booklet(lines)
    targets, warnings = extract_targets(questions, lines)
    return targets, [w.message for w in warnings]


def assert_text_in_span(text: str, targets: list[TargetRecord]) -> None:
    raw = raw_lines(text)
    pages = page_number_lines(raw)

    def joined(first: int, last: int) -> str:
        return squeeze("".join(raw[n - 1] for n in range(first, last + 1) if n not in pages))

    for target in targets:
        start, end = target.span.start, target.span.end
        assert squeeze(target.text) in joined(start, end), target.text
        if end > start:  # no wider than the passage: dropping an end line loses text
            assert squeeze(target.text) not in joined(start + 1, end), target.text
            assert squeeze(target.text) not in joined(start, end - 1), target.text


def q(value: float, unit: str, comparator: str, qualifier: str) -> QuantityRecord:
    return QuantityRecord(value=value, unit=unit, comparator=comparator, qualifier=qualifier)


@pytest.mark.parametrize("path", [HA_GIANG, KHANH_HOA], ids=["ha-giang", "khanh-hoa"])
def test_every_target_lies_in_its_own_raw_lines(path: Path) -> None:
    text = read_source(path)
    targets, warnings = targets_of(text)
    assert warnings == []
    assert_text_in_span(text, targets)


def test_ha_giang_nine_targets_for_2025_and_seven_for_2030() -> None:
    targets, _ = targets_of(read_source(HA_GIANG))
    assert [t.year for t in targets] == [2025] * 9 + [2030] * 7
    assert {t.document_number for t in targets} == {"18-NQ/TU"}
    first = targets[0]
    assert first.span == Span(1265, 1273)
    assert first.text == (
        "100% thủ tục hành chính đủ điều kiện theo quy định của pháp luật được cung cấp "
        "dưới hình thức dịch vụ công trực tuyến mức độ 4 trên nhiều phương tiện truy cập "
        "khác nhau"
    )
    assert first.pillars == ["DIGITAL_GOVERNMENT"]
    assert [(x.value, x.unit, x.comparator) for x in first.quantities] == [
        (100.0, "PERCENT", "EXACTLY")
    ]


def test_ha_giang_quantities() -> None:
    targets, _ = targets_of(read_source(HA_GIANG))
    by_start = {t.span.start: t for t in targets}
    assert by_start[1308].quantities == [
        q(80.0, "PERCENT", "MORE_THAN", "hộ gia đình"),
        q(100.0, "PERCENT", "EXACTLY", "xã"),
    ]
    assert by_start[1318].quantities == [q(200.0, "COUNT", "EXACTLY", "doanh nghiệp và hợp tác xã")]
    assert [x.value for x in by_start[1324].quantities] == [70.0, 50.0, 100.0, 25.0]
    assert by_start[1372].quantities == [
        q(70.0, "PERCENT", "MORE_THAN", "hoạt động kiểm tra của cơ quan quản lý nhà nước")
    ]
    assert (
        by_start[1380].text == "Phổ cập dịch vụ mạng Internet băng rộng cáp quang, mạng di động 5G"
    )
    assert by_start[1380].quantities == []
    assert by_start[1380].pillars == ["DIGITAL_SOCIETY"]


def test_khanh_hoa_targets_carry_the_pillar_of_their_group() -> None:
    targets, _ = targets_of(read_source(KHANH_HOA))
    listed = [t for t in targets if t.key is None]  # the lead's rank goals come after
    pillars = {year: [t.pillars for t in listed if t.year == year] for year in (2025, 2030)}
    gov, eco, soc = ["DIGITAL_GOVERNMENT"], ["DIGITAL_ECONOMY"], ["DIGITAL_SOCIETY"]
    assert pillars[2025] == [gov] * 3 + [eco] * 2 + [soc] * 4
    assert pillars[2030] == [gov] * 3 + [eco] * 2 + [soc] * 2
    # the answers name no document: nothing is guessed
    assert {t.document_number for t in targets} == {None}


def test_khanh_hoa_quantities_and_clause_spans() -> None:
    targets, _ = targets_of(read_source(KHANH_HOA))
    grdp_2025 = next(t for t in targets if t.year == 2025 and "GRDP" in t.text)
    assert grdp_2025.text == "kinh tế số chiếm tối thiểu 10% GRDP của tỉnh"
    assert grdp_2025.span == Span(642, 643)
    assert grdp_2025.quantities == [q(10.0, "PERCENT", "AT_LEAST", "GRDP của tỉnh")]
    grdp_2030 = next(t for t in targets if t.year == 2030 and "GRDP" in t.text)
    assert grdp_2030.quantities == [q(30.0, "PERCENT", "AT_LEAST", "GRDP của tỉnh")]
    firms = next(t for t in targets if t.text.startswith("phấn đấu 100% doanh nghiệp nhà nước"))
    assert firms.span == Span(643, 646)
    assert firms.quantities == [
        q(100.0, "PERCENT", "EXACTLY", "doanh nghiệp nhà nước thuộc tỉnh"),
        q(50.0, "PERCENT", "MORE_THAN", "doanh nghiệp vừa và nhỏ"),
    ]
    payments = next(t for t in targets if "tài khoản thanh toán" in t.text)
    assert payments.quantities == [
        q(50.0, "PERCENT", "MORE_THAN", "tỷ lệ dân số có tài khoản thanh toán điện tử")
    ]
    broadband = next(t for t in targets if t.year == 2025 and "cáp quang phủ" in t.text)
    assert [(x.value, x.comparator, x.qualifier) for x in broadband.quantities] == [
        (80.0, "MORE_THAN", "hộ gia đình"),
        (100.0, "EXACTLY", "xã, phường"),
    ]


def test_excerpt_khanh_hoa_general_goals_give_no_targets() -> None:
    text = read_source(FIXTURES / "a_kh_targets_26_29.txt")
    targets, warnings = targets_of(text)
    assert warnings == []
    # Câu 26 (general goals in prose) gives none; Câu 27 and 28 give 9 and 7 listed
    # goals, then the rank goal each lead states
    assert [t.year for t in targets] == [2025] * 9 + [2030] * 7 + [2025, 2030]
    assert targets[0].span == Span(31, 34)  # raw lines 630..633
    assert_text_in_span(text, targets)


def test_a_missing_bullet_is_reported_against_the_stated_count() -> None:
    text = read_source(FIXTURES / "a_hg_questions_34_40.txt")
    raw = raw_lines(text)
    bullet = raw.index("- 200 doanh nghiệp và hợp tác xã trên ")
    damaged = "\n".join(raw[:bullet] + raw[bullet + 6 :])
    targets, warnings = targets_of(damaged)
    assert [t.year for t in targets].count(2025) == 8
    assert warnings == ["answer states 9 targets for 2025 but 8 were found"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tỷ lệ tăng trưởng đạt 1,5% GRDP", [(1.5, "PERCENT", "EXACTLY", "GRDP")]),
        ("hỗ trợ 30 doanh nghiệp", [(30.0, "COUNT", "EXACTLY", "doanh nghiệp")]),
        (
            "có ít nhất 01 phòng học trực tuyến",
            [(1.0, "COUNT", "AT_LEAST", "phòng học trực tuyến")],
        ),
        ("hơn 1.000 hộ gia đình", [(1000.0, "COUNT", "MORE_THAN", "hộ gia đình")]),
        ("đến năm 2025 hoàn thành", []),
        ("dịch vụ công trực tuyến mức độ 4 trên nhiều phương tiện", []),
        ("mạng di động 4G/5G", []),
        ("Nghị quyết số 18-NQ/TU, ngày 29/10/2021", []),
        ("(1) Tăng cường sự lãnh đạo", []),
    ],
)
def test_quantities(text: str, expected: list[tuple[float, str, str, str]]) -> None:
    assert [(x.value, x.unit, x.comparator, x.qualifier) for x in quantities(text)] == expected


def test_khanh_hoa_rank_goals_of_the_leads() -> None:
    # Câu 27: "Đến năm 2025, Khánh Hòa nằm trong nhóm 25 tỉnh, thành phố trực thuộc Trung
    # ương đứng đầu về chuyển đổi số:"; Câu 28: "Đến năm 2030, tỉnh Khánh Hòa hoàn thành
    # cơ bản chuyển đổi số và xây dựng đô thị thông minh, thuộc nhóm 20 tỉnh, …"
    text = read_source(KHANH_HOA)
    targets, warnings = targets_of(text)
    assert warnings == []
    leads = [t for t in targets if t.key is not None]
    assert [(t.year, t.span.start) for t in leads] == [(2025, 625), (2030, 661)]
    assert leads[1].text.startswith("Đến năm 2030, tỉnh Khánh Hòa hoàn thành cơ bản chuyển đổi số")
    phrase = "tỉnh, thành phố trực thuộc Trung ương đứng đầu về chuyển đổi số"
    assert [t.quantities for t in leads] == [
        [q(25, "RANK", "AT_MOST", phrase)],
        [q(20, "RANK", "AT_MOST", phrase)],
    ]
    # they head the three pillar groups ("- Về phát triển chính quyền số: …", …)
    assert {tuple(t.pillars) for t in leads} == {
        ("DIGITAL_GOVERNMENT", "DIGITAL_ECONOMY", "DIGITAL_SOCIETY")
    }
    assert_text_in_span(text, leads)


def test_score_and_rank_units() -> None:
    assert quantities("tỉnh đạt 88,44 điểm") == [
        QuantityRecord(value=88.44, unit="SCORE", comparator="EXACTLY")
    ]
    assert quantities("nằm trong nhóm 25 tỉnh, thành phố dẫn đầu") == [
        q(25, "RANK", "AT_MOST", "tỉnh, thành phố dẫn đầu")
    ]


def test_qualifiers_keep_the_whole_phrase() -> None:
    # Hà Giang, Câu 37: "- 70% nhà hàng, khách sạn, doanh nghiệp kinh doanh dịch vụ du lịch,
    # giao thông và tài nguyên du lịch được quản lý …" and "- 100% chế độ báo cáo, chỉ tiêu
    # tổng hợp báo cáo định kỳ và báo cáo thống kê về kinh tế - xã hội phục vụ …"
    targets, _ = targets_of(read_source(HA_GIANG))
    qualifiers = {q.qualifier for t in targets for q in t.quantities}
    assert (
        "nhà hàng, khách sạn, doanh nghiệp kinh doanh dịch vụ du lịch, giao thông và tài "
        "nguyên du lịch"
    ) in qualifiers
    assert (
        "chế độ báo cáo, chỉ tiêu tổng hợp báo cáo định kỳ và báo cáo thống kê về kinh tế - xã hội"
    ) in qualifiers
    assert not any(q and q.endswith((" giao thông", " và báo")) for q in qualifiers)


def test_goals_stated_in_lao_cai_task_rows() -> None:
    # line 681: "… Mục tiêu đến hết năm 2022 đạt tỷ lệ 100% doanh nghiệp trên địa bàn tỉnh
    # sử dụng hóa đơn điện tử"; line 682: "… Phần đầu mục tiêu năm 2022 có 15 - 20% người
    # dân trên địa bàn tỉnh sử dụng ứng dụng định danh điện tử"
    from loaders.targets import extract_task_goals
    from loaders.task_table import parse_task_table
    from tests.loaders.sources import LAO_CAI

    tasks, _ = parse_task_table(read_source(LAO_CAI))
    goals = extract_task_goals(tasks)
    assert [(g.year, g.span.start, g.pillars) for g in goals] == [
        (2022, 681, ["DIGITAL_ECONOMY"]),  # under "Phát triển kinh tế số, xã hội số"
        (2022, 682, ["DIGITAL_SOCIETY"]),
    ]
    assert goals[0].text.startswith("Mục tiêu đến hết năm 2022 đạt tỷ lệ 100% doanh nghiệp")
    assert goals[1].quantities == [
        q(15, "PERCENT", "AT_LEAST", "người dân"),
        q(20, "PERCENT", "AT_MOST", "người dân"),
    ]
