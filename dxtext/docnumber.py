"""The one document-number pattern (số hiệu văn bản) and what a number tells.

Numbers as written in Vietnam: ``18-NQ/TU`` (Party), ``293/KH-UBND``, ``749/QĐ-TTg``,
``80/2021/NĐ-CP``, ``639/BTTTT-THH``. ``normalize`` removes the spaces that line joins
leave inside a number; ``number_key`` folds one for lookups ("749/QD-TTg" finds
"749/QĐ-TTg").
"""

from __future__ import annotations

import re

from dxtext.text import fold, nfc

_CODE = r"[A-ZĐ][A-ZĐa-z]{0,7}"
#: A document number; spaces may stand around the joints after a line join.
NUMBER = re.compile(
    rf"(?<![\w/-])\d{{1,5}}(?:/\d{{4}})?\s*[-/]\s*{_CODE}(?:\s*[-/]\s*{_CODE}){{1,2}}(?![\w/])"
)

#: The type code inside a number → DocumentKind.
_TYPE_CODES: dict[str, str] = {
    "NQ": "RESOLUTION",
    "KH": "PLAN",
    "QĐ": "DECISION",
    "CT": "DIRECTIVE",
    "ĐA": "PROJECT",
    "CTR": "PROGRAM",
    "NĐ": "DECREE",
}

#: Issuer codes of central bodies: a number ending in one is NATIONAL.
NATIONAL_ISSUERS = frozenset(
    {
        "TW",
        "TTG",
        "CP",
        "BTTTT",
        "THH",
        "QH",
        "UBTVQH",
        "BCT",
        "BTC",
        "BKHĐT",
        "BNV",
        "VPCP",
        "UBQGCĐS",
    }
)


def normalize(number: str) -> str:
    """The number as written, NFC, with the spaces of a line join removed."""
    return re.sub(r"\s+", "", nfc(number))


def number_key(number: str) -> str:
    """A folded key for lookups: case and diacritics ignored."""
    return fold(normalize(number))


def find_numbers(text: str) -> list[str]:
    """Every document number in ``text``, normalized, in order of appearance."""
    return [normalize(m.group(0)) for m in NUMBER.finditer(text)]


def _codes(number: str) -> list[str]:
    return re.findall(r"[A-ZĐ][A-ZĐa-z]*", normalize(number))


def kind_of_number(number: str) -> str:
    """DocumentKind from the type code inside the number; OTHER when it has none."""
    for code in _codes(number):
        kind = _TYPE_CODES.get(code.upper())
        if kind:
            return kind
    return "OTHER"


def level_of_number(number: str) -> str:
    """NATIONAL when the issuing code is a central body (TW, TTg, CP, BTTTT…)."""
    codes = [c.upper() for c in _codes(number)]
    return "NATIONAL" if codes and codes[-1] in NATIONAL_ISSUERS else "PROVINCIAL"
