"""The three pillars (trụ cột) and the one keyword table that assigns them.

A record gets a pillar from the group heading it sits under where the source gives one
(``pillar_of_heading``); otherwise from the keywords of its own text (``classify``).
A record may have several pillars, or none.
"""

from __future__ import annotations

import re

from db.reference import PILLARS
from loaders.text import fold

__all__ = ["KEYWORDS", "PILLARS", "classify", "pillar_of_heading"]

#: Folded keywords for each pillar. A keyword matches on word boundaries.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "DIGITAL_GOVERNMENT": (
        "chinh quyen so",
        "chinh phu so",
        "chinh quyen dien tu",
        "chinh phu dien tu",
        "dich vu cong truc tuyen",
        "dich vu cong",
        "ho so cong viec",
        "van ban dien tu",
        "mot cua",
        "co quan nha nuoc",
    ),
    "DIGITAL_ECONOMY": (
        "kinh te so",
        "thuong mai dien tu",
        "doanh nghiep so",
        "doanh nghiep cong nghe so",
        "thanh toan khong dung tien mat",
        "thanh toan dien tu",
        "san thuong mai dien tu",
        "grdp",
    ),
    "DIGITAL_SOCIETY": (
        "xa hoi so",
        "cong dan so",
        "ky nang so",
        "van hoa so",
        "dan tri so",
        "dien thoai thong minh",
        "cap quang",
        "danh tinh so",
        "tai khoan thanh toan",
    ),
}

_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in words) + r")\b")
    for code, words in KEYWORDS.items()
}

#: Folded heading words that name one pillar ("Về phát triển kinh tế số", "Chính phủ số").
_HEADINGS: dict[str, re.Pattern[str]] = {
    "DIGITAL_GOVERNMENT": re.compile(r"\b(chinh quyen so|chinh phu so)\b"),
    "DIGITAL_ECONOMY": re.compile(r"\bkinh te so\b"),
    "DIGITAL_SOCIETY": re.compile(r"\bxa hoi so\b"),
}


def classify(text: str) -> list[str]:
    """Pillar codes whose keywords occur in ``text``, in the order of ``PILLARS``."""
    folded = fold(text)
    return [code for code, pattern in _PATTERNS.items() if pattern.search(folded)]


def pillar_of_heading(heading: str) -> str | None:
    """The one pillar a group heading names, or None when it names none or several."""
    folded = fold(heading)
    found = [code for code, pattern in _HEADINGS.items() if pattern.search(folded)]
    return found[0] if len(found) == 1 else None
