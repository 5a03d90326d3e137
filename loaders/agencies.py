"""Lead agencies (chủ trì tham mưu) of a task: one table cell → a list of bodies.

A cell lists bodies separated by commas or semicolons ("Sở Y tế, Sở Giáo dục và Đào
tạo"). Some single bodies are written with commas inside; they are kept whole by
``PROTECTED_PHRASES``. Hyphens never split ("Sở Giao thông vận tải - Xây dựng" is one
merged department), nor do commas inside parentheses.
"""

from __future__ import annotations

import re

from dxtext.text import fold, nfc, squash_spaces

#: Phrases with commas that name one body (or one collective of bodies) and must not be
#: split. Matched case-insensitively, with any spacing around the commas.
PROTECTED_PHRASES: tuple[str, ...] = (
    "Các cơ quan, đơn vị, địa phương",
    "các cơ quan, đơn vị",
    "các sở, ban, ngành, địa phương",
    "các sở, ban, ngành",
    "sở, ban, ngành",
    "UBND các huyện, thị xã, thành phố",
    "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "các huyện, thị xã, thành phố",
)

_PROTECTED = [
    re.compile(r"\s*,\s*".join(re.escape(part.strip()) for part in phrase.split(",")), re.I)
    for phrase in sorted(PROTECTED_PHRASES, key=len, reverse=True)
]

#: Stands for a protected comma while splitting; not a character the sources use.
_KEEP = "\u0000"


def _protect(cell: str) -> str:
    for pattern in _PROTECTED:
        cell = pattern.sub(lambda m: m.group(0).replace(",", _KEEP), cell)
    # A comma inside parentheses qualifies a body; it does not separate two.
    depth = 0
    chars: list[str] = []
    for ch in cell:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        chars.append(_KEEP if ch == "," and depth else ch)
    return "".join(chars)


def split_agencies(cell: str) -> list[str]:
    """The agencies a cell names, trimmed, NFC, in order, each once.

    ``split_agencies("Sở Y tế, Sở Giáo dục và Đào tạo") == ["Sở Y tế", "Sở Giáo dục và
    Đào tạo"]``; ``split_agencies("Các cơ quan, đơn vị, địa phương")`` keeps one.
    """
    seen: set[str] = set()
    agencies: list[str] = []
    for part in re.split(r"[,;]", _protect(squash_spaces(nfc(cell)))):
        agency = part.replace(_KEEP, ",").strip(" .")
        key = fold(agency)
        if agency and key not in seen:
            seen.add(key)
            agencies.append(agency)
    return agencies
