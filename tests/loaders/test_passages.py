"""Passages of the bundled sources: what is in them, what is left out, and the article's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.clean import raw_lines
from loaders.manifest import read_manifest
from loaders.passages import MAX_CHARS, contact_lines, furniture_lines, held_lines
from loaders.pipeline import parse_source
from loaders.read import read_source
from loaders.records import ParsedSource, PassageRecord
from tests.conftest import BUNDLED_MANIFEST

ENTRIES = {e.slug: e for e in read_manifest(BUNDLED_MANIFEST)}


def _parse(slug: str) -> tuple[ParsedSource, list[str]]:
    entry = ENTRIES[slug]
    text = read_source(entry.path)
    return parse_source(entry, text), raw_lines(text)


def _one(passages: list[PassageRecord], heading: str) -> PassageRecord:
    found = [p for p in passages if p.heading == heading]
    assert len(found) == 1, [p.heading for p in passages]
    return found[0]


@pytest.mark.parametrize("slug", sorted(ENTRIES))
def test_passages_hold_nothing_another_record_holds(slug: str) -> None:
    result, lines = _parse(slug)
    held = held_lines(result)
    left_out = furniture_lines(ENTRIES[slug].kind, lines) | contact_lines(lines)
    assert result.passages
    for passage in result.passages:
        span = set(range(passage.span.start, passage.span.end + 1))
        assert not span & held, (passage.heading, passage.span)
        # a passage may reach over a page number, never start or end on furniture
        assert passage.span.start not in left_out and passage.span.end not in left_out
        assert passage.text.strip() and "\n\n\n" not in passage.text
        if "\n\n" in passage.text:  # several paragraphs: split where long
            assert len(passage.text) <= MAX_CHARS


def test_the_article_by_its_numbered_sections() -> None:
    result, _ = _parse("ha-giang-bai-bao-chuyen-doi-so")
    headings = list(dict.fromkeys(p.heading for p in result.passages))
    assert headings == [
        None,  # lines 1-11: the end of the abstract, before "1. Giới thiệu"
        "1. Giới thiệu",
        "2.1.1. Chính quyền số",
        "2.1.2. Kinh tế số",
        "2.1.3. Xã hội số",
        "2.2. Phương pháp nghiên cứu",
        "3.1. Chính quyền số",
        "Bảng 1. Thông tin về thực trạng chính quyền số tại Hà Giang",
        "3.2. Kinh tế số",
        "3.3. Xã hội số",
        "4. Kết luận",
    ]
    # "2. Phương pháp nghiên cứu" and "2.1. …" head no text of their own: their lines go
    # to the first passage under them
    first = next(p for p in result.passages if p.heading == "2.1.1. Chính quyền số")
    assert first.span.start == 78
    conclusion = [p for p in result.passages if p.heading == "4. Kết luận"]
    assert any("xã Nậm Ty, huyện Hoàng Su Phì" in p.text for p in conclusion)
    assert conclusion[-1].span.end == 569


def test_the_articles_table_one_whole() -> None:
    result, _ = _parse("ha-giang-bai-bao-chuyen-doi-so")
    table = _one(result.passages, "Bảng 1. Thông tin về thực trạng chính quyền số tại Hà Giang")
    assert (table.span.start, table.span.end) == (372, 410)
    assert table.text.endswith("(Nguồn: Báo cáo kết quả triển khai CĐS tỉnh Hà Giang năm 2022)")
    # every value of the table's "Dữ liệu thực hiện" column, as the source writes it
    assert [(f.value, f.unit, f.unit_text) for f in table.figures] == [
        (236, "COUNT", "điểm"),  # 1.1 "236 điểm"
        (100, "PERCENT", None),  # 1.2 "100% cơ sở có mạng nội bộ (LAN)"
        (9370, "COUNT", "máy tính"),  # 1.2 "9.370 máy tính"
        (2432, "COUNT", "trạm"),  # 1.3 "2.432 trạm (758 trạm 2G, 894 trạm 3G, 780 trạm 4G)"
        (758, "COUNT", "trạm"),
        (894, "COUNT", "trạm"),
        (780, "COUNT", "trạm"),
        (98.6, "PERCENT", None),  # 1.3 "98,6% phủ sóng điện thoại di động"
        (15675, "COUNT", "tài khoản"),  # 2.1 "15.675 tài khoản"
        (100, "PERCENT", None),  # 2.1 "100% CBCC có hộp thư tài khoản thư điện tử"
        (5932, "COUNT", "chứng thư số"),  # 2.2 "5.932 chứng thư số"
        (241, "COUNT", "điểm cầu"),  # 2.3 "241 điểm cầu"
        (1864, "COUNT", "dịch vụ công trực tuyến"),  # 2.4 "1.864 dịch vụ công trực tuyến."
        (175, "COUNT", "dịch vụ công trực tuyến"),  # "175 … mức độ 3"
        (1501, "COUNT", "dịch vụ công trực tuyến"),  # "1.501 … mức độ 4."
    ]
    labels = {f.value: f.label for f in table.figures}
    assert labels[236] == ("Mạng lưới truyền số liệu chuyên dùng được duy trì, nâng cấp băng thông")
    assert labels[5932] == "Chứng thư số"
    assert labels[241] == "Duy trì hoạt động hệ thống hội nghị giao ban trực tuyến 4 cấp"
    assert labels[1501] == "Cổng dịch vụ công trực tuyến của tỉnh: dịch vụ công trực tuyến mức độ 4"
    assert labels[758] == "Cáp quang: trạm 2G"
    # "… thực trạng chính quyền số …": the caption names the pillar of every row
    assert {tuple(f.pillars) for f in table.figures} == {("DIGITAL_GOVERNMENT",)}
    # the table says no date: its figures have none (its source report is not a date)
    assert {f.as_of for f in table.figures} == {None}
    # each figure cites its row's lines
    spans = {f.value: (f.span.start, f.span.end) for f in table.figures}
    assert spans[5932] == (396, 396) and spans[9370] == (384, 384)
    assert spans[1501][0] >= 404 and spans[1501][1] == 408


def test_slides_one_passage_each_without_furniture_or_contact() -> None:
    result, lines = _parse("ha-tinh-slides-2022")
    assert contact_lines(lines) == {686, 688, 689, 690, 691, 692}
    furniture = furniture_lines("SLIDES", lines)
    # the running footer, the logo banners, and the agenda's title printed again
    assert {9, 697, 21, 214, 659, 110, 515} <= furniture
    assert lines[8].strip() == "Bộ Thông tin và Truyền thông - Năm 2022 2"
    world_cup = _one(result.passages, "CÔNG NGHỆ PHÁT HIỆN VIỆT VỊ BÁN TỰ ĐỘNG TẠI WORLD CUP 2022")
    assert (world_cup.span.start, world_cup.span.end) == (25, 33)
    assert "12 camera chuyên dụng" in world_cup.text
    platforms = _one(result.passages, "THÚC ĐẨY SỬ DỤNG CÁC NỀN TẢNG SỐ QUỐC GIA")
    assert "35 nền tảng số quốc gia" in platforms.text
    assert platforms.document_numbers == ["186/QĐ-BTTTT"]
    for passage in result.passages:
        for personal in ("nhdung", "0969122888", "Nguyễn Huy Dũng", "Thông tin liên hệ"):
            assert personal not in passage.text and personal not in (passage.heading or "")
        assert "Bộ Thông tin và Truyền thông - Năm 2022" not in passage.text
    closing = result.passages[-1]
    assert closing.text.endswith("Trân trọng cảm ơn!")


def test_handbook_results_and_footnotes() -> None:
    result, _ = _parse("lao-cai-tai-lieu-tuyen-truyen-2022")
    headings = {p.heading for p in result.passages}
    assert {
        "2.1. Về chuyển đổi nhận thức và xây dựng thể chế, chính sách cho chuyển đổi số",
        "2.2. Về phát triển hạ tầng số, nền tảng số",
        "2.3. Về phát triển chính quyền số",
        "2.4. Về xây dựng kinh tế số - xã hội số",
        "2.5.4. Về y tế thông minh",
        "2.6. Bảo đảm an toàn dữ liệu, thông tin và an ninh mạng",
    } <= headings
    footnotes = [p for p in result.passages if p.text[:1] in "¹²³⁴"]
    assert [(p.span.start, p.text[:12]) for p in footnotes] == [
        (557, "¹ VNPT, Viet"),
        (559, "² Viễn thông"),
        (561, "³ Hạ tầng th"),
        (563, "⁴ Hiện đã ho"),
    ]
    # Markdown emphasis of the extraction is gone, the figures stay
    visits = _one(result.passages, "2.5.2. Hệ thống thông báo lưu trú trực tuyến")
    assert visits.text.startswith("Toàn tỉnh có 990 tài khoản") and "*" not in visits.text
    assert [f.value for f in visits.figures][:3] == [990, 166, 824]
    health = _one(result.passages, "2.5.4. Về y tế thông minh")
    assert "RIS-PACS" in health.text


@pytest.mark.parametrize(
    ("slug", "last_foreword_line"),
    [("ha-giang-hoi-dap-2022", 76), ("khanh-hoa-hoi-dap-2022", 60)],
)
def test_booklet_forewords_and_no_colophon(slug: str, last_foreword_line: int) -> None:
    result, _ = _parse(slug)
    foreword = [p for p in result.passages if p.heading == "LỜI GIỚI THIỆU"]
    assert foreword and foreword[0].span.start == 1
    assert foreword[-1].span.end == last_foreword_line
    assert all(p.heading == "LỜI GIỚI THIỆU" for p in result.passages)
    texts = " ".join(p.text for p in result.passages)
    assert "Chịu trách nhiệm xuất bản" not in texts and "Giấy phép xuất bản" not in texts


def test_the_colophon_is_furniture_to_the_end() -> None:
    text = read_source(Path(ENTRIES["ha-giang-hoi-dap-2022"].path))
    lines = raw_lines(text)
    start = next(n for n, raw in enumerate(lines, 1) if raw.strip() == "Chịu trách nhiệm xuất bản")
    furniture = furniture_lines("QA_BOOKLET", lines)
    assert set(range(start - 1, len(lines) + 1)) <= furniture  # the rule line above it too
    assert lines[start - 2].strip().startswith("-----")


def test_a_slide_with_only_its_title_and_number_is_a_passage_of_its_title() -> None:
    from loaders.passages import segment

    # ha-tinh-slides-2022.txt, lines 233-237 and 354-357: a title, its slide number
    text = (
        "\n\n\nNỀN TẢNG SỐ LÀ KHÔNG GIAN LÀM VIỆC MỚI\n\n15\n\n\n\n"
        "KỸ NĂNG SỐ\n onetouch.mic.gov.vn\n"
    )
    passages, figures = segment("SLIDES", text, ParsedSource(line_count=12), year=2022)
    assert [(p.heading, p.text, p.span.start) for p in passages] == [
        (None, "NỀN TẢNG SỐ LÀ KHÔNG GIAN LÀM VIỆC MỚI", 4),
        ("KỸ NĂNG SỐ", "onetouch.mic.gov.vn", 10),
    ]
    assert figures == []
