"""Passages: every line of a source that no question, target or task holds, in readable pieces.

Pure: text and the records already parsed in, ``PassageRecord``s out, each with its line
span and the figures stated in it (``loaders.figures``).

* **Left out** (``furniture_lines``): page numbers (as ``clean`` finds them), running
  footers ("Bộ Thông tin và Truyền thông - Năm 2022 50"), logo banners of run-together web
  addresses ("t63.mic.gov.vndx.mic.gov.vn"), a capitals title printed again (a table of
  contents echoed on later slides: "NỘI DUNG TRÌNH BÀY"), and a booklet's colophon (from
  "Chịu trách nhiệm xuất bản" to the end). ``contact_lines``: a "Thông tin liên hệ" block
  (a person's name, e-mail and telephone), up to the end of its slide — personal details,
  in no passage, citation or index.
* **Slides** (SLIDES): a slide ends at three blank lines, or where a title in capitals
  starts a line of its own after an indent; each slide is one passage, its title the
  heading.
* **Everything else**: the cleaned Lines (``loaders.clean``, the cleaning of answers) that
  no question, target or task holds, grouped under the heading they sit under — a numbered
  section heading ("2.1. Về …"), a part heading or a title in capitals (LỜI GIỚI THIỆU).
  Stacked headings ("3. …" then "3.1. …") lend the passage their lines and the last of
  them as heading. A long section is split at paragraphs (``MAX_CHARS``); each footnote
  (¹ ² ³) is a passage of its own under the same heading; a table (the article's
  "Bảng 1") is one passage, its caption the heading, its figures read row by row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dxtext.docnumber import find_numbers
from dxtext.text import fold, nfc, squash_spaces
from loaders.clean import Passage, clean, page_number_lines, part_heading, raw_lines
from loaders.figures import extract_figures, table_figures
from loaders.pillars import classify, pillar_of_heading
from loaders.records import FigureRecord, Line, ParsedSource, PassageRecord, Span

#: A section longer than this (characters) is split at paragraphs.
MAX_CHARS = 1500

_FOOTER = re.compile(r"^\S.{4,80}\s-\s+Năm\s+\d{4}\s+\d{1,3}$")
_BANNER = re.compile(r"^(?:[a-z0-9-]+\.)+vn(?:[a-z0-9-]+\.)+vn$")
_COLOPHON = re.compile(r"^chiu trach nhiem xuat ban$")
_RULE = re.compile(r"^-{5,}$")
_CONTACT = re.compile(r"^thong tin lien he$")
_NUMBERED = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\S)")
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s")
_QUESTION_NUMBER = re.compile(r"^Câu(?:\s+hỏi)?\s+\d{1,3}\s*:\s*", re.IGNORECASE)
_TABLE = re.compile(r"^Bảng\s+\d+\.\s")
_TABLE_SOURCE = re.compile(r"^\(Nguồn:")
_TABLE_ROW = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
MAX_HEADING = 100


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_caps_title(text: str) -> bool:
    """A title in capitals; a word such as "mRNA" may keep its own small letters."""
    letters = [ch for ch in text if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    return len(letters) >= 4 and capitals >= 0.85 * len(letters) and len(text) <= MAX_HEADING


def furniture_lines(kind: str, lines: Sequence[str]) -> set[int]:
    """1-based numbers of the raw lines that are page furniture, not content."""
    found = set(page_number_lines(lines))
    seen_titles: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        text = squash_spaces(raw)
        if not text:
            continue
        if _FOOTER.match(text) or _BANNER.match(text):
            found.add(number)
        elif _is_caps_title(text) and "\t" not in text and len(text.split()) >= 2:
            if text in seen_titles:
                found.add(number)  # a title printed again: a table of contents echoed
            seen_titles.add(text)
        elif _COLOPHON.match(fold(text)) and kind == "QA_BOOKLET":
            start = number
            before = number - 1
            while before >= 1 and not lines[before - 1].strip():
                before -= 1
            if before >= 1 and _RULE.match(lines[before - 1].strip()):
                start = before
            found.update(range(start, len(lines) + 1))
            break
    return found


def contact_lines(lines: Sequence[str]) -> set[int]:
    """The lines of a "Thông tin liên hệ" block: the heading up to three blank lines."""
    found: set[int] = set()
    inside = False
    blanks = 0
    for number, raw in enumerate(lines, start=1):
        text = squash_spaces(raw)
        if not inside and _CONTACT.match(fold(text)):
            inside, blanks = True, 0
        if not inside:
            continue
        if text:
            found.add(number)
            blanks = 0
        else:
            blanks += 1
            if blanks >= 3:
                inside = False
    return found


def content_lines(kind: str, lines: Sequence[str]) -> set[int]:
    """The lines a reader would call content: not blank, not furniture, not contact details.

    Every one of them should be cited by some record (the coverage of a load).
    """
    left_out = furniture_lines(kind, lines) | contact_lines(lines)
    return {n for n, raw in enumerate(lines, start=1) if raw.strip() and n not in left_out}


def held_lines(result: ParsedSource) -> set[int]:
    """Lines a question, target or task already holds."""
    spans = [r.span for r in result.questions]
    spans += [r.span for r in result.targets] + [r.span for r in result.tasks]
    return {n for span in spans for n in range(span.start, span.end + 1)}


def _blank_out(lines: Sequence[str], keep: Iterable[int]) -> str:
    wanted = set(keep)
    return "\n".join(raw if n in wanted else "" for n, raw in enumerate(lines, start=1))


def _heading_of(line: Line) -> str | None:
    text = line.text
    if "\t" in text or len(text) > MAX_HEADING or _FOOTNOTE.match(text):
        return None
    if _NUMBERED.match(text):
        rest = _NUMBERED.sub("", text)
        if rest[:1].isupper() and not text.endswith((".", ";", ",")):
            return text
        return None
    if part_heading(text) or _is_caps_title(text):
        return text
    return None


_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def _unmark(line: Line) -> Line:
    """A Line without the Markdown emphasis of its extraction (``**990**``, ``(*tăng …*)``)."""
    if "*" not in line.text:
        return line
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line.text)
    return line if text == line.text else Line(text, line.span)


def _record(
    heading: str | None, body: Sequence[Line], extra: Span | None, year: int | None
) -> PassageRecord:
    body = [_unmark(line) for line in body]
    passage = Passage(body)
    span = Span(body[0].span.start, body[-1].span.end)
    if extra is not None:
        span = span.union(extra)
    text = passage.text
    return PassageRecord(
        heading=heading,
        text=text,
        span=span,
        pillars=_with_heading_pillar(classify(text), heading),
        document_numbers=find_numbers(text),
        figures=_under(heading, extract_figures(passage, year=year)),
    )


def _with_heading_pillar(pillars: list[str], heading: str | None) -> list[str]:
    """A record gets the pillar its heading names (the shared rule, ``loaders.pillars``)."""
    own = pillar_of_heading(heading) if heading else None
    return [*pillars, own] if own and own not in pillars else pillars


def _under(heading: str | None, figures: list[FigureRecord]) -> list[FigureRecord]:
    """Figures sit under their passage's heading: "3.1. Chính quyền số" is their pillar."""
    for figure in figures:
        figure.pillars = _with_heading_pillar(figure.pillars, heading)
    return figures


def _chunks(body: Sequence[Line]) -> list[list[Line]]:
    """Paragraph groups of at most MAX_CHARS (a longer paragraph stands alone)."""
    chunks: list[list[Line]] = [[]]
    size = 0
    for line in body:
        if chunks[-1] and size + len(line.text) > MAX_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line.text) + 2
    return [c for c in chunks if c]


def _slide_starts(lines: Sequence[str]) -> list[int]:
    starts = [1]
    blanks = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            blanks += 1
            continue
        text = squash_spaces(raw)
        indented_title = (
            raw.startswith((" ", "\t")) and _is_caps_title(text) and len(text.split()) >= 2
        )
        if (blanks >= 3 or indented_title) and number > 1:
            starts.append(number)
        blanks = 0
    return starts


def _slides(lines: Sequence[str], free: set[int], year: int | None) -> list[PassageRecord]:
    starts = _slide_starts(lines)
    bounds = [*starts[1:], len(lines) + 1]
    passages: list[PassageRecord] = []
    for start, end in zip(starts, bounds, strict=True):
        keep = [n for n in range(start, end) if n in free]
        if not any(lines[n - 1].strip() for n in keep):
            continue
        first = next(n for n in keep if lines[n - 1].strip())
        title = squash_spaces(lines[first - 1])
        rest = [n for n in keep if n != first]
        body = clean(_blank_out(lines, rest)) if _is_caps_title(title) else []
        if body:
            passages.append(_record(title, body, Span(first, first), year))
        elif whole := clean(_blank_out(lines, keep)):  # a title alone is the slide's text
            passages.append(_record(None, whole, None, year))
    return passages


def _table(
    lines: Sequence[str], start: int, end: int, year: int | None
) -> tuple[PassageRecord, list[FigureRecord]]:
    """A table from its caption (line ``start``) to its source line (``end``)."""
    caption = squash_spaces(lines[start - 1])
    raw = [(n, squash_spaces(lines[n - 1])) for n in range(start + 1, end + 1)]
    raw = [(n, text) for n, text in raw if text]
    rows: list[list[tuple[int, str]]] = []
    for n, text in raw:
        if not rows or _row_number(text) or _TABLE_SOURCE.match(text):
            rows.append([(n, text)])
        else:
            rows[-1].append((n, text))
    paragraphs: list[Line] = []
    data_rows: list[tuple[str, Line]] = []
    for row in rows:
        text = " ".join(t for _, t in row)
        paragraphs.append(Line(text, Span(row[0][0], row[-1][0])))
        label, data = _split_row(row)
        if label is not None and data:
            data_rows.append((label, data[0]))
    figures = [f for _, found in table_figures(data_rows, year=year) for f in found]
    figures = _under(caption, figures)
    passage = PassageRecord(
        heading=caption,
        text="\n\n".join(p.text for p in paragraphs),
        span=Span(start, end),
        pillars=_with_heading_pillar(classify(" ".join(p.text for p in paragraphs)), caption),
        document_numbers=find_numbers(" ".join(p.text for p in paragraphs)),
        figures=figures,
    )
    return passage, figures


def _row_number(text: str) -> str:
    """The row number of a table row ("1.2 Hạ tầng …" → "1.2"); "" when it is a value."""
    match = _TABLE_ROW.match(text)
    if match is None:
        return ""
    if not match.group(2)[:1].isupper():
        return ""  # "241 điểm cầu": a value of the row above, not a row

    return match.group(1)


def _split_row(row: Sequence[tuple[int, str]]) -> tuple[str | None, list[Line]]:
    """A table row's label (its "Nội dung" cell) and its data as one Line."""
    first = _TABLE_ROW.match(row[0][1])
    if first is None or not _row_number(row[0][1]):
        return None, []
    cells = [(row[0][0], first.group(2)), *row[1:]]
    label_parts: list[str] = []
    data: list[tuple[int, str]] = []
    for n, text in cells:
        if data:
            data.append((n, text))
            continue
        cut = _first_value(text)
        if cut is None:
            label_parts.append(text)
        else:
            if text[:cut].strip():
                label_parts.append(text[:cut].strip())
            data.append((n, text[cut:].strip()))
    if not data:
        return " ".join(label_parts), []
    joined = "; ".join(t.rstrip(";") for _, t in data)
    return " ".join(label_parts).strip(), [Line(joined, Span(data[0][0], data[-1][0]))]


def _first_value(text: str) -> int | None:
    """Where the first figure of a table cell starts (a number with a unit or %)."""
    found = extract_figures(Passage([Line(text, Span(1, 1))]), year=None)
    if not found:
        return None
    match = re.search(r"(?<![\w.,])\d", text)
    return match.start() if match else None


def segment(
    kind: str, text: str, result: ParsedSource, *, year: int | None
) -> tuple[list[PassageRecord], list[FigureRecord]]:
    """The passages of one source, and the figures stated in them."""
    lines = raw_lines(nfc(text))[: result.line_count]
    left_out = furniture_lines(kind, lines) | contact_lines(lines) | held_lines(result)
    free = {n for n in range(1, len(lines) + 1) if n not in left_out}
    if kind == "SLIDES":
        slides = _slides(lines, free, year)
        return slides, [f for p in slides for f in p.figures]

    tables: list[tuple[int, int]] = []
    for number in sorted(free):
        if _TABLE.match(squash_spaces(lines[number - 1])):
            end = next(
                (
                    n
                    for n in range(number + 1, len(lines) + 1)
                    if _TABLE_SOURCE.match(squash_spaces(lines[n - 1]))
                ),
                None,
            )
            if end is not None:
                tables.append((number, end))
    in_table = {n for a, b in tables for n in range(a, b + 1)}
    body_lines = clean(_blank_out(lines, free - in_table))

    # a question printed again (a list of questions at the back) is the question's text
    held_texts = [_squeezed(f"{q.text}{q.answer}") for q in result.questions]
    body_lines = [
        line
        for line in body_lines
        if len(line.text) < 30
        or not any(_squeezed(_QUESTION_NUMBER.sub("", line.text)) in h for h in held_texts)
    ]

    passages: list[PassageRecord] = []
    stack: list[Line] = []  # the headings over the group being read
    stack_used = False
    group: list[Line] = []
    table_at = {a: (a, b) for a, b in tables}
    pending_tables = sorted(table_at)

    def heading_text() -> str | None:
        return stack[-1].text if stack else None

    def flush() -> None:
        nonlocal group, stack_used
        if not group:
            return
        for index, chunk in enumerate(_chunks(group)):
            extra = None
            if index == 0 and stack and not stack_used:
                extra = Span(stack[0].span.start, stack[-1].span.end)
            passages.append(_record(heading_text(), chunk, extra, year))
        stack_used = True
        group = []

    previous_end = 0
    for line in body_lines:
        while pending_tables and pending_tables[0] < line.span.start:
            flush()
            a, b = table_at[pending_tables.pop(0)]
            table, _ = _table(lines, a, b, year)
            passages.append(table)
        gap = range(previous_end + 1, line.span.start)
        if any(n in left_out for n in gap):
            flush()
            stack, stack_used = [], False  # headings over held records head no passage
        previous_end = line.span.end
        if "\t" in line.text:
            flush()  # a task table's header or group row: the table's, not a passage
            continue
        heading = _heading_of(line)
        if heading is not None:
            flush()
            if stack_used or not stack:
                stack, stack_used = [line], False
            else:
                stack.append(line)
            continue
        if _FOOTNOTE.match(line.text):
            flush()
            passages.append(_record(heading_text(), [line], None, year))
            continue
        group.append(line)
    flush()
    for start in pending_tables:
        a, b = table_at[start]
        passages.append(_table(lines, a, b, year)[0])
    return passages, [f for p in passages for f in p.figures]
