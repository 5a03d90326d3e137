"""Tests for loaders.deadlines: every deadline cell of the Lào Cai task table, and more."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from loaders.deadlines import find_deadline, parse_deadline
from tests.loaders.sources import SOURCES


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("31/7/2022", (datetime.date(2022, 7, 31), "DATE")),
        ("30/6/2022", (datetime.date(2022, 6, 30), "DATE")),
        ("2022 - 2023", (datetime.date(2023, 12, 31), "PERIOD")),
        ("2022-2023", (datetime.date(2023, 12, 31), "PERIOD")),
        ("2022 – 2025", (datetime.date(2025, 12, 31), "PERIOD")),
        ("Thường xuyên", (None, "RECURRING")),
        ("thường xuyên", (None, "RECURRING")),
        ("Thực hiện thường xuyên", (None, "RECURRING")),
        ("THỰC HIỆN THƯỜNG XUYÊN", (None, "RECURRING")),
        ("Năm 2022", (datetime.date(2022, 12, 31), "PERIOD")),
        ("2022", (datetime.date(2022, 12, 31), "PERIOD")),
        ("Quý III/2022", (datetime.date(2022, 9, 30), "PERIOD")),
        ("Tháng 2/2024", (datetime.date(2024, 2, 29), "PERIOD")),
        ("2025 - 2022", (None, "NONE")),
        ("Khi có yêu cầu", (None, "NONE")),
        ("", (None, "NONE")),
        (None, (None, "NONE")),
    ],
)
def test_parse_deadline(written: str | None, expected: tuple[datetime.date | None, str]) -> None:
    assert parse_deadline(written) == expected


def test_every_deadline_cell_of_the_lao_cai_table_is_understood() -> None:
    # The raw deadline cells (4th column) of the task rows, continuation rows joined.
    text = (SOURCES / "lao-cai-tai-lieu-tuyen-truyen-2022.txt").read_text(encoding="utf-8")
    cells: list[str] = []
    for line in text.split("\n")[635:]:
        parts = line.split("\t")
        if len(parts) == 4 and parts[0].isdigit():
            cells.append(parts[3].strip())
        elif len(parts) == 4 and parts[0] == "" and parts[3].strip():
            cells[-1] = f"{cells[-1]} {parts[3].strip()}"
    assert len(cells) == 39
    kinds = {cell: parse_deadline(cell)[1] for cell in cells}
    assert kinds["Thường xuyên"] == "RECURRING"  # "Thường" + continuation "xuyên"
    assert kinds["Thực hiện thường xuyên"] == "RECURRING"
    assert kinds["2022 - 2023"] == "PERIOD"
    assert Counter(parse_deadline(cell)[1] for cell in cells) == {
        "DATE": 33,
        "RECURRING": 5,
        "PERIOD": 1,
    }


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # Khánh Hòa, Câu 31: a year alone is a PERIOD ending 31/12; "hàng năm" is no year
        (
            "theo đó, trong năm 2022, xây dựng hoàn thành bộ giáo trình …; hàng năm, tại mỗi "
            "huyện, thị xã, thành phố, tổ chức ít nhất 05 lớp",
            (datetime.date(2022, 12, 31), "PERIOD", "trong năm 2022"),
        ),
        (
            "Đến hết năm 2023, 100% các doanh nghiệp",
            (datetime.date(2023, 12, 31), "PERIOD", "Đến hết năm 2023"),
        ),
        (
            "phấn đấu đến năm 2025, trên 80%",
            (datetime.date(2025, 12, 31), "PERIOD", "đến năm 2025"),
        ),
        (
            "trước hết năm 2023 và đến năm 2025",
            (datetime.date(2025, 12, 31), "PERIOD", "đến năm 2025"),
        ),
        ("Thường xuyên phối hợp với các cơ quan", (None, "RECURRING", "Thường xuyên")),
        ("Số hóa toàn bộ dữ liệu; thường xuyên cập nhật", (None, "RECURRING", "thường xuyên")),
        ("giai đoạn 2021 - 2025, định hướng đến năm 2030", (None, "NONE", None)),  # a horizon
        ("Số hóa sổ hộ tịch từ năm 1945 đến nay", (None, "NONE", None)),
        ("Xây dựng hệ thống bệnh án điện tử", (None, "NONE", None)),
    ],
)
def test_find_deadline_in_a_tasks_own_words(
    words: str, expected: tuple[datetime.date | None, str, str | None]
) -> None:
    assert find_deadline(words) == expected
