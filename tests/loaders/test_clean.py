"""Clean step: real excerpts with their extraction damage, and the five bundled sources."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from loaders.clean import CleanLine, Passage, clean, page_number_lines, raw_lines
from loaders.read import read_source
from loaders.records import Line
from tests.loaders.sources import FIXTURES, KHANH_HOA, SOURCES, squeeze


def fixture(name: str) -> str:
    return read_source(FIXTURES / name)


def texts(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


def spanned_raw(text: str, line: Line) -> str:
    """The raw lines of ``line``'s span, page numbers left out, white space removed."""
    raw = raw_lines(text)
    pages = page_number_lines(raw)
    numbers = range(line.span.start, line.span.end + 1)
    return squeeze("".join(raw[n - 1] for n in numbers if n not in pages))


def test_blank_line_after_every_line_is_ignored_and_sentences_are_joined() -> None:
    lines = clean(fixture("a_hg_questions_34_40.txt"))
    assert "Câu hỏi 35: Ngày Chuyển đổi số của tỉnh Hà Giang là ngày nào?" in texts(lines)
    assert not any(line.text == "" for line in lines)
    answer = next(line for line in lines if line.text.startswith("Trả lời: Theo Quyết định"))
    assert answer.text == (
        "Trả lời: Theo Quyết định số 47/QĐ-UBND, ngày 11/01/2022 của Ủy ban nhân dân tỉnh "
        "Hà Giang về “Ngày chuyển đổi số tỉnh Hà Giang”, theo đó lấy ngày 28 tháng 8 hằng "
        "năm là Ngày Chuyển đổi số của tỉnh Hà Giang."
    )
    # raw lines 1181..1191 of the booklet are lines 26..36 of the excerpt
    assert (answer.span.start, answer.span.end) == (26, 36)


def test_document_numbers_broken_at_a_hyphen_are_joined_without_a_space() -> None:
    joined = "\n".join(texts(clean(fixture("a_hg_questions_34_40.txt"))))
    assert "Theo Nghị quyết số 18-NQ/TU, ngày 29/10/2021" in joined  # "18-" / "NQ/TU"
    assert "Theo Kế hoạch số 293/KH-UBND, ngày 07/12/2021" not in joined  # not in excerpt
    assert "Nghị quyết số 18-NQ/TU, ngày 29/10/2021" in joined
    last = "\n".join(texts(clean(fixture("a_hg_last_question_colophon.txt"))))
    assert "Theo Kế hoạch số 294/KH-UBND, ngày 07/12/2021" in last
    assert "KH- UBND" not in last


def test_spaced_dash_at_a_line_start_is_not_a_bullet_inside_a_sentence() -> None:
    lines = clean(fixture("a_hg_questions_34_40.txt"))
    assert any(
        line.text.endswith("Mặt trận Tổ quốc và các tổ chức chính trị - xã hội.") for line in lines
    )
    assert not any(line.text.startswith("- xã hội") for line in lines)
    assert "giai đoạn 2021 - 2025, định hướng" in "\n".join(texts(lines))


def test_bullets_and_list_items_after_a_sentence_end_start_new_lines() -> None:
    lines = clean(fixture("a_hg_questions_34_40.txt"))
    bullets = [line for line in lines if line.text.startswith("- ")]
    assert len(bullets) == 16  # 9 targets for 2025 and 7 for 2030
    assert bullets[0].text.startswith("- 100% thủ tục hành chính đủ điều kiện")
    assert "(8) Bảo đảm nguồn lực chuyển đổi số." in texts(lines)


def test_page_number_lines_are_dropped_and_the_sentence_runs_on() -> None:
    text = fixture("a_hg_last_question_colophon.txt")
    assert page_number_lines(raw_lines(text)) == {45}  # " 57 "
    joined = "\n".join(texts(clean(text)))
    assert "kết nối với hệ thống giám sát an toàn quốc gia (NCSC) do Bộ Thông tin" in joined
    assert not re.search(r"\b57\b", joined)


def test_lone_numbers_that_do_not_rise_are_data_not_page_numbers() -> None:
    text = fixture("a_ht_slide_ranks.txt")
    assert page_number_lines(raw_lines(text)) == set()
    assert "43" in squeeze("".join(texts(clean(text))))


def test_page_numbers_of_the_bundled_booklets() -> None:
    hg = raw_lines(read_source(SOURCES / "ha-giang-hoi-dap-2022.txt"))
    kh = raw_lines(read_source(SOURCES / "khanh-hoa-hoi-dap-2022.txt"))
    slides = raw_lines(read_source(SOURCES / "ha-tinh-slides-2022.txt"))
    assert page_number_lines(hg) == {355, 635, 718, 2181}
    assert page_number_lines(kh) == {394, 775, 969, 1143}
    assert page_number_lines(slides) == set()


def test_headings_titles_and_answer_heading_are_lines_of_their_own() -> None:
    lines = texts(clean(fixture("a_kh_targets_26_29.txt")))
    assert "Câu 27: Đến năm 2025, mục tiêu cụ thể về chuyển đổi số tỉnh Khánh Hòa là gì?" in lines
    assert lines.count("Trả lời:") == 4
    assert any(
        line.startswith("- Về phát triển kinh tế số: kinh tế số chiếm tối thiểu 10% GRDP")
        for line in lines
    )


def test_handbook_story_heading_is_its_own_line() -> None:
    lines = texts(clean(fixture("a_lc_handbook_start.txt")))
    assert "An ninh và trật tự an toàn xã hội" in lines
    assert "Kinh tế số đem lại lợi ích gì cho người dân?" in lines
    assert lines[:3] == ["TÀI LIỆU TUYÊN TRUYỀN CHUYỂN ĐỔI SỐ", "Phần I", "CẨM NANG CƠ BẢN"]


def test_table_rows_keep_their_tabs_and_are_never_joined() -> None:
    text = fixture("a_lc_handbook_part3.txt")
    lines = clean(text)
    raw = raw_lines(text)
    tab_lines = [line for line in lines if "\t" in line.text]
    assert len(tab_lines) == sum("\t" in row for row in raw)
    for line in tab_lines:
        assert line.span.start == line.span.end
        assert line.text == raw[line.span.start - 1].rstrip(" ")
    assert "I\tChuyển đổi nhận thức (2 nhiệm vụ)\t\t" in texts(lines)
    assert "1. Một số văn bản đã ban hành về chuyển đổi số" in texts(lines)


def test_text_is_nfc_with_spaces_squashed() -> None:
    nfd = unicodedata.normalize("NFD", "Trả lời:   Chuyển đổi số  là gì?\n")
    [line] = clean(nfd)
    assert line.text == "Trả lời: Chuyển đổi số là gì?"


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.txt")), ids=lambda p: p.name)
def test_every_line_of_every_source_is_found_in_its_raw_span(path: Path) -> None:
    text = read_source(path)
    raw = raw_lines(text)
    lines = clean(text)
    assert lines
    previous_end = 0
    for line in lines:
        assert line.text and line.text == line.text.strip(" ")
        assert previous_end < line.span.start <= line.span.end <= len(raw)
        assert raw[line.span.start - 1].strip() and raw[line.span.end - 1].strip()
        assert squeeze(line.text) == spanned_raw(text, line)
        previous_end = line.span.end


def test_passage_traces_a_clause_to_its_own_raw_lines() -> None:
    text = fixture("a_kh_targets_26_29.txt")
    lines = clean(text)
    assert all(isinstance(line, CleanLine) for line in lines)
    passage = Passage(lines)
    clause = "phấn đấu 100% doanh nghiệp nhà nước thuộc tỉnh"
    start = passage.text.index(clause)
    span = passage.span(start, start + len(clause))
    # raw lines 643..644 of the booklet: "thiểu 10% GRDP của tỉnh; phấn đấu 100% doanh" …
    assert (span.start, span.end) == (44, 45)
    assert clause.split()[-1] in raw_lines(text)[span.end - 1]


def test_a_web_address_is_never_split() -> None:
    # Khánh Hòa lines 962–963: "… cổng dữ liệu quốc gia (data.gov." / "vn); thực hiện …"
    text = (
        "- Xây dựng Kho dữ liệu dùng chung của tỉnh, tích hợp với cổng dữ liệu quốc gia "
        "(data.gov.\nvn); thực hiện chia sẻ, tích hợp dữ liệu thông suốt"
    )
    (line,) = clean(text)
    assert "(data.gov.vn); thực hiện" in line.text
    assert "quốc gia (data.gov.vn)" in " ".join(
        line.text for line in clean(read_source(KHANH_HOA)) if "data.gov" in line.text
    )


def test_a_list_item_stays_in_its_sentence() -> None:
    # Khánh Hòa lines 165–166: "… (2) có thể tạo ra sản phẩm, dịch vụ mới nhanh chóng;" /
    # "(3) có khả năng sử dụng nguồn lực tối ưu; (4) có …"
    lines = clean(read_source(KHANH_HOA))
    (holder,) = [line for line in lines if "(3) có khả năng sử dụng nguồn lực tối ưu" in line.text]
    assert "(2) " in holder.text and holder.span.start < 166 <= holder.span.end
    # the other items of Khánh Hòa's inline lists (lines 523, 1079, 1080, 1417) likewise
    assert not [line.text[:20] for line in lines if re.match(r"\([3-9]\) ", line.text)]
