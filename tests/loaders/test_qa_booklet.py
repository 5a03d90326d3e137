"""Q&A booklets: every numbered question once, answers without page numbers or colophon."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from loaders.clean import clean, page_number_lines, raw_lines
from loaders.qa_booklet import parse_booklet
from loaders.read import read_source
from loaders.records import QuestionRecord
from tests.loaders.sources import FIXTURES, HA_GIANG, KHANH_HOA, squeeze


def parse_text(text: str) -> tuple[list[QuestionRecord], list[str]]:
    questions, warnings = parse_booklet(clean(text))
    return questions, [w.message for w in warnings]


def parse_file(path: Path) -> tuple[list[QuestionRecord], list[str]]:
    return parse_text(read_source(path))


def assert_text_in_span(text: str, questions: list[QuestionRecord]) -> None:
    """Each question's text is found in the raw lines of its span (page numbers aside)."""
    raw = raw_lines(text)
    pages = page_number_lines(raw)
    for question in questions:
        numbers = range(question.span.start, question.span.end + 1)
        spanned = squeeze("".join(raw[n - 1] for n in numbers if n not in pages))
        assert squeeze(question.text) in spanned, question.number
        assert squeeze(question.answer) in spanned, question.number
        heading = raw[question.span.start - 1]
        assert re.search(r"\bCâu\b", heading), heading  # the heading starts here


def test_ha_giang_has_52_questions_numbered_once_each() -> None:
    questions, warnings = parse_file(HA_GIANG)
    assert [q.number for q in questions] == list(range(1, 53))
    assert warnings == []
    assert [q.number for q in questions if q.province_specific] == list(range(35, 53))
    assert {q.part for q in questions if q.number is not None and q.number <= 34} == {"Phần I"}
    assert {q.part for q in questions if q.province_specific} == {"Phần II"}
    first = questions[0]
    assert first.text == "Chuyển đổi số là gì?"
    assert first.answer.startswith("Chuyển đổi số là bước phát triển tiếp theo của tin học hóa")
    assert "LỜI GIỚI THIỆU" not in first.answer


def test_ha_giang_question_spanning_lines_and_sentences() -> None:
    questions, _ = parse_file(HA_GIANG)
    by_number = {q.number: q for q in questions}
    assert by_number[19].text == (
        "Chuyển đổi số trong lĩnh vực nông nghiệp thực hiện như thế nào? "
        "Có lợi ích gì cho người dân?"
    )
    assert by_number[37].document_numbers == ["18-NQ/TU"]
    assert by_number[41].document_numbers == ["293/KH-UBND", "18-NQ/TU"]
    assert "DIGITAL_GOVERNMENT" in by_number[41].pillars


def test_ha_giang_answers_have_no_page_numbers_part_titles_or_colophon() -> None:
    questions, _ = parse_file(HA_GIANG)
    by_number = {q.number: q for q in questions}
    # page "12" fell inside the answer to question 10
    assert "các thiết bị kỹ thuật số (máy tính, điện thoại di động)" in by_number[10].answer
    for question in questions:
        paragraphs = question.answer.split("\n\n")
        assert all(p and p == p.strip() for p in paragraphs)
        assert not any(re.fullmatch(r"\d+", p) for p in paragraphs)
        assert "Phần II" not in question.answer
    assert "CHUYỂN ĐỔI SỐ TỈNH HÀ GIANG" not in by_number[34].answer
    last = by_number[52].answer
    assert last.endswith("tới các cơ quan, đơn vị trên địa bàn tỉnh.")
    for colophon in ("BAN BIÊN TẬP", "Ban Biên tập", "Chịu trách nhiệm", "Giấy phép", "13/GP"):
        assert colophon not in last
    assert "---" not in last and "In 3.000" not in last
    assert by_number[52].span.end == 2195


def test_answer_paragraphs_are_separated_by_one_blank_line() -> None:
    questions, _ = parse_file(HA_GIANG)
    q37 = next(q for q in questions if q.number == 37)
    paragraphs = q37.answer.split("\n\n")
    assert len(paragraphs) == 10  # the lead and nine bullets
    assert paragraphs[1] == (
        "- 100% thủ tục hành chính đủ điều kiện theo quy định của pháp luật được cung cấp "
        "dưới hình thức dịch vụ công trực tuyến mức độ 4 trên nhiều phương tiện truy cập "
        "khác nhau."
    )


def test_khanh_hoa_has_50_questions_and_ignores_the_contents_echo() -> None:
    questions, warnings = parse_file(KHANH_HOA)
    assert [q.number for q in questions] == list(range(1, 51))
    assert [q.number for q in questions if q.province_specific] == list(range(24, 51))
    assert {q.part for q in questions} == {"Phần I", "Phần II"}
    assert warnings == [
        "heading of question 49 repeated without an answer (contents echo); ignored",
        "heading of question 50 repeated without an answer (contents echo); ignored",
    ]
    by_number = {q.number: q for q in questions}
    assert by_number[31].text.startswith("Xây dựng xã hội số tỉnh Khánh Hòa")  # "Câu hỏi 31:"
    assert by_number[2].text == "Công nghệ số là gì ?"
    last = by_number[50]
    assert last.span.end == 1537
    assert last.answer.endswith("(thuộc Khu công nghệ cao).")
    assert "Câu 49" not in last.answer and "Nhiệm vụ trọng tâm về phát triển" not in last.answer
    assert "BAN TUYÊN GIÁO" not in by_number[1].answer


@pytest.mark.parametrize("path", [HA_GIANG, KHANH_HOA], ids=["ha-giang", "khanh-hoa"])
def test_every_question_and_answer_lies_in_its_raw_span(path: Path) -> None:
    text = read_source(path)
    questions, _ = parse_text(text)
    assert_text_in_span(text, questions)


def test_excerpt_starting_mid_booklet_keeps_part_and_province() -> None:
    text = read_source(FIXTURES / "a_hg_questions_34_40.txt")
    questions, warnings = parse_text(text)
    assert [q.number for q in questions] == [34, 35, 36, 37, 38, 39, 40]
    assert questions[0].part is None and not questions[0].province_specific
    assert all(q.part == "Phần II" and q.province_specific for q in questions[1:])
    assert warnings == ["question numbers missing: " + str(list(range(1, 34)))]
    assert_text_in_span(text, questions)
    q35 = questions[1]
    assert (q35.span.start, q35.span.end) == (22, 36)  # raw lines 1177..1191
    assert q35.document_numbers == ["47/QĐ-UBND"]


def test_excerpt_with_colophon_and_page_number() -> None:
    text = read_source(FIXTURES / "a_hg_last_question_colophon.txt")
    [question], _ = parse_text(text)
    assert question.number == 52
    assert "(NCSC) do Bộ Thông tin và Truyền thông quản lý" in question.answer
    assert "57" not in question.answer
    assert "Đồng chí" not in question.answer


def test_excerpt_with_contents_echo() -> None:
    text = read_source(FIXTURES / "a_kh_contents_echo.txt")
    questions, warnings = parse_text(text)
    assert [q.number for q in questions] == [49, 50]
    assert len([w for w in warnings if "contents echo" in w]) == 2


def test_duplicate_answered_question_is_reported_and_kept_once() -> None:
    text = read_source(FIXTURES / "a_kh_contents_echo.txt")
    lines = raw_lines(text)
    # the answered question 49 a second time, after question 50 (real lines, repeated)
    doubled = "\n".join(lines[:40] + lines[40:96] + lines[:40])
    questions, warnings = parse_text(doubled)
    assert [q.number for q in questions] == [49, 50]
    assert [(q.span.start, q.span.end) for q in questions] == [(1, 40), (41, 95)]
    assert "question 49 appears again (first at line 1); the repeat is ignored" in warnings


def rewrap_pairs(text: str, page_every: int = 30) -> str:
    """The booklet as another extraction: two raw lines per line, new page numbers."""
    raw = raw_lines(text)
    pages = page_number_lines(raw)
    kept = [line.strip() for n, line in enumerate(raw, 1) if line.strip() and n not in pages]
    pairs = [" ".join(kept[i : i + 2]) for i in range(0, len(kept), 2)]
    out: list[str] = []
    for index, line in enumerate(pairs, start=1):
        out.append(line)
        if index % page_every == 0:
            out.extend(["", f" {index // page_every + 1} ", ""])
    return "\n".join(out)


def rewrap_width(text: str, width: int = 57, page_every: int = 40) -> str:
    """The booklet as one stream of words wrapped at ``width``, with page numbers."""
    raw = raw_lines(text)
    pages = page_number_lines(raw)
    words = " ".join(line for n, line in enumerate(raw, 1) if n not in pages).split()
    wrapped = textwrap.wrap(" ".join(words), width=width)
    out: list[str] = []
    for index, line in enumerate(wrapped, start=1):
        out.append(line)
        if index % page_every == 0:
            out.append(str(index // page_every))
    return "\n".join(out)


@pytest.mark.parametrize("path", [HA_GIANG, KHANH_HOA], ids=["ha-giang", "khanh-hoa"])
@pytest.mark.parametrize("rewrap", [rewrap_pairs, rewrap_width], ids=["pairs", "width"])
def test_rewrapped_booklet_gives_the_same_questions_and_answers(
    path: Path, rewrap: Callable[[str], str]
) -> None:
    original_text = read_source(path)
    original, _ = parse_text(original_text)
    copy_text = rewrap(original_text)
    assert copy_text.count("\n") != original_text.count("\n")
    copy, _ = parse_text(copy_text)
    assert [q.number for q in copy] == [q.number for q in original]
    assert [squeeze(q.text) for q in copy] == [squeeze(q.text) for q in original]
    assert [squeeze(q.answer) for q in copy] == [squeeze(q.answer) for q in original]
    assert [q.part for q in copy] == [q.part for q in original]
    assert [q.document_numbers for q in copy] == [q.document_numbers for q in original]
    assert_text_in_span(copy_text, copy)


def test_part_word_in_running_prose_does_not_change_the_part() -> None:
    text = "\n".join(
        [
            "Phần I",
            "CÂU HỎI 1: Chuyển đổi số là gì?",
            "Trả lời: Xem thêm Phần II của tài liệu này.",
            "Câu 2: Công nghệ số là gì?",
            "Trả lời: Công nghệ số là công nghệ thông tin.",
        ]
    )
    questions, warnings = parse_text(text)
    assert warnings == []
    assert [(q.number, q.part, q.province_specific) for q in questions] == [
        (1, "Phần I", False),
        (2, "Phần I", False),
    ]
    assert questions[0].answer == "Xem thêm Phần II của tài liệu này."


#: Conventions of other publishers' booklets: question heading, answer heading, page
#: footer, whether a blank line stands between every two lines.
CONVENTIONS = {
    "cau-dot": (lambda n: f"Câu {n}.", "Trả lời:", lambda p: f"- {p} -", False),
    "cau-hoi-dot-dap": (lambda n: f"Câu hỏi {n}.", "Đáp:", lambda p: f"Trang {p}", True),
    "hoi-dap": (lambda n: "Hỏi:", "Đáp:", lambda p: f"- {p} -", False),
}
RUNNING_HEADER = "HỎI - ĐÁP VỀ CHUYỂN ĐỔI SỐ"


def retypeset(questions: list[QuestionRecord], convention: str, width: int = 46) -> str:
    """The booklet's questions typeset anew: renumbered headings, re-wrapped at ``width``,
    a running header atop and a footer below every page of 35 lines."""
    ask, answer_word, footer, spaced = CONVENTIONS[convention]
    body: list[str] = []
    part = None
    for q in questions:
        if q.part != part:
            part = q.part
            body.append(str(part).upper())
        body += textwrap.wrap(f"{ask(q.number)} {q.text}", width, break_on_hyphens=False)
        for index, paragraph in enumerate(q.answer.split("\n\n")):
            lead = f"{answer_word} " if index == 0 else ""
            body += textwrap.wrap(lead + paragraph, width, break_on_hyphens=False)
    out: list[str] = []
    for page, start in enumerate(range(0, len(body), 35), start=1):
        out += [RUNNING_HEADER, *body[start : start + 35], footer(page)]
    return ("\n\n" if spaced else "\n").join(out)


@pytest.mark.parametrize("path", [HA_GIANG, KHANH_HOA], ids=["ha-giang", "khanh-hoa"])
@pytest.mark.parametrize("convention", sorted(CONVENTIONS))
def test_a_retypeset_booklet_in_another_publishers_conventions(path: Path, convention: str) -> None:
    original, _ = parse_file(path)
    text = retypeset(original, convention)
    assert text.count(RUNNING_HEADER) > 20  # a header on every page
    copy, warnings = parse_text(text)
    numbered = convention != "hoi-dap"
    assert [q.number for q in copy] == [q.number if numbered else None for q in original]
    assert [q.text for q in copy] == [q.text for q in original]
    assert [squeeze(q.answer) for q in copy] == [squeeze(q.answer) for q in original]
    assert [q.part for q in copy] == [q.part for q in original]
    assert [q.province_specific for q in copy] == [q.province_specific for q in original]
    assert [q.document_numbers for q in copy] == [q.document_numbers for q in original]
    footers = re.compile(r"(?<!Nha )Trang \d|- \d+ -")  # "thành phố Nha Trang" is content
    assert not any(RUNNING_HEADER in q.answer or footers.search(q.answer) for q in copy)
    assert warnings == []


def test_a_booklet_with_no_question_is_an_error_naming_the_file(tmp_path: Path) -> None:
    from loaders.ingest import LoadError, parse_all
    from loaders.manifest import read_manifest

    (tmp_path / "empty.txt").write_text(
        "HỎI - ĐÁP VỀ CHUYỂN ĐỔI SỐ\n\nLỜI GIỚI THIỆU\n\nCuốn sách này chưa có câu hỏi nào.\n",
        encoding="utf-8",
    )
    (tmp_path / "manifest.toml").write_text(
        '[[source]]\nslug = "empty"\nfile = "empty.txt"\nkind = "QA_BOOKLET"\n'
        'province = "ha-giang"\ntitle = "Hỏi - Đáp"\n',
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"empty\.txt.*QA_BOOKLET with no question"):
        parse_all(read_manifest(tmp_path / "manifest.toml"))


@pytest.mark.parametrize("path", [HA_GIANG, KHANH_HOA], ids=["ha-giang", "khanh-hoa"])
@pytest.mark.parametrize("convention", sorted(CONVENTIONS))
def test_a_retypeset_booklet_gives_the_same_plans(path: Path, convention: str) -> None:
    from loaders.manifest import SourceEntry
    from loaders.pipeline import parse_source

    entry = SourceEntry("copy", path, "QA_BOOKLET", "Hỏi - Đáp", province="ha-giang")
    original = parse_source(entry, read_source(path))
    copy = parse_source(entry, retypeset(parse_file(path)[0], convention))

    def plans(parsed: object) -> list[tuple[object, ...]]:
        tasks = [
            (t.title, t.group, t.deadline, t.deadline_text, t.lead_agencies, t.pillars)
            for t in parsed.tasks  # type: ignore[attr-defined]
        ]
        targets = [(t.text, t.year, t.pillars) for t in parsed.targets]  # type: ignore[attr-defined]
        return tasks + targets

    assert plans(copy) == plans(original)


def test_a_new_provinces_booklet_loads_by_a_manifest_entry_alone(tmp_path: Path) -> None:
    from loaders.ingest import parse_all
    from loaders.manifest import read_manifest

    original, _ = parse_file(KHANH_HOA)
    (tmp_path / "ninh-thuan.txt").write_text(retypeset(original, "cau-hoi-dot-dap"), "utf-8")
    (tmp_path / "manifest.toml").write_text(
        '[[source]]\nslug = "ninh-thuan-hoi-dap"\nfile = "ninh-thuan.txt"\n'
        'kind = "QA_BOOKLET"\nprovince = "58"\ntitle = "Hỏi - Đáp"\n',
        encoding="utf-8",
    )
    (parsed,) = parse_all(read_manifest(tmp_path / "manifest.toml"))
    assert parsed.entry.province == "ninh-thuan"  # GSO code 58 before 1 July 2025
    assert [q.number for q in parsed.result.questions] == list(range(1, 51))
    assert len(parsed.result.tasks) >= 80 and parsed.result.targets
