"""Lào Cai handbook: question headings ending in "?" with their non-empty answers."""

from __future__ import annotations

from loaders.clean import clean, raw_lines
from loaders.handbook import parse_handbook_questions
from loaders.read import read_source
from loaders.records import Line, Span
from tests.loaders.sources import FIXTURES, LAO_CAI, squeeze


def test_full_handbook_questions_of_parts_one_and_two() -> None:
    text = read_source(LAO_CAI)
    questions, warnings = parse_handbook_questions(clean(text))
    assert warnings == []
    # 64 questions in print; Phần 2 opens with four of Phần I again (lines 363–393):
    # served once, with the repeat among their citations
    assert len(questions) == 60
    assert [q.part for q in questions].count("Phần I") == 40
    assert [q.part for q in questions].count("Phần 2") == 20
    assert [(q.span.start, q.repeats) for q in questions if q.repeats] == [
        (9, [Span(363, 365)]),
        (13, [Span(367, 375)]),
        (23, [Span(377, 385)]),
        (35, [Span(387, 393)]),
    ]
    assert [q.key for q in questions][:5] == ["h1", "h2", "h3", "h4", "h5"]
    # keys count every question printed, repeats included: the IDs served before stay
    assert [q.key for q in questions if 359 <= q.span.start <= 395] == ["h46", "h51"]
    assert all(q.number is None and not q.province_specific for q in questions)
    assert all(q.answer.strip() and q.text.endswith("?") for q in questions)
    raw = raw_lines(text)
    part_three = next(n for n, line in enumerate(raw, 1) if line.strip() == "PHẦN III")
    assert all(q.span.end < part_three for q in questions)
    for question in questions:
        spanned = squeeze("".join(raw[question.span.start - 1 : question.span.end]))
        assert squeeze(question.text) in spanned
        assert squeeze(question.answer) in spanned
        assert raw[question.span.start - 1].strip() == question.text
        for title in ("CẨM NANG CHO NGƯỜI DÂN", "PHẦN", "STT\t"):
            assert title not in question.answer


def test_heading_repeated_back_to_back_is_one_question() -> None:
    questions, _ = parse_handbook_questions(clean(read_source(LAO_CAI)))
    economy = [q for q in questions if q.text == "Kinh tế số đem lại lợi ích gì cho người dân?"]
    # once in Phần I (lines 23 and 25, back to back), printed again in Phần 2
    assert [(q.part, q.span.start, q.repeats) for q in economy] == [
        ("Phần I", 23, [Span(377, 385)])
    ]
    assert economy[0].answer.startswith("Kinh tế số cho phép mỗi người dân")
    assert "Kinh tế số đem lại lợi ích gì" not in economy[0].answer


def test_story_boxes_stay_inside_the_answer() -> None:
    questions, _ = parse_handbook_questions(clean(read_source(LAO_CAI)))
    by_text = {(q.part, q.text): q for q in questions}
    business = by_text[("Phần I", "Vì sao doanh nghiệp cần chuyển đổi số?")]
    paragraphs = business.answer.split("\n\n")
    assert paragraphs[1] == "Câu chuyện của Kodak"
    assert paragraphs[2].startswith("Năm 1975, kỹ sư của Kodak")
    assert "Hay khủng hoảng rồi mới chuyển đổi?" in [q.text for q in questions]


def test_excerpt_of_the_start() -> None:
    text = read_source(FIXTURES / "a_lc_handbook_start.txt")
    questions, warnings = parse_handbook_questions(clean(text))
    assert warnings == []
    assert [q.text for q in questions][:3] == [
        "Chuyển đổi số đem lại lợi ích gì cho người dân?",
        "Chính phủ số đem lại lợi ích gì cho người dân?",
        "Kinh tế số đem lại lợi ích gì cho người dân?",
    ]
    government = questions[1]
    assert government.span == Span(13, 21)
    assert government.answer.split("\n\n")[2] == "An ninh và trật tự an toàn xã hội"
    assert "DIGITAL_GOVERNMENT" in government.pillars


def test_parsing_stops_at_part_three() -> None:
    # the excerpt starts at "Nếu gặp sự cố thì hỏi ai?", the last questions of Phần 2
    text = "PHẦN 2\n\n" + read_source(FIXTURES / "a_lc_handbook_part3.txt")
    questions, warnings = parse_handbook_questions(clean(text))
    assert warnings == []
    assert [q.text for q in questions] == [
        "Nếu gặp sự cố thì hỏi ai?",
        "Mỗi người dân cần chuẩn bị cho mình những gì?",
    ]
    assert questions[-1].answer.endswith("có một thế giới số an toàn, lành mạnh và tốt đẹp hơn.")
    assert questions[-1].span.end == 21  # two lines added above; PHẦN III is on line 23


def lines_of(*texts: str) -> list[Line]:
    return [Line(text, Span(n, n)) for n, text in enumerate(texts, start=1)]


def test_empty_answer_is_dropped_with_a_warning() -> None:
    lines = lines_of(
        "Phần I",
        "Chuyển đổi số vì sao lại cần?",
        "Chuyển đổi số quốc gia là gì?",
        "Chuyển đổi số quốc gia bao gồm 3 cấu phần chính.",
        "Vì sao Việt Nam cần chuyển đổi số?",
        "PHẦN 2",
    )
    questions, warnings = parse_handbook_questions(lines)
    assert [q.text for q in questions] == ["Chuyển đổi số quốc gia là gì?"]
    assert [w.line for w in warnings] == [2, 5]
    assert all("no answer" in w.message for w in warnings)


def test_question_like_line_in_part_three_is_reported_not_returned() -> None:
    lines = lines_of(
        "Phần I",
        "Nền tảng số là gì?",
        "Nền tảng số là bước phát triển tiếp theo của hệ thống thông tin.",
        "PHẦN III",
        "Lào Cai đã làm được gì?",
        "Hoàn thành lắp đặt 8/15 điểm wifi công cộng.",
    )
    questions, warnings = parse_handbook_questions(lines)
    assert [q.text for q in questions] == ["Nền tảng số là gì?"]
    assert questions[0].span == Span(2, 3)
    assert [w.line for w in warnings] == [5]
