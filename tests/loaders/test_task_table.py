"""Tests for loaders.task_table on the Lào Cai table (seed 003), whole file and excerpt."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import pytest

from loaders.records import TaskRecord
from loaders.task_table import parse_task_table

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1] / "data" / "sources" / "lao-cai-tai-lieu-tuyen-truyen-2022.txt"
EXCERPT = HERE / "fixtures" / "b_lao_cai_task_table.txt"  # raw lines 633..693 of seed 003

GROUPS = {
    "Chuyển đổi nhận thức": 2,
    "Xây dựng thể chế, chính sách, đảm bảo nguồn lực cho chuyên đổi số": 14,
    "Phát triển hạ tầng số, nền tảng số, kết nối, chia sẻ dữ liệu": 8,
    "Xây dựng chính quyền số": 5,
    "Phát triển kinh tế số, xã hội số": 8,
    "Bảo đảm an toàn dữ liệu, thông tin và an ninh mạng": 2,
}


@pytest.fixture(scope="module")
def raw() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tasks(raw: str) -> list[TaskRecord]:
    found, warnings = parse_task_table(raw)
    assert warnings == []
    return found


def _task(tasks: list[TaskRecord], group_start: str, ordinal: int) -> TaskRecord:
    (task,) = [
        t for t in tasks if t.group and t.group.startswith(group_start) and t.ordinal == ordinal
    ]
    return task


def test_39_tasks_in_6_groups_numbered_1_to_n(tasks: list[TaskRecord]) -> None:
    assert len(tasks) == 39
    assert Counter(t.group for t in tasks) == GROUPS
    for group, count in GROUPS.items():
        assert [t.ordinal for t in tasks if t.group == group] == list(range(1, count + 1))


def test_task_joined_from_a_continuation_row(tasks: list[TaskRecord]) -> None:
    task = _task(tasks, "Chuyển đổi nhận thức", 1)
    assert task.title.startswith("Tổ chức các hội nghị, hội thảo, đào tạo, giới thiệu kiến thức")
    assert task.title.endswith(
        "tuyên truyền, phổ biến cuốn Cẩm nang về chuyên đổi số đến người dân."
    )
    assert task.lead_agencies == ["Sở Thông tin và Truyền thông"]  # "Sở Thông" + "tin và …"
    assert (task.deadline_text, task.deadline_kind, task.deadline) == (
        "Thường xuyên",
        "RECURRING",
        None,
    )
    assert (task.span.start, task.span.end) == (637, 639)


def test_continuation_rows_in_every_column(tasks: list[TaskRecord]) -> None:
    task = _task(tasks, "Xây dựng thể chế", 13)
    assert task.title == "Làm việc với Bộ trưởng Bộ Thông tin và Truyền thông"
    assert task.lead_agencies == ["Sở Thông tin và Truyền thông"]
    assert task.deadline == datetime.date(2022, 6, 30)
    ngoai_vu = _task(tasks, "Xây dựng thể chế", 5)
    assert ngoai_vu.lead_agencies == ["Sở Ngoại vụ"]
    assert ngoai_vu.title.endswith(
        "để triển khai xây dựng đô thị thông minh tại thành phố Lào Cai và thị xã Sa Pa"
    )
    school = _task(tasks, "Phát triển kinh tế số", 5)
    assert school.lead_agencies == ["Sở Giáo dục và Đào tạo"]
    assert "toàn diện tại trường THPT Chuyên và cụm trường Kim Tân" in school.title


def test_agencies_protected_and_split(tasks: list[TaskRecord]) -> None:
    assert _task(tasks, "Xây dựng thể chế", 9).lead_agencies == ["Các cơ quan, đơn vị, địa phương"]
    assert _task(tasks, "Xây dựng thể chế", 4).lead_agencies == ["Sở Giao thông vận tải - Xây dựng"]
    assert _task(tasks, "Xây dựng thể chế", 2).lead_agencies == [
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
    ]
    assert _task(tasks, "Phát triển kinh tế số", 7).lead_agencies == [
        "UBND TP Lào Cai",
        "UBND thị xã Sa Pa",
    ]


def test_deadlines_as_written(tasks: list[TaskRecord]) -> None:
    data = _task(tasks, "Phát triển hạ tầng số", 6)
    assert (data.deadline_text, data.deadline_kind, data.deadline) == (
        "2022 - 2023",
        "PERIOD",
        datetime.date(2023, 12, 31),
    )
    portal = _task(tasks, "Xây dựng chính quyền số", 1)
    assert (portal.deadline_text, portal.deadline_kind) == ("Thực hiện thường xuyên", "RECURRING")
    assert portal.lead_agencies == ["Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"]
    tax = _task(tasks, "Phát triển kinh tế số", 2)
    assert tax.lead_agencies == ["Cục Thuế"]
    assert (tax.deadline_text, tax.deadline) == ("31/12/2022", datetime.date(2022, 12, 31))


def test_pillars_from_group_heading_else_keywords(tasks: list[TaskRecord]) -> None:
    assert {tuple(t.pillars) for t in tasks if t.group == "Xây dựng chính quyền số"} == {
        ("DIGITAL_GOVERNMENT",)
    }
    # "Phát triển kinh tế số, xã hội số" names two pillars: each task's own words choose
    # among them ("sàn thương mại điện tử"; the SME plan: "hợp tác xã, doanh nghiệp nhỏ và
    # vừa"; "hồ sơ sức khỏe điện tử cho người dân"), and words naming neither leave both.
    assert _task(tasks, "Phát triển kinh tế số", 8).pillars == ["DIGITAL_ECONOMY"]
    assert _task(tasks, "Phát triển kinh tế số", 1).pillars == ["DIGITAL_ECONOMY"]
    assert "DIGITAL_SOCIETY" in _task(tasks, "Phát triển kinh tế số", 4).pillars
    assert _task(tasks, "Phát triển kinh tế số", 7).pillars == [
        "DIGITAL_ECONOMY",
        "DIGITAL_SOCIETY",
    ]


def test_no_document_is_named_above_the_table(tasks: list[TaskRecord]) -> None:
    # "3. Nhiệm vụ trọng tâm trong những tháng cuối năm (39 nhiệm vụ)" names no document.
    assert {t.document_number for t in tasks} == {None}


def test_spans_hold_the_task_text(raw: str, tasks: list[TaskRecord]) -> None:
    lines = raw.split("\n")
    for task in tasks:
        cited = " ".join(lines[task.span.start - 1 : task.span.end])
        assert task.title.split()[0] in cited
        assert cited.split("\t")[0].strip() == str(task.ordinal)
        for word in task.title.split()[:6]:
            assert word in cited
        if task.deadline_text:
            for word in task.deadline_text.split():
                assert word in cited


def test_the_excerpt_gives_the_same_tasks(tasks: list[TaskRecord]) -> None:
    excerpt, warnings = parse_task_table(EXCERPT.read_text(encoding="utf-8"))
    assert warnings == []
    assert [t.title for t in excerpt] == [t.title for t in tasks]
    assert [t.span.start + 632 for t in excerpt] == [t.span.start for t in tasks]


def test_page_number_and_repeated_header_inside_a_continued_row() -> None:
    # The excerpt with what a page break leaves in other extractions: a page number and
    # the table header repeated between task II.5 and its continuation row.
    lines = EXCERPT.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("5\tLàm việc với Đại sứ quán"))
    broken = [*lines[: at + 1], "27", "", lines[2], *lines[at + 1 :]]
    tasks, warnings = parse_task_table("\n".join(broken))
    assert warnings == []
    assert len(tasks) == 39
    task = _task(tasks, "Xây dựng thể chế", 5)
    assert task.lead_agencies == ["Sở Ngoại vụ"]
    assert (task.span.start, task.span.end) == (at + 1, at + 6)


def test_stated_group_count_is_checked() -> None:
    lines = EXCERPT.read_text(encoding="utf-8").split("\n")
    dropped = [line for line in lines if not line.startswith("2\tĐấu tranh phòng chống")]
    tasks, warnings = parse_task_table("\n".join(dropped))
    assert len(tasks) == 38
    messages = [w.message for w in warnings]
    assert any("states 2 tasks, found 1" in m for m in messages)
    assert any("table states 39 tasks, found 38" in m for m in messages)


def test_text_without_a_table() -> None:
    assert parse_task_table("PHẦN III\n\nCÔNG TÁC CHUYỂN ĐỔI SỐ TẠI LÀO CAI\n") == ([], [])
