"""Deadlines (thời gian hoàn thành) of tasks: what was written → a date and a kind.

Kinds are the GraphQL ``DeadlineKind`` names:

- ``DATE``: one day, ``31/7/2022``.
- ``PERIOD``: a span of years, due the last day of its last year: ``2022 - 2023``
  (any dash, any spacing) → 31/12/2023. Also, by decision, a bare year ``2022`` or
  ``Năm 2022`` → 31/12/2022, a quarter ``Quý III/2022`` / ``Quý 3 năm 2022`` → its last
  day, and a month ``Tháng 6/2022`` → its last day.
- ``RECURRING``: "Thường xuyên", "Thực hiện thường xuyên" (any case), no date.
- ``NONE``: anything else, or nothing written; no date.

``parse_deadline`` reads a deadline written on its own (a table cell); ``find_deadline``
finds one in a task's own words ("…; phấn đấu đến hết năm 2023, 100% …") and reads it
with ``parse_deadline``.
"""

from __future__ import annotations

import calendar
import datetime
import re

from dxtext.text import fold, nfc, squash_spaces
from loaders.dates import parse_date

DATE = "DATE"
PERIOD = "PERIOD"
RECURRING = "RECURRING"
NONE = "NONE"

# Patterns run on folded text (lower case, no diacritics).
_DASH = r"\s*[-‐‑‒–—]\s*"
_YEAR_RANGE = re.compile(rf"(?:nam\s+|giai doan\s+)?(\d{{4}}){_DASH}(\d{{4}})")
_YEAR = re.compile(r"(?:nam\s+)?(\d{4})")
_QUARTER = re.compile(r"quy\s+(i{1,3}|iv|[1-4])\s*(?:/|nam)\s*(\d{4})")
_MONTH = re.compile(r"thang\s+(\d{1,2})\s*(?:/|nam)\s*(\d{4})")
_RECURRING = re.compile(r"(?:thuc hien\s+)?thuong xuyen")

#: Years outside this range are extraction noise, not deadlines.
_YEARS = range(1900, 2101)

_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str | None) -> tuple[datetime.date | None, str]:
    """``(deadline, kind)`` for a deadline as written; see the module docstring."""
    if text is None:
        return None, NONE
    written = squash_spaces(nfc(text)).rstrip(" .;,")
    if not written:
        return None, NONE
    day = parse_date(written)
    if day is not None:
        return day, DATE
    folded = fold(written)
    years = [int(y) for y in re.findall(r"\d{4}", folded)]
    if any(y not in _YEARS for y in years):
        return None, NONE
    if _RECURRING.fullmatch(folded):
        return None, RECURRING
    if match := _YEAR_RANGE.fullmatch(folded):
        first, last = int(match.group(1)), int(match.group(2))
        return (datetime.date(last, 12, 31), PERIOD) if first <= last else (None, NONE)
    if match := _YEAR.fullmatch(folded):
        return datetime.date(int(match.group(1)), 12, 31), PERIOD
    if match := _QUARTER.fullmatch(folded):
        return _month_end(int(match.group(2)), 3 * _QUARTERS[match.group(1)]), PERIOD
    if (match := _MONTH.fullmatch(folded)) and 1 <= int(match.group(1)) <= 12:
        return _month_end(int(match.group(2)), int(match.group(1))), PERIOD
    return None, NONE


#: A year a task is due by, in its own words: "trong năm 2022", "đến năm 2025", "(đến)
#: hết năm 2023", "vào năm 2025", "cuối năm 2022" (folded). "định hướng đến năm 2030"
#: names a plan's horizon, not a due date.
_DUE_BY = re.compile(
    r"(?<!dinh huong )\b(?:trong|(?:den\s+)?het|den|vao|cuoi)\s+(nam\s+\d{4})(?!\d)"
)
_ONGOING = re.compile(r"\bthuong xuyen\b")


def find_deadline(text: str) -> tuple[datetime.date | None, str, str | None]:
    """``(deadline, kind, as written)`` of a task from its own words.

    The latest year it is due by wins (an item due "trong năm 2022" that also says
    "hàng năm" is due in 2022); without one, "thường xuyên" makes it RECURRING; else
    NONE with nothing written. The written text is the phrase as the source has it.
    """
    written = squash_spaces(nfc(text))
    folded = fold(written)
    if len(folded) != len(written):  # offsets of the folded text must be the text's
        return None, NONE, None
    best: tuple[datetime.date, str] | None = None
    for match in _DUE_BY.finditer(folded):
        day, kind = parse_deadline(match.group(1))
        if day is not None and kind == PERIOD and (best is None or day > best[0]):
            best = (day, written[match.start() : match.end()])
    if best is not None:
        return best[0], PERIOD, best[1]
    ongoing = _ONGOING.search(folded)
    if ongoing is not None:
        return None, RECURRING, written[ongoing.start() : ongoing.end()]
    return None, NONE, None
