"""The three pillars (trụ cột) and the one classifier that assigns them to every record.

Questions, targets and tasks (and whatever else is tagged by pillar) all call
``classify``. The rule, in order:

1. **The source's own group heading wins.** A heading that names one pillar ("Về phát
   triển kinh tế số", "Xây dựng chính quyền số"), or else one pillar's sector by the
   keyword table ("… chuyển đổi số trên lĩnh vực y tế …"), gives that pillar. A heading
   that names several ("Phát triển kinh tế số, xã hội số"; "… văn hóa, du lịch …")
   limits the record to those: the ones its own words point to, else all it names.
2. **Otherwise the keyword table** (``KEYWORDS``) on the record's own text. The economy's
   sectors — agriculture, industry, tourism and services, trade and e-commerce, finance
   and banking, transport and logistics, businesses and cooperatives — are
   DIGITAL_ECONOMY; public services, administrative procedures and state agencies
   (justice and natural resources administration included) are DIGITAL_GOVERNMENT;
   citizens' life, health, education and training, culture, skills, community and home
   connectivity are DIGITAL_SOCIETY. Several pillars where several apply.
3. **Otherwise the fallbacks** the caller gives, in order (a question's own answer
   headings, the goals it states…): the first that yields pillars.

Keywords are folded (``dxtext.text.fold``) and match on word boundaries, so one table
serves every source; "cách mạng công nghiệp" (the industrial revolution) is not industry
and "kinh tế - xã hội" names no pillar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from db.reference import PILLARS
from dxtext.text import fold

__all__ = [
    "KEYWORDS",
    "PILLARS",
    "answer_heading_pillars",
    "classify",
    "heading_pillars",
    "pillar_of_heading",
]

#: Folded keywords for each pillar. A keyword matches on word boundaries.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "DIGITAL_GOVERNMENT": (
        "chinh quyen so",
        "chinh phu so",
        "chinh quyen dien tu",
        "chinh phu dien tu",
        "dich vu cong",
        "thu tuc hanh chinh",
        "cai cach hanh chinh",
        "mot cua",
        "ho so cong viec",
        "van ban dien tu",
        "co quan nha nuoc",
        "quan ly nha nuoc",
        "co quan dang",
        "che do bao cao",
        "tu phap",
        "tai nguyen va moi truong",
        "tai nguyen - moi truong",
        "tai nguyen moi truong",
    ),
    "DIGITAL_ECONOMY": (
        "kinh te so",
        "thuong mai dien tu",
        "thuong mai",
        "doanh nghiep",
        "hop tac xa",
        "nong nghiep",
        "nong san",
        "san xuat cong nghiep",
        "nganh cong nghiep",
        "linh vuc cong nghiep",
        "khu cong nghiep",
        "du lich",
        "nha hang",
        "khach san",
        "tai chinh - ngan hang",
        "ngan hang",
        "logistics",
        "giao thong van tai",
        "thanh toan khong dung tien mat",
        "thanh toan dien tu",
        "hoa don dien tu",
        "hang hoa",
        "grdp",
    ),
    "DIGITAL_SOCIETY": (
        "xa hoi so",
        "cong dan so",
        "cong dan",
        "nguoi dan",
        "cong dong",
        "ky nang so",
        "van hoa",
        "thu vien",
        "bao tang",
        "di san",
        "dan tri so",
        "y te",
        "suc khoe",
        "kham chua benh",
        "giao duc",
        "dao tao",
        "hoc tap",
        "hoc truc tuyen",
        "thanh nien",
        "dien thoai thong minh",
        "cap quang",
        "bang rong",
        "bang thong rong",
        "ho gia dinh",
        "danh tinh so",
        "danh tinh dien tu",
        "dinh danh dien tu",
        "tai khoan thanh toan",
        "giao tiep xa hoi",
    ),
}

_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in words) + r")\b")
    for code, words in KEYWORDS.items()
}

#: Folded heading words that name a pillar ("Về phát triển kinh tế số", "Chính phủ số").
_HEADINGS: dict[str, re.Pattern[str]] = {
    "DIGITAL_GOVERNMENT": re.compile(r"\b(chinh quyen so|chinh phu so)\b"),
    "DIGITAL_ECONOMY": re.compile(r"\bkinh te so\b"),
    "DIGITAL_SOCIETY": re.compile(r"\bxa hoi so\b"),
}


#: Names of bodies whose words are a topic's ("Phòng Văn hóa - Thông tin" is an office,
#: not culture): blanked before the keywords are matched.
_NAMES = re.compile(r"\bphong van hoa\s*-\s*thong tin\b")


def _keywords(text: str) -> list[str]:
    folded = _NAMES.sub(" ", fold(text))
    return [code for code, pattern in _PATTERNS.items() if pattern.search(folded)]


def heading_pillars(heading: str | None) -> list[str]:
    """The pillars a group heading names, in the order of ``PILLARS``."""
    if not heading:
        return []
    folded = fold(heading)
    return [code for code, pattern in _HEADINGS.items() if pattern.search(folded)]


def pillar_of_heading(heading: str) -> str | None:
    """The one pillar a group heading names, or None when it names none or several."""
    found = heading_pillars(heading)
    return found[0] if len(found) == 1 else None


#: A group heading opening a paragraph of an answer: "- Về phát triển kinh tế số: …".
_ANSWER_HEADING = re.compile(r"(?m)^[-+•–]?\s*(Về\s[^:;\n]{1,80}):")


def answer_heading_pillars(answer: str) -> list[str]:
    """The pillars named by the group headings of an answer, in the order of ``PILLARS``."""
    named = {code for m in _ANSWER_HEADING.finditer(answer) for code in heading_pillars(m[1])}
    return [code for code in PILLARS if code in named]


def classify(
    text: str, *, heading: str | None = None, fallbacks: Iterable[Iterable[str] | str] = ()
) -> list[str]:
    """The pillar codes of a record, in the order of ``PILLARS`` (see the module's rule).

    ``text`` is the record's own words (a task's title, a target's statement, a question);
    ``heading`` the group heading the source puts it under; ``fallbacks`` texts, or lists
    of pillar codes already decided, tried in order when neither gives a pillar.
    """
    named = heading_pillars(heading) or (_keywords(heading) if heading else [])
    own = _keywords(text)
    if len(named) == 1:
        return named
    if named:
        return [code for code in own if code in named] or named
    if own:
        return own
    for fallback in fallbacks:
        found = _keywords(fallback) if isinstance(fallback, str) else list(fallback)
        if found:
            return [code for code in PILLARS if code in found]
    return []
