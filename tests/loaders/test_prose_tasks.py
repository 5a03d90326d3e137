"""Tasks and solutions listed "(1) … (N)" in prose, linked to the document that sets them."""

from __future__ import annotations

from loaders.clean import clean, raw_lines
from loaders.prose_tasks import extract_prose_tasks
from loaders.qa_booklet import parse_booklet
from loaders.read import read_source
from loaders.records import Span, TaskRecord
from tests.loaders.sources import FIXTURES, HA_GIANG, KHANH_HOA, squeeze


def tasks_of(text: str) -> tuple[list[TaskRecord], list[str]]:
    lines = clean(text)
    questions, _ = parse_booklet(lines)
    tasks, warnings = extract_prose_tasks(questions, lines)
    return tasks, [w.message for w in warnings]


def assert_title_in_span(text: str, tasks: list[TaskRecord]) -> None:
    raw = raw_lines(text)
    for task in tasks:
        spanned = squeeze("".join(raw[task.span.start - 1 : task.span.end]))
        assert squeeze(task.title) in spanned, task.title
        assert f"({task.ordinal})" in squeeze(raw[task.span.start - 1])


def test_ha_giang_eight_tasks_and_solutions_of_resolution_18() -> None:
    text = read_source(HA_GIANG)
    tasks, warnings = tasks_of(text)
    assert warnings == []
    resolution = [t for t in tasks if t.document_number == "18-NQ/TU"]
    assert [t.ordinal for t in resolution] == list(range(1, 9))
    assert {t.group for t in resolution} == {"Nhiệm vụ và giải pháp"}
    assert {t.deadline_kind for t in resolution} == {"NONE"}
    assert all(t.deadline is None and t.lead_agencies == [] for t in resolution)
    assert resolution[3].title == "Xây dựng và phát triển chính quyền số"
    assert resolution[3].pillars == ["DIGITAL_GOVERNMENT"]
    assert resolution[4].pillars == ["DIGITAL_ECONOMY"]
    assert resolution[5].pillars == ["DIGITAL_SOCIETY"]
    assert resolution[0].title.startswith("Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy đảng")
    assert resolution[0].title.endswith("đẩy mạnh tuyên truyền nâng cao nhận thức về chuyển đổi số")
    assert resolution[7].title == "Bảo đảm nguồn lực chuyển đổi số"
    assert resolution[7].span == Span(1449, 1449)
    assert_title_in_span(text, tasks)


def test_ha_giang_plan_552_lists_its_own_eight_tasks() -> None:
    tasks, _ = tasks_of(read_source(HA_GIANG))
    plan = [t for t in tasks if t.document_number == "552-KH/TU"]
    assert [t.ordinal for t in plan] == list(range(1, 9))
    assert {t.group for t in plan} == {"Nhiệm vụ, giải pháp"}
    assert plan[-1].title == (
        "Chuyển đổi số trong các cơ quan Đảng, Nhà nước, Mặt trận Tổ quốc và các tổ chức "
        "chính trị - xã hội"
    )
    assert len(tasks) == 16


def test_numbered_lists_of_other_things_are_not_tasks() -> None:
    text = read_source(HA_GIANG)
    lines = clean(text)
    questions, _ = parse_booklet(lines)
    tasks, _ = extract_prose_tasks(questions, lines)
    for number in (10, 31, 36):  # nine elements of a citizen, safety steps, three views
        question = next(q for q in questions if q.number == number)
        assert "(1)" in question.answer
        assert not any(question.span.start <= t.span.start <= question.span.end for t in tasks), (
            number
        )


def test_khanh_hoa_six_solutions_name_no_document() -> None:
    text = read_source(KHANH_HOA)
    tasks, warnings = tasks_of(text)
    assert warnings == []
    assert [t.ordinal for t in tasks] == list(range(1, 7))
    assert {t.group for t in tasks} == {"Giải pháp"}
    assert {t.document_number for t in tasks} == {None}
    assert [t.title for t in tasks][3:] == [
        "Phát triển dữ liệu",
        "Phát triển nền tảng, hệ thống",
        "Bảo đảm an toàn, an ninh mạng",
    ]
    assert_title_in_span(text, tasks)


def test_a_missing_item_is_reported_against_the_stated_count() -> None:
    text = read_source(FIXTURES / "a_hg_questions_34_40.txt")
    raw = raw_lines(text)
    last_item = raw.index("(8) Bảo đảm nguồn lực chuyển đổi số.  ")
    tasks, warnings = tasks_of("\n".join(raw[:last_item] + raw[last_item + 1 :]))
    assert [t.ordinal for t in tasks if t.document_number == "18-NQ/TU"] == list(range(1, 8))
    assert warnings == ["the text states 8 tasks but 7 were found"]
