"""Figures (số liệu) read from real excerpts of the sources: values, units, dates, spans."""

from __future__ import annotations

import datetime

import pytest

from loaders.clean import Passage, clean
from loaders.figures import extract_figures, parse_number
from loaders.records import FigureRecord, Line, Span


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("9.370", 9370),  # a dot groups thousands
        ("80,53%", 80.53),  # a comma is the decimal mark
        ("5,87 triệu", 5_870_000),
        ("1.729.612", 1_729_612),
        ("71,8 triệu", 71_800_000),
        ("51.91%", 51.91),  # the handbook writes this one with a dot: two digits, a percent
        ("05", 5),
    ],
)
def test_vietnamese_numbers(written: str, value: float) -> None:
    assert parse_number(written) == pytest.approx(value)


@pytest.mark.parametrize("written", ["9.37", "1.305/1.598", "4G", "abc", ""])
def test_what_is_not_one_number(written: str) -> None:
    assert parse_number(written) is None


def _figures(raw: str, year: int | None = 2022, **kw: object) -> list[FigureRecord]:
    """Figures of an excerpt given as raw lines (line 1 is its first line)."""
    return extract_figures(Passage(clean(raw)), year=year, **kw)  # type: ignore[arg-type]


def _by_value(figures: list[FigureRecord]) -> dict[float, FigureRecord]:
    return {f.value: f for f in figures}


# ha-giang-bai-bao-chuyen-doi-so.txt, lines 343-351, blank lines as extracted
ARTICLE_2021 = "\n\n".join(
    [
        "Đến năm 2021, mức độ sẵn sàng ứng dụng công nghệ thông tin (ICT Index) của Hà Giang đã ",
        "ở mức khá so với các tỉnh/thành phố trên toàn quốc; tỷ lệ dịch vụ công trực "
        "tuyến mức độ 4 đạt ",
        "80,53%; tỷ lệ xử lý hồ sơ điện tử đạt 66,38%. Tỷ lệ các cơ quan hành chính "
        "có trang/cổng thông ",
        "tin điện tử đạt 100%; tỷ lệ văn bản điện tử trao đổi giữa các cơ quan đạt "
        "100%; 193 xã, phường, ",
        "thị trấn có điểm cầu trực tuyến.  ",
    ]
)


def test_a_dated_sentence_dates_its_figures_and_the_next_sentence_is_undated() -> None:
    figures = _figures(ARTICLE_2021, year=None)
    level4 = next(f for f in figures if f.value == 80.53)
    assert (level4.label, level4.unit, level4.unit_text) == (
        "tỷ lệ dịch vụ công trực tuyến mức độ 4",
        "PERCENT",
        None,
    )
    assert (level4.as_of, level4.as_of_text) == (datetime.date(2021, 12, 31), "Đến năm 2021")
    assert level4.span == Span(3, 5)  # "…mức độ 4 đạt" ends line 3, "80,53%" opens line 5
    assert _by_value(figures)[66.38].as_of == datetime.date(2021, 12, 31)
    communes = _by_value(figures)[193]
    assert (communes.unit, communes.unit_text, communes.as_of) == ("COUNT", "xã", None)
    assert communes.label == "xã, phường, thị trấn có điểm cầu trực tuyến"
    assert [f.value for f in figures] == [80.53, 66.38, 100, 100, 193]


def test_handbook_results_bullets() -> None:
    # lao-cai-tai-lieu-tuyen-truyen-2022.txt, lines 539 and 565 (one line each)
    teams = _figures(
        "- Triển khai thí điểm Tổ công nghệ số cộng đồng: Huyện Si Ma Cai và huyện Bảo Yên "
        "đã thành lập 143 tổ công nghệ số cộng đồng trên địa bàn 27 xã thuộc huyện; huyện "
        "Bảo Thắng, huyện Bắc Hà xây dựng kế hoạch thực hiện"
    )
    team = _by_value(teams)[143]
    assert (team.label, team.unit, team.unit_text) == ("tổ công nghệ số cộng đồng", "COUNT", "tổ")
    portal = _figures(
        "- Triển khai dịch vụ công trực tuyến: Tính đến ngày 30/5/2022, toàn tỉnh đã triển "
        "khai tích hợp 1.305/1.598 (đạt 81,6%) dịch vụ công mức độ 3, 4 lên Cổng dịch vụ "
        "công quốc gia (xếp thứ 5/63 tỉnh thành phố); Tỷ lệ hồ sơ giải quyết trực tuyến trên "
        "tổng số hồ sơ giải quyết TTHC là: 58.366 hồ sơ tiếp nhận trực tuyến/136.460 hồ sơ "
        "TTHC (đạt 42,7/65% so với kế hoạch giao năm 2022)"
    )
    share = _by_value(portal)[81.6]
    assert share.unit == "PERCENT"
    assert share.label == "dịch vụ công mức độ 3, 4 lên Cổng dịch vụ công quốc gia"
    assert (share.as_of, share.as_of_text) == (
        datetime.date(2022, 5, 30),
        "Tính đến ngày 30/5/2022",
    )
    rank = next(f for f in portal if f.unit == "RANK")
    assert rank.value == 5 and rank.as_of == datetime.date(2022, 5, 30)
    # "so với kế hoạch giao": measured against a plan, a clause that yields nothing
    assert 65 not in _by_value(portal) and 42.7 not in _by_value(portal)


def test_stations_with_their_breakdown() -> None:
    # lao-cai-tai-lieu-tuyen-truyen-2022.txt, line 545 (a part)
    figures = _figures(
        "Các doanh nghiệp đã đầu tư mạng lưới hạ tầng viễn thông, Internet rộng khắp với: "
        "2.752 trạm thu phát sóng thông tin di động - BTS, trong đó có 764 trạm 2G, 999 trạm "
        "3G và 989 trạm 4G và 03 trạm 5G; 729 tuyến cáp treo với tổng chiều dài gần 5.500 km"
    )
    by_value = _by_value(figures)
    assert by_value[2752].label == "trạm thu phát sóng thông tin di động - BTS"
    assert by_value[2752].unit_text == "trạm"
    assert [by_value[v].label for v in (764, 999, 989, 3)] == [
        "trạm 2G",
        "trạm 3G",
        "trạm 4G",
        "trạm 5G",
    ]
    assert (by_value[5500].unit, by_value[5500].unit_text) == ("OTHER", "km")


def test_an_index_score() -> None:
    # lao-cai-tai-lieu-tuyen-truyen-2022.txt, line 569 (a part)
    figures = _figures(
        "Theo kết quả công bố Chỉ số cải cách hành chính năm 2021, tỉnh Lào Cai đạt 88,44 "
        "điểm, xếp thứ 11/63 tỉnh, thành phố, tăng 3 bậc so với năm 2020."
    )
    score = _by_value(figures)[88.44]
    assert (score.unit, score.unit_text) == ("SCORE", "điểm")
    assert score.label == "Chỉ số cải cách hành chính năm 2021"
    assert [(f.value, f.unit) for f in figures if f.unit == "RANK"] == [(11, "RANK")]
    assert 3 not in _by_value(figures)  # "tăng 3 bậc": a change, not a figure


def test_a_month_date() -> None:
    # ha-giang-bai-bao-chuyen-doi-so.txt, lines 453-455
    figures = _figures(
        "Xã hội số tại Hà Giang chia thành 5 hoạt động; trong đó truyền thông số về Hà Giang "
        "tính đến \n\ntháng 8/2022 thì Hà Giang với 35 ảnh, 10 tin, 20 bài, 10 video clip "
        "trên các nền tảng truyền thông "
    )
    assert [(f.value, f.unit_text) for f in figures] == [
        (35, "ảnh"),
        (10, "tin"),
        (20, "bài"),
        (10, "video clip"),
    ]
    assert {f.as_of for f in figures} == {datetime.date(2022, 8, 31)}
    assert {f.as_of_text for f in figures} == {"tính đến tháng 8/2022"}


def test_goals_and_forecasts_are_no_figures() -> None:
    # khanh-hoa-hoi-dap-2022.txt, Câu 30 (a goal: a Target); the article's line 40 (forecast)
    assert (
        _figures(
            "phấn đấu đến năm 2025, trên địa bàn tỉnh có ít nhất 10 doanh nghiệp công nghệ số "
            "được thành lập mới."
        )
        == []
    )
    assert (
        _figures(
            "Tổng giá trị giao dịch kỹ thuật số của Việt Nam được dự báo sẽ đạt 220 tỷ USD vào "
            "năm 2030, đứng thứ hai Đông Nam Á [15, 16]."
        )
        == []
    )
    # a later year than the source's own is a goal too: "100% … 2023" on a 2022 slide
    assert _figures("Hoàn thành 100% dịch vụ công trực tuyến năm 2023.", year=2022) == []


def test_answers_keep_only_dated_figures_outside_targets() -> None:
    # khanh-hoa-hoi-dap-2022.txt, Câu 24: the 2020 baseline
    lines = [
        Line(
            "Năm 2020, dịch vụ công trực tuyến mức độ 3,4 trên địa bàn tỉnh đạt tỷ lệ 64,06%; "
            "hồ sơ giải quyết trực tuyến đạt 56%; tỷ lệ đấu thầu qua mạng đạt 35,8%.",
            Span(548, 553),
        ),
        Line("Các doanh nghiệp có 30% chi phí.", Span(554, 554)),
    ]
    figures = extract_figures(Passage(lines), year=2022, dated_only=True)
    assert [(f.value, f.unit, f.as_of) for f in figures] == [
        (64.06, "PERCENT", datetime.date(2020, 12, 31)),
        (56, "PERCENT", datetime.date(2020, 12, 31)),
        (35.8, "PERCENT", datetime.date(2020, 12, 31)),
    ]
    assert figures[0].label == "dịch vụ công trực tuyến mức độ 3,4 trên địa bàn tỉnh"
    assert {f.as_of_text for f in figures} == {"Năm 2020"}
    # a sentence that holds a target's text is the target's: it yields no figure
    held = ["hồ sơ giải quyết trực tuyến đạt 56%"]
    assert extract_figures(Passage(lines), year=2022, dated_only=True, held=held) == []
