"""Clean step shared by every source kind: raw extracted lines → logical ``Line``s.

Input is the whole text of a source as ``read_source`` returns it; raw line ``n`` is
``text.split("\\n")[n - 1]`` (blank lines count). ``clean`` returns one ``Line`` per
paragraph, list item or heading, each with the ``Span`` of the raw lines it was built
from. **A paragraph break is the boundary between two Lines**: no empty Lines are
produced. Rules, in order:

* **Page numbers** — a line holding only a number (``12``, ``- 12 -``, ``Trang 12``) is
  dropped when the lone numbers of the file rise strictly, as page numbers do. Otherwise
  they are data (a slide's table of ranks) and stay. **Running headers** — the same short
  line three times or more, each time beside a page number — are dropped too; content
  that repeats away from the page furniture stays (none of the bundled five has one).
* **Blank lines** carry no meaning: some extractions put one between every line, others
  one inside a sentence at a page break. Breaks are decided from the text around them.
* **Table rows** — a line holding a tab is a Line of its own, never joined, tabs kept
  (spaces inside each cell squashed), for the task-table parser.
* **Breaks** — a new Line starts before a heading (``Câu hỏi 5:``, ``Câu 5:``, ``Câu 5.``,
  ``Hỏi:``, ``Trả lời:``, ``Đáp:``, ``Phần II``/``PHẦN 2``); after a line ending a
  sentence (``. : ; ! ? …``) when the next starts a paragraph (capital, digit, bullet
  ``- + •``, ``a)``, ``(1)``, quote); before a short numbered section heading (``2.1.
  Về …``); and after a short line without final punctuation (shorter than 60 % of the
  file's upper-quartile line width) followed by a capital — a title or a story-box
  heading — or, after a title in capitals or a numbered heading, by any paragraph start.
* **Joins** — otherwise lines are joined with one space, except that a line ending inside
  a document number or code (``293/KH-`` + ``UBND``, ``18-`` + ``NQ/TU``, ``COVID-`` + ``19``)
  is joined without one, and so is a line ending inside a web address (``(data.gov.`` +
  ``vn)``). A line opening with a numbered item ``(3) …`` after a ``;`` or ``,`` joins
  the Line that holds item ``(2)``, and ``(1) …`` after a colon joins the sentence that
  introduces it: a list item stays in its own sentence.

Text is NFC with white space squashed. Each Line returned is a ``CleanLine``, a ``Line``
that also records where each raw line's text begins inside it, so a parser can cite a
part of a Line (one ``;`` clause) by its own raw lines: see ``Passage``.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from dxtext.text import nfc, squash_spaces
from loaders.records import Line, Span

#: A raw line that is only a page number: "12", "- 12 -", "– 12 –".
_PAGE_NUMBER = re.compile(r"^(?:trang\s+)?[-–—]?\s*(\d{1,4})\s*[-–—]?$", re.IGNORECASE)
#: The question and answer headings of Q&A booklets, as publishers write them: "Câu 12:",
#: "Câu hỏi 12:", "Câu 12.", "Câu hỏi 12.", "Hỏi:"; "Trả lời:", "Đáp:".
_QUESTION_HEADING = re.compile(r"^(?:Câu(?:\s+hỏi)?\s+\d{1,3}\s*(?::|\.(?!\d))|Hỏi\s*:)", re.I)
_ANSWER_HEADING = re.compile(r"^(?:Trả\s+lời|Đáp)\s*:", re.IGNORECASE)
#: A running header repeats at least this often, each time beside a page number.
_HEADER_REPEATS = 3
#: How near (in non-blank raw lines) to a page number a running header stands.
_HEADER_REACH = 2
_PART_HEADING = re.compile(r"^(?:Phần|PHẦN)\s+(?:[IVX]{1,4}|\d{1,2})\b\s*[:.]?\s*(.?)")
_TERMINAL = ".:;!?…"
_CLOSERS = "”\"’')»]*"
_BULLETS = "-+•*–—·▪●○(“\"‘'«[<¹²³⁴⁵⁶⁷⁸⁹⁰"
_LIST_LETTER = re.compile(r"^[a-zđ]\)|^[ivx]{1,4}\)")
#: The end of a raw line broken inside a document number or a code: "293/KH-", "18-".
_BROKEN_CODE = re.compile(r"(?:^|\s)(\S*[0-9A-ZĐ][-/])$")
#: The end of a raw line broken inside a web address: "(data.gov." (then "vn)").
_BROKEN_ADDRESS = re.compile(r"(?:^|[\s(])(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)+\.$")
_ADDRESS_END = re.compile(r"[a-z]{2,6}(?:[/)\],.;:]|$)")
#: A numbered list item "(3) …" opening a raw line after a ";" or ",": it goes on the
#: sentence that holds item (2), never starts a paragraph of its own.
_LIST_ITEM = re.compile(r"^\((\d{1,2})\)\s")
_SHORT_RATIO = 0.6
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.\s")


@dataclass(frozen=True, slots=True)
class CleanLine(Line):
    """A ``Line`` that knows which raw line each part of its text came from.

    ``joints`` holds ``(offset, raw_line)`` pairs, in order: the text from ``offset`` up to
    the next joint was read from raw line ``raw_line``.
    """

    joints: tuple[tuple[int, int], ...] = ()


def raw_lines(text: str) -> list[str]:
    """The raw lines of ``text``; line ``n`` (1-based) is ``raw_lines(text)[n - 1]``."""
    return text.split("\n")


def is_heading(text: str) -> bool:
    """True for a question, answer or part heading at the start of ``text``."""
    return bool(_QUESTION_HEADING.match(text) or _ANSWER_HEADING.match(text) or part_heading(text))


def part_heading(text: str) -> str | None:
    """``"Phần II"`` when ``text`` starts with a part heading (``PHẦN II``, ``Phần 2``)."""
    match = _PART_HEADING.match(text)
    if match is None:
        return None
    after = match.group(1)
    if after and after.isalpha() and after.islower():
        return None  # "Phần I của …": running prose, not a heading
    numeral = match.group(0).split()[1].rstrip(":.")
    return f"Phần {numeral}"


def page_number_lines(lines: Sequence[str]) -> set[int]:
    """1-based numbers of the raw lines that are page numbers (see module docstring)."""
    found: list[tuple[int, int]] = []
    for number, raw in enumerate(lines, start=1):
        match = _PAGE_NUMBER.match(raw.strip())
        if match and "\t" not in raw:
            found.append((number, int(match.group(1))))
    values = [value for _, value in found]
    rising = all(a < b for a, b in pairwise(values))
    if not found or not rising:
        return set()
    return {number for number, _ in found}


def running_header_lines(lines: Sequence[str], pages: set[int]) -> set[int]:
    """1-based numbers of the raw lines that are a running header: the same short line,
    at least ``_HEADER_REPEATS`` times, each within ``_HEADER_REACH`` non-blank lines of
    a page number but for one (the first page's). Content that merely repeats is not
    beside the page furniture."""
    if not pages:
        return set()
    filled = [n for n, raw in enumerate(lines, start=1) if raw.strip()]
    place = {n: i for i, n in enumerate(filled)}
    page_places = sorted(place[n] for n in pages if n in place)
    seen: dict[str, list[int]] = {}
    for number in filled:
        raw = lines[number - 1]
        text = squash_spaces(raw)
        if number not in pages and "\t" not in raw and len(text) <= 100 and not is_heading(text):
            seen.setdefault(text, []).append(number)
    found: set[int] = set()
    for numbers in seen.values():
        beside = sum(
            any(abs(place[n] - at) <= _HEADER_REACH for at in page_places) for n in numbers
        )
        # the first page's header has no page number before it, nor near it
        if len(numbers) >= _HEADER_REPEATS and beside >= len(numbers) - 1:
            found.update(numbers)
    return found


def _cell_text(raw: str) -> str:
    """A table row with spaces squashed inside each cell and its tabs kept."""
    return "\t".join(squash_spaces(cell) for cell in raw.rstrip("\r\n ").split("\t"))


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _starts_paragraph(text: str) -> bool:
    first = text[0]
    return first.isupper() or first.isdigit() or first in _BULLETS or bool(_LIST_LETTER.match(text))


def _starts_capital(text: str) -> bool:
    return text[0].isupper() or text[0] in "“\"‘'«"


def _breaks(prev: str, nxt: str, short: float) -> bool:
    """Whether ``nxt`` starts a new Line after ``prev`` (both squashed, non-empty)."""
    if "\t" in prev or "\t" in nxt or is_heading(nxt):
        return True
    if _ends_sentence(prev):
        return _starts_paragraph(nxt)
    if _NUMBERED_HEADING.match(nxt) and len(nxt) < short:
        return True
    if len(prev) >= short or prev.endswith((",", "-")):
        return False
    # A short line without final punctuation is a title when what follows starts afresh.
    if _starts_capital(nxt):
        return True
    return _is_title(prev) and _starts_paragraph(nxt)


def _is_title(text: str) -> bool:
    """A numbered section heading ("2.1. Về …") or a line in capitals."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(_NUMBERED_HEADING.match(text)) or (bool(letters) and text.upper() == text)


def _glue(prev: str, nxt: str) -> str:
    """What goes between ``prev`` and ``nxt`` when they are joined: a space or nothing."""
    if _BROKEN_ADDRESS.search(prev) and _ADDRESS_END.match(nxt):
        return ""  # "(data.gov." + "vn)": a web address is never split
    if _BROKEN_CODE.search(prev) and nxt[0].isalnum():
        token = prev.rsplit(None, 1)[-1]
        if any(ch.isdigit() for ch in token) or token[:-1].isupper():
            return ""
    return " "


def clean(text: str) -> list[Line]:
    """The logical Lines of a source text (see the module docstring for the rules)."""
    lines = raw_lines(nfc(text))
    pages = page_number_lines(lines)
    furniture = pages | running_header_lines(lines, pages)
    kept: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        if number in furniture:
            continue
        content = _cell_text(raw) if "\t" in raw else squash_spaces(raw)
        if content.strip():
            kept.append((number, content))
    widths = [len(content) for _, content in kept if "\t" not in content]
    # The upper quartile is the width of a full line, whether the file is wrapped or not.
    short = _SHORT_RATIO * statistics.quantiles(widths, n=4)[2] if len(widths) > 1 else 0.0

    result: list[Line] = []
    parts: list[str] = []
    joints: list[tuple[int, int]] = []
    first = last = 0
    previous = ""
    for number, content in kept:
        item = _LIST_ITEM.match(content)
        follows_item = item is not None and (
            (previous.endswith((";", ",")) and f"({int(item.group(1)) - 1})" in "".join(parts))
            or (item.group(1) == "1" and previous.endswith(":"))  # "… đó là:" / "(1) …"
        )
        if parts and (follows_item or not _breaks(previous, content, short)):
            parts.append(_glue(previous, content))
        else:
            if parts:
                result.append(CleanLine("".join(parts), Span(first, last), tuple(joints)))
            parts, joints, first = [], [], number
        joints.append((sum(len(part) for part in parts), number))
        parts.append(content)
        last, previous = number, content
    if parts:
        result.append(CleanLine("".join(parts), Span(first, last), tuple(joints)))
    return result


class Passage:
    """Several Lines read as one text, with each character traced to its raw line.

    ``text`` is the Lines' texts joined by ``separator`` (a blank line by default, the
    paragraph break of stored answers). ``span(start, end)`` gives the raw lines of
    ``text[start:end]``. Lines that are plain ``Line``s (no joints) are traced to their
    first raw line for a start and their last for an end.
    """

    def __init__(self, lines: Sequence[Line], separator: str = "\n\n") -> None:
        self.lines = list(lines)
        pieces: list[str] = []
        self._offsets: list[int] = []  # start offset of each joint, increasing
        self._starts: list[int] = []  # raw line of each joint
        self._ends: list[int] = []  # raw line a range ending in that joint ends on
        offset = 0
        for index, line in enumerate(self.lines):
            if index:
                pieces.append(separator)
                offset += len(separator)
            joints = line.joints if isinstance(line, CleanLine) and line.joints else ()
            if joints:
                for at, raw in joints:
                    self._offsets.append(offset + at)
                    self._starts.append(raw)
                    self._ends.append(raw)
            else:
                self._offsets.append(offset)
                self._starts.append(line.span.start)
                self._ends.append(line.span.end)
            pieces.append(line.text)
            offset += len(line.text)
        self.text = "".join(pieces)

    def _joint(self, offset: int) -> int:
        return max(bisect_right(self._offsets, offset) - 1, 0)

    def line_at(self, offset: int) -> int:
        """The raw line that character ``offset`` of ``text`` was read from."""
        return self._starts[self._joint(offset)]

    def span(self, start: int, end: int) -> Span:
        """Raw lines of ``text[start:end]``, trimmed of white space at both ends."""
        chunk = self.text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if end <= start:
            end = start + 1
        first = self._starts[self._joint(start)]
        last = self._ends[self._joint(end - 1)]
        return Span(first, max(first, last))
