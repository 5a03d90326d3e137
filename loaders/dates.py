"""The one date parser (ngày tháng) every loader uses.

Dates as the sources write them: ``29/10/2021``, ``7/12/2021``, ``ngày 29/10/2021``,
``15-3-2022`` and ``ngày 28 tháng 8 năm 2022``. ``DATE`` finds them inside running text;
``parse_date`` reads one whole string; ``date_of_match`` turns a ``DATE`` match into a
``datetime.date``.
"""

from __future__ import annotations

import datetime
import re

from dxtext.text import nfc, squash_spaces

#: A date inside running text. Groups: numeric (``d``, ``m``, ``y``) or worded (``wd``,
#: ``wm``, ``wy``). The digit guards keep it out of longer numbers ("112.284/368.441").
DATE = re.compile(
    r"(?<![\w/.-])(?P<d>\d{1,2})(?P<sep>[/-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\w/-])"
    r"|ngày\s+(?P<wd>\d{1,2})\s+tháng\s+(?P<wm>\d{1,2})\s+năm\s+(?P<wy>\d{4})(?!\d)",
    re.IGNORECASE,
)

_PREFIX = re.compile(r"^ngày\s+", re.IGNORECASE)

#: Years outside this range are extraction noise, not dates.
_YEARS = range(1900, 2101)


def date_of_match(match: re.Match[str]) -> datetime.date | None:
    """The date a ``DATE`` match names, or None when it is not a valid calendar date."""
    if match.group("d") is not None:
        day, month, year = match.group("d", "m", "y")
    else:
        day, month, year = match.group("wd", "wm", "wy")
    if int(year) not in _YEARS:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_date(text: str) -> datetime.date | None:
    """Read ``text`` as one date (optionally after "ngày"); None when it is not one.

    ``parse_date("ngày 29/10/2021") == date(2021, 10, 29)``; ``parse_date("31/2/2022")``
    and ``parse_date("2022 - 2023")`` are None.
    """
    cleaned = squash_spaces(nfc(text))
    match = DATE.fullmatch(cleaned)
    if match is None:
        match = DATE.fullmatch(_PREFIX.sub("", cleaned))
    return date_of_match(match) if match else None


#: A month or a year inside running text, as measured facts are dated: ``tháng 8/2022``,
#: ``năm 2021``. Groups: ``pm`` and ``py`` (a month of a year), or ``yy`` (a year).
PERIOD = re.compile(
    r"tháng\s+(?P<pm>\d{1,2})\s*/\s*(?P<py>\d{4})(?![\w/])|năm\s+(?P<yy>\d{4})(?!\d)",
    re.IGNORECASE,
)


def period_end(match: re.Match[str]) -> datetime.date | None:
    """The last day of the month or year a ``PERIOD`` match names (None when invalid).

    A figure "đến năm 2021" describes the end of 2021; "tháng 8/2022", 31 August 2022.
    """
    if match.group("yy") is not None:
        year = int(match.group("yy"))
        return datetime.date(year, 12, 31) if year in _YEARS else None
    month, year = int(match.group("pm")), int(match.group("py"))
    if year not in _YEARS or not 1 <= month <= 12:
        return None
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)
