"""The one pillar classifier, on real items of every source.

What a reader expects, sector by sector (issue 14): the economy's sectors are Kinh tế
số, public services and state agencies Chính quyền số, citizens' life, health,
education and culture Xã hội số; the source's own heading wins; the same topic gets the
same pillars in both booklets; every target has one.
"""

from __future__ import annotations

import re

import pytest

from dxtext.text import fold
from loaders.ingest import Parsed, parse_all
from loaders.manifest import read_manifest
from loaders.pillars import classify
from loaders.records import QuestionRecord
from tests.conftest import BUNDLED_MANIFEST
from tests.loaders.sources import SOURCES

GOV, ECO, SOC = "DIGITAL_GOVERNMENT", "DIGITAL_ECONOMY", "DIGITAL_SOCIETY"


@pytest.fixture(scope="module")
def parsed() -> dict[str, Parsed]:
    return {p.entry.slug: p for p in parse_all(read_manifest(BUNDLED_MANIFEST))}


def _questions(parsed: dict[str, Parsed], slug: str) -> dict[int, QuestionRecord]:
    return {q.number: q for q in parsed[slug].result.questions if q.number is not None}


@pytest.mark.parametrize(
    ("number", "pillars"),
    [
        (16, [GOV]),  # "… trong cơ quan nhà nước …"
        (17, [SOC]),  # y tế
        (18, [SOC]),  # giáo dục
        (19, [ECO, SOC]),  # nông nghiệp; "Có lợi ích gì cho người dân?"
        (20, [ECO]),  # tài chính - ngân hàng
        (21, [ECO]),  # giao thông vận tải
        (22, [GOV]),  # tài nguyên và môi trường: the state's administration
        (23, [ECO]),  # sản xuất công nghiệp
        (32, [ECO]),  # doanh nghiệp
        (47, [ECO, SOC]),  # văn hóa, du lịch
        (49, [ECO]),  # giao thông vận tải và logistics
        (50, [GOV]),  # tư pháp
        (5, []),  # "Cách mạng công nghiệp lần thứ tư": a revolution, not industry
    ],
)
def test_ha_giang_sector_questions(
    parsed: dict[str, Parsed], number: int, pillars: list[str]
) -> None:
    assert _questions(parsed, "ha-giang-hoi-dap-2022")[number].pillars == pillars


@pytest.mark.parametrize(
    ("number", "pillars"),
    [
        (12, [GOV]),  # cơ quan nhà nước
        (13, [ECO]),  # du lịch, dịch vụ
        (14, [SOC]),  # y tế
        (16, [ECO, SOC]),  # nông nghiệp
        (17, [ECO]),  # tài chính - ngân hàng
        (20, [ECO]),  # sản xuất công nghiệp
        (21, [ECO]),  # doanh nghiệp
        (44, [ECO]),  # nông nghiệp in Khánh Hòa
        (27, [GOV, ECO, SOC]),  # the answer's own headings: "Về phát triển … số:"
    ],
)
def test_khanh_hoa_sector_questions(
    parsed: dict[str, Parsed], number: int, pillars: list[str]
) -> None:
    assert _questions(parsed, "khanh-hoa-hoi-dap-2022")[number].pillars == pillars


def _topic(text: str) -> str:
    """A question's topic: its words without the province, the period and punctuation."""
    folded = fold(text)
    folded = re.sub(
        r"tinh (ha giang|khanh hoa)|tren dia (ban )?tinh|giai doan[\d\s-]+", " ", folded
    )
    folded = re.sub(
        r"dinh huong den nam \d{4}|thoi gian toi|tren linh vuc|trong linh vuc", " ", folded
    )
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def test_same_topic_questions_of_the_two_booklets_have_the_same_pillars(
    parsed: dict[str, Parsed],
) -> None:
    ha_giang = _questions(parsed, "ha-giang-hoi-dap-2022")
    khanh_hoa = _questions(parsed, "khanh-hoa-hoi-dap-2022")
    same_words = [
        (a, b)
        for a in ha_giang.values()
        for b in khanh_hoa.values()
        if _topic(a.text) == _topic(b.text)
    ]
    assert len(same_words) >= 10  # "Chuyển đổi số trong lĩnh vực y tế …" and the like
    # the same plans, worded by each province
    same_topic = [(37, 27), (38, 28), (41, 29), (42, 30), (43, 31), (44, 42), (48, 44)]
    same_topic += [(49, 45), (16, 12), (17, 14), (19, 16), (20, 17), (21, 18), (22, 19)]
    pairs = same_words + [(ha_giang[a], khanh_hoa[b]) for a, b in same_topic]
    assert [(a.number, a.pillars) for a, _ in pairs] == [(a.number, b.pillars) for a, b in pairs]
    assert all(a.pillars for a, _ in pairs if a.number not in (1, 3, 11))  # "… là gì?"


def test_every_target_has_a_pillar(parsed: dict[str, Parsed]) -> None:
    targets = [t for p in parsed.values() for t in p.result.targets]
    assert targets and [t.text for t in targets if not t.pillars] == []


def test_the_same_goal_in_both_booklets_has_the_same_pillars(parsed: dict[str, Parsed]) -> None:
    def by_words(slug: str, words: str) -> list[list[str]]:
        return [t.pillars for t in parsed[slug].result.targets if words in t.text]

    for words, pillars in [
        ("hoạt động kiểm tra của cơ quan quản lý nhà nước", [GOV]),  # heading in Khánh Hòa
        ("phủ trên 80% hộ gia đình", [SOC]),
        ("cáp quang, mạng di động 5G", [SOC]),
        ("sàn thương mại điện tử", [ECO]),
    ]:
        found = by_words("ha-giang-hoi-dap-2022", words) + by_words("khanh-hoa-hoi-dap-2022", words)
        assert len(found) >= 2 and all(p == pillars for p in found), words
    # Hà Giang's goals stand under no heading: their own words decide
    assert by_words("ha-giang-hoi-dap-2022", "200 doanh nghiệp và hợp tác xã") == [[ECO]]
    assert by_words("ha-giang-hoi-dap-2022", "100% chế độ báo cáo") == [[GOV]]


def test_lao_cai_tasks(parsed: dict[str, Parsed]) -> None:
    tasks = parsed["lao-cai-tai-lieu-tuyen-truyen-2022"].result.tasks

    def pillars(words: str) -> list[str]:
        (task,) = [t for t in tasks if words in t.title]
        return task.pillars

    assert pillars("hỗ trợ chuyển đổi số hợp tác xã, doanh nghiệp nhỏ và vừa") == [ECO]
    assert SOC in pillars("hồ sơ sức khỏe điện tử cho người dân")
    assert pillars("Phòng Văn hóa - Thông tin") == []  # an office's name is not culture
    assert pillars("đưa sản phẩm, hàng hóa tỉnh Lào Cai lên sàn thương mại điện tử") == [ECO]


def test_lao_cai_handbook_questions(parsed: dict[str, Parsed]) -> None:
    questions = {
        q.text: q.pillars for q in parsed["lao-cai-tai-lieu-tuyen-truyen-2022"].result.questions
    }
    assert questions["Y tế đã thay đổi như thế nào?"] == [SOC]
    assert questions["Vì sao doanh nghiệp cần chuyển đổi số?"] == [ECO]
    assert questions["Chính phủ số đem lại lợi ích gì cho người dân?"] == [GOV, SOC]


def test_article_and_slide_headings() -> None:
    article = (
        (SOURCES / "ha-giang-bai-bao-chuyen-doi-so.txt").read_text(encoding="utf-8").split("\n")
    )
    slides = (SOURCES / "ha-tinh-slides-2022.txt").read_text(encoding="utf-8").split("\n")
    # "3.1. Chính quyền số" heads a paragraph on online public services: the heading wins
    assert classify(article[344], heading=article[340]) == [GOV]
    assert classify(article[452], heading=article[450]) == [SOC]  # "3.3. Xã hội số"
    # a slide that heads three columns names the three pillars
    assert classify("", heading=slides[165]) == [GOV, ECO, SOC]


def test_fallbacks_in_order() -> None:
    assert classify("Phát triển dữ liệu", fallbacks=["Về nông nghiệp", "y tế"]) == [ECO]
    assert classify("Phát triển dữ liệu", fallbacks=[[], [SOC, GOV]]) == [GOV, SOC]
    assert classify("Phát triển dữ liệu") == []


def test_the_handbook_agrees_with_the_booklets(parsed: dict[str, Parsed]) -> None:
    handbook = {
        q.text: q.pillars for q in parsed["lao-cai-tai-lieu-tuyen-truyen-2022"].result.questions
    }
    ha_giang = _questions(parsed, "ha-giang-hoi-dap-2022")
    khanh_hoa = _questions(parsed, "khanh-hoa-hoi-dap-2022")
    pairs = [
        ("Chính phủ số đem lại lợi ích gì cho người dân?", khanh_hoa[6]),
        ("Xã hội số đem lại lợi ích gì cho người dân?", khanh_hoa[9]),
        ("Công dân số là ai?", ha_giang[10]),  # "Công dân số là gì?"
        ("Vì sao Việt Nam cần chuyển đổi số?", ha_giang[11]),
        ("Nền tảng số là gì?", ha_giang[4]),
    ]
    assert [handbook[text] for text, _ in pairs] == [q.pillars for _, q in pairs]
