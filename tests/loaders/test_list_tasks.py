"""Tasks listed under a plan question: Khánh Hòa's bullets, Hà Giang's runs of clauses.

Every pinned value is read from the source text (line numbers are the raw file's).
"""

from __future__ import annotations

import datetime
import re

import pytest

from loaders.clean import raw_lines
from loaders.manifest import read_manifest
from loaders.pipeline import parse_source
from loaders.read import read_source
from loaders.records import ParsedSource, TaskRecord
from tests.conftest import BUNDLED_MANIFEST
from tests.loaders.sources import HA_GIANG, KHANH_HOA, squeeze


def _parsed(path: object) -> tuple[str, ParsedSource]:
    (entry,) = [e for e in read_manifest(BUNDLED_MANIFEST) if e.path == path]
    text = read_source(entry.path)
    return text, parse_source(entry, text)


@pytest.fixture(scope="module")
def khanh_hoa() -> tuple[str, list[TaskRecord]]:
    text, parsed = _parsed(KHANH_HOA)
    return text, [t for t in parsed.tasks if t.key]


@pytest.fixture(scope="module")
def ha_giang() -> tuple[str, list[TaskRecord]]:
    text, parsed = _parsed(HA_GIANG)
    return text, [t for t in parsed.tasks if t.key]


def _question(tasks: list[TaskRecord], number: int) -> list[TaskRecord]:
    return [t for t in tasks if t.key and t.key.startswith(f"q{number}-")]


def _one(tasks: list[TaskRecord], words: str) -> TaskRecord:
    (task,) = [t for t in tasks if words in t.title]
    return task


def test_counts_with_the_numbered_ones() -> None:
    # Khánh Hòa: the bullets of Câu 29–31, 33–37, 40–50 and the six "Giải pháp" of Câu 32;
    # Hà Giang: the clauses of Câu 41, 42, 44–52 and the 8 + 8 of Câu 39–40
    _, kh = _parsed(KHANH_HOA)
    _, hg = _parsed(HA_GIANG)
    assert len(kh.tasks) >= 80 and len(hg.tasks) >= 40
    numbers = {int(t.key.split("-")[0][1:]) for t in kh.tasks if t.key}
    assert numbers == {29, 30, 31, 33, 34, 35, 36, 37, 40, *range(41, 51)}
    numbers = {int(t.key.split("-")[0][1:]) for t in hg.tasks if t.key}
    assert numbers == {41, 42, *range(44, 53)}  # 43 asks "which fields?": names, not acts


@pytest.mark.parametrize("fixture", ["khanh_hoa", "ha_giang"])
def test_titles_stand_in_their_cited_lines(request: pytest.FixtureRequest, fixture: str) -> None:
    text, tasks = request.getfixturevalue(fixture)
    raw = raw_lines(text)
    for task in tasks:
        cited = "".join(
            line for line in raw[task.span.start - 1 : task.span.end] if not line.strip().isdigit()
        )
        assert squeeze(task.title) in squeeze(cited), task.title
        assert not task.title.startswith(("-", "+"))


def test_khanh_hoa_bullets(khanh_hoa: tuple[str, list[TaskRecord]]) -> None:
    _, tasks = khanh_hoa
    government = _question(tasks, 29)
    assert len(government) == 5  # five "- " bullets under "… nội dung … là:"
    assert {t.group for t in government} == {
        "Xây dựng chính quyền số tỉnh Khánh Hòa giai đoạn 2021 - 2025, định hướng đến năm "
        "2030 gồm những nội dung gì?"
    }
    assert {t.document_number for t in government} == {"909/QĐ-UBND"}
    assert {tuple(t.pillars) for t in government} == {("DIGITAL_GOVERNMENT",)}
    assert [t.ordinal for t in government] == [None] * 5  # bullets are not numbered
    assert len(_question(tasks, 49)) == 11 and len(_question(tasks, 50)) == 16
    # "+" sub-items stay inside their task (Câu 36, lines 1002–1036)
    centre = _one(tasks, "Triển khai Trung tâm giám sát, điều hành thông minh (IOC)")
    assert "+ Kết nối mạng đến các hệ thống thông tin" in centre.title
    assert centre.title.endswith("mạng diện rộng (WAN) của tỉnh")
    assert len(_question(tasks, 36)) == 2
    # no goals question, no list of fields or places, gives tasks
    assert not _question(tasks, 27) + _question(tasks, 38) + _question(tasks, 39)


def test_khanh_hoa_deadlines_from_the_items_own_words(
    khanh_hoa: tuple[str, list[TaskRecord]],
) -> None:
    _, tasks = khanh_hoa

    def due(words: str) -> tuple[datetime.date | None, str, str | None]:
        task = _one(tasks, words)
        return task.deadline, task.deadline_kind, task.deadline_text

    # Câu 31: "theo đó, trong năm 2022, xây dựng hoàn thành bộ giáo trình …"
    assert due("Thúc đẩy chuyển đổi số xã hội") == (
        datetime.date(2022, 12, 31),
        "PERIOD",
        "trong năm 2022",
    )
    # Câu 30: "- Đến hết năm 2023, 100% các doanh nghiệp …"
    assert due("Đến hết năm 2023, 100% các doanh nghiệp") == (
        datetime.date(2023, 12, 31),
        "PERIOD",
        "Đến hết năm 2023",
    )
    # Câu 29: "Triển khai cung cấp 100% dịch vụ công trực tuyến mức độ 4 vào năm 2025"
    assert due("Triển khai cung cấp 100% dịch vụ công") == (
        datetime.date(2025, 12, 31),
        "PERIOD",
        "vào năm 2025",
    )
    # Câu 31: "đến năm 2024, có ít nhất 07 đơn vị …"
    assert due("khu dân cư điện tử ở một số")[0] == datetime.date(2024, 12, 31)
    # Câu 47: "- Thường xuyên theo dõi, đánh giá …"
    assert due("Thường xuyên theo dõi") == (None, "RECURRING", "Thường xuyên")
    # nothing written, nothing invented
    assert due("Xây dựng hệ thống bệnh án điện tử") == (None, "NONE", None)


def test_ha_giang_clauses_after_the_introducing_colon(
    ha_giang: tuple[str, list[TaskRecord]],
) -> None:
    _, tasks = ha_giang
    economy = _question(tasks, 42)
    # "… tập trung các nội dung sau: Triển khai …; hỗ trợ tư vấn …; … Đẩy mạnh …; …"
    assert economy[0].title.startswith("Triển khai các hoạt động hỗ trợ các doanh nghiệp vừa")
    assert [t.title.split()[0] for t in economy] == [
        "Triển",
        "hỗ",
        "phối",
        "tập",
        "Đẩy",
        "tạo",
        "phát",
    ]
    assert {t.document_number for t in economy} == {"293/KH-UBND"}
    assert {tuple(t.pillars) for t in economy} == {("DIGITAL_ECONOMY",)}
    # the clauses after an inner colon name what one task deploys (Câu 49)
    software = _one(tasks, "nâng cấp và triển khai các hệ thống phần mềm")
    assert "phần mềm nghiệp vụ xử lý các vi phạm" in software.title
    assert _one(tasks, "triển khai hệ thống quản lý và điều hành vận tải hành khách")
    # whom one task trains is not a task of its own (Câu 46)
    training = _one(tasks, "đào tạo lại kỹ năng lãnh đạo, quản lý chuyển đổi số cho lãnh đạo")
    assert training.title.endswith("người dân và doanh nghiệp trên địa bàn tỉnh")


def test_ha_giang_question_52_four_tasks_two_ongoing(
    ha_giang: tuple[str, list[TaskRecord]],
) -> None:
    _, tasks = ha_giang
    security = _question(tasks, 52)
    assert [(t.title[:30], t.deadline_kind, t.deadline_text) for t in security] == [
        ("Thường xuyên phối hợp với các ", "RECURRING", "Thường xuyên"),
        ("Giám sát, bảo vệ các hệ thống ", "NONE", None),
        ("Triển khai hệ thống giám sát a", "NONE", None),
        ("Thường xuyên triển khai các hư", "RECURRING", "Thường xuyên"),
    ]
    assert {t.document_number for t in security} == {"294/KH-UBND"}
    assert all(t.deadline is None for t in security)


def test_ha_giang_question_51_led_by_the_provincial_youth_union(
    ha_giang: tuple[str, list[TaskRecord]],
) -> None:
    _, tasks = ha_giang
    youth = _question(tasks, 51)
    # "Tỉnh Đoàn thanh niên cần tạo và vận hành …; phát động …; hỗ trợ …. Đoàn viên, …"
    led = [t.title[:30] for t in youth if t.lead_agencies == ["Tỉnh Đoàn thanh niên"]]
    assert led == [
        "tạo và vận hành các diễn đàn O",
        "phát động các phong trào thi đ",
        "hỗ trợ triển khai các ý tưởng ",
    ]
    assert all(t.lead_agencies == [] for t in youth[3:])


def test_keys_are_made_of_the_question_and_the_words() -> None:
    _, first = _parsed(HA_GIANG)
    _, again = _parsed(HA_GIANG)
    keys = [t.key for t in first.tasks if t.key]
    assert keys == [t.key for t in again.tasks if t.key]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"q\d+-[0-9a-f]{10}x*", k or "") for k in keys)


def test_khanh_hoa_dated_goals_inside_the_plans() -> None:
    # a ";" clause of a listed action that says by when is a goal for that year
    _, parsed = _parsed(KHANH_HOA)
    goals = {t.text: t for t in parsed.targets if t.key and not t.key.startswith(("q27", "q28"))}
    assert {int(t.key.split("-")[0][1:]) for t in goals.values() if t.key} == {29, 30, 31, 43}
    firms = goals[
        "phấn đấu đến năm 2025, trên địa bàn tỉnh có ít nhất 10 doanh nghiệp công nghệ số "
        "được thành lập mới"
    ]
    assert (firms.year, firms.pillars, firms.document_number) == (
        2025,
        ["DIGITAL_ECONOMY"],
        "909/QĐ-UBND",
    )
    assert [(q.value, q.unit, q.comparator, q.qualifier) for q in firms.quantities] == [
        (10.0, "COUNT", "AT_LEAST", "doanh nghiệp công nghệ số")
    ]
    mobile = next(t for t in goals.values() if t.text.startswith("Triển khai cung cấp 100%"))
    assert mobile.year == 2025 and mobile.pillars == ["DIGITAL_GOVERNMENT"]
    assert [(q.value, q.unit, q.qualifier) for q in mobile.quantities] == [
        (100.0, "PERCENT", "dịch vụ công trực tuyến mức độ 4")
    ]
    schools = next(t for t in goals.values() if "5% ở bậc tiểu học" in t.text)
    assert [q.value for q in schools.quantities] == [5.0, 10.0, 20.0]
    assert sorted(t.year for t in goals.values()) == [2022, 2023, 2023, 2024] + [2025] * 5
    # "hàng năm, … tổ chức ít nhất 05 lớp" gives no year: not a goal for one
    assert not [t for t in goals.values() if "05 lớp" in t.text]
