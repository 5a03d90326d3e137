"""Tests for loaders.dates: the one date parser, on dates as the sources write them."""

from __future__ import annotations

import datetime

import pytest

from loaders.dates import DATE, date_of_match, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29/10/2021", datetime.date(2021, 10, 29)),  # Nghị quyết 18-NQ/TU, seed 000
        ("7/12/2021", datetime.date(2021, 12, 7)),
        ("ngày 07/12/2021", datetime.date(2021, 12, 7)),
        ("Ngày  04/4/2022", datetime.date(2022, 4, 4)),  # Quyết định 909/QĐ-UBND, seed 002
        ("15-3-2022", datetime.date(2022, 3, 15)),
        ("ngày 28 tháng 8 năm 2022", datetime.date(2022, 8, 28)),
        (" 31/12/2022 ", datetime.date(2022, 12, 31)),
    ],
)
def test_parse_date_reads_written_dates(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/2/2022",
        "0/5/2022",
        "12/13/2022",
        "2022 - 2023",
        "Thường xuyên",
        "",
        "17/5/21",
        "1/1/1066",
    ],
)
def test_parse_date_rejects_what_is_not_a_date(text: str) -> None:
    assert parse_date(text) is None


def test_date_pattern_skips_document_numbers_in_running_text() -> None:
    # Seed 003, task II.7: a number with a year inside it stands before the real date.
    text = "Ban hành Quyết định thay thế Quyết định số 07/2020/QĐ-UBND ngày 20/03/2020 của UBND"
    found = [date_of_match(m) for m in DATE.finditer(text)]
    assert found == [datetime.date(2020, 3, 20)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tháng 8/2022", datetime.date(2022, 8, 31)),  # the article's Xã hội số paragraph
        ("tháng 5/2022", datetime.date(2022, 5, 31)),  # the Lào Cai handbook's results
        ("tháng 2/2024", datetime.date(2024, 2, 29)),
        ("tháng 12/2021", datetime.date(2021, 12, 31)),
        ("năm 2021", datetime.date(2021, 12, 31)),  # "Đến năm 2021"
    ],
)
def test_period_end_is_the_last_day_of_the_month_or_year(
    text: str, expected: datetime.date
) -> None:
    from loaders.dates import PERIOD, period_end

    match = PERIOD.search(text)
    assert match is not None and period_end(match) == expected


def test_period_end_refuses_a_month_that_does_not_exist() -> None:
    from loaders.dates import PERIOD, period_end

    match = PERIOD.search("tháng 13/2022")
    assert match is not None and period_end(match) is None
