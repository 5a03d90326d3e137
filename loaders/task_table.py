"""The Lào Cai task table (bảng nhiệm vụ trọng tâm): tab-separated rows → TaskRecords.

The table has four columns, STT · Nhiệm vụ · Chủ trì tham mưu · Thời gian hoàn thành,
and three kinds of rows:

- a group row: a Roman numeral and a heading with its task count,
  ``II⇥Xây dựng thể chế, … (14 nhiệm vụ)⇥⇥``;
- a task row: the task's number (STT) inside its group, then the three cells;
- a continuation row: an empty first cell; a cell broken across a page break goes on
  there, and each cell is joined onto the same cell of the row above with a space.

Blank lines, page-number lines and repeated header rows inside the table are skipped.
``TaskRecord.group`` is the group heading as written, without its Roman numeral and
without the "(N nhiệm vụ)" count. The table's document is the number named in the
heading just above it, if any (the Lào Cai heading names none, so it stays None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dxtext.docnumber import find_numbers
from dxtext.text import fold, nfc, squash_spaces
from loaders.agencies import split_agencies
from loaders.deadlines import parse_deadline
from loaders.pillars import classify
from loaders.records import Span, TaskRecord, Warning

_COLUMNS = 4
_ROMAN = re.compile(r"[IVXLC]+")
_ORDINAL = re.compile(r"\d{1,3}")
_PAGE_NUMBER = re.compile(r"\d{1,4}|(?:trang|page)\s+\d{1,4}|-\s*\d{1,4}\s*-", re.I)
#: "(14 nhiệm vụ)" at the end of a heading.
_COUNT = re.compile(r"\(\s*(\d+)\s*nhi[eệ]m\s+v[uụ]\s*\)\s*$", re.IGNORECASE)
#: Non-table lines (a running header…) tolerated inside the table before it is over.
_MAX_GAP = 3


@dataclass(slots=True)
class _Row:
    """One table row with the continuation rows joined onto it."""

    kind: str  # "group" or "task"
    label: str
    cells: list[str]
    start: int
    end: int

    def extend(self, cells: list[str], line: int) -> None:
        for index, cell in enumerate(cells):
            if cell:
                self.cells[index] = f"{self.cells[index]} {cell}".strip()
        self.end = line


@dataclass(slots=True)
class _Group:
    heading: str
    stated: int | None
    line: int
    tasks: list[TaskRecord] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    cells = [squash_spaces(cell) for cell in line.split("\t")]
    return (cells + [""] * _COLUMNS)[: max(_COLUMNS, len(cells))]


def _is_header(cells: list[str]) -> bool:
    return fold(cells[0]) == "stt" and "nhiem vu" in fold(cells[1])


def _stated_count(text: str) -> int | None:
    match = _COUNT.search(text)
    return int(match.group(1)) if match else None


def _without_count(text: str) -> str:
    return _COUNT.sub("", text).strip()


def _find_header(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if "\t" in line and _is_header(_cells(line)):
            return index
    return None


def _heading_above(lines: list[str], header: int) -> tuple[str, int] | None:
    for index in range(header - 1, -1, -1):
        if lines[index].strip():
            return squash_spaces(lines[index]), index + 1
    return None


def _read_rows(lines: list[str], header: int) -> tuple[list[_Row], list[Warning]]:
    rows: list[_Row] = []
    warnings: list[Warning] = []
    gap: list[int] = []
    for index in range(header + 1, len(lines)):
        number = index + 1
        text = lines[index]
        if "\t" not in text:
            if text.strip() and not _PAGE_NUMBER.fullmatch(text.strip()):
                gap.append(number)
                if len(gap) > _MAX_GAP:
                    break
            continue
        warnings.extend(Warning(g, "ignored a non-table line inside the task table") for g in gap)
        gap = []
        cells = _cells(text)
        if len(cells) > _COLUMNS:
            warnings.append(Warning(number, f"task table row has {len(cells)} cells, not 4"))
            cells = [*cells[: _COLUMNS - 1], " ".join(cells[_COLUMNS - 1 :]).strip()]
        first = cells[0]
        if _is_header(cells):
            continue
        if not first:
            if rows:
                rows[-1].extend(cells, number)
            else:
                warnings.append(Warning(number, "continuation row with no row above"))
        elif _ROMAN.fullmatch(first):
            rows.append(_Row("group", first, cells, number, number))
        elif _ORDINAL.fullmatch(first):
            rows.append(_Row("task", first, cells, number, number))
        else:
            warnings.append(Warning(number, f"task table row with an unknown STT {first!r}"))
    return rows, warnings


def _task(row: _Row, group: _Group | None, document: str | None) -> TaskRecord:
    title, lead, written = (squash_spaces(nfc(cell)) for cell in row.cells[1:_COLUMNS])
    deadline, kind = parse_deadline(written)
    heading = group.heading if group else None
    return TaskRecord(
        title=title,
        span=Span(row.start, row.end),
        group=heading,
        ordinal=int(row.label),
        lead_agencies=split_agencies(lead),
        deadline=deadline,
        deadline_text=written or None,
        deadline_kind=kind,
        pillars=classify(title, heading=heading),
        document_number=document,
    )


def parse_task_table(text: str) -> tuple[list[TaskRecord], list[Warning]]:
    """The tasks of the first task table in a raw source text, with what looked wrong.

    ``text`` is the whole raw file; spans are its 1-based line numbers. A text with no
    table gives no tasks and no warnings.
    """
    lines = nfc(text).replace("\r\n", "\n").split("\n")
    header = _find_header(lines)
    if header is None:
        return [], []
    above = _heading_above(lines, header)
    numbers = find_numbers(above[0]) if above else []
    document = numbers[0] if numbers else None

    rows, warnings = _read_rows(lines, header)
    groups: list[_Group] = []
    tasks: list[TaskRecord] = []
    for row in rows:
        if row.kind == "group":
            heading = squash_spaces(nfc(row.cells[1]))
            groups.append(_Group(_without_count(heading), _stated_count(heading), row.start))
            continue
        group = groups[-1] if groups else None
        if group is None:
            warnings.append(Warning(row.start, "task row before any group row"))
        task = _task(row, group, document)
        if group is not None:
            group.tasks.append(task)
        tasks.append(task)
        if not task.title:
            warnings.append(Warning(row.start, f"task {row.label} has no title"))

    for group in groups:
        found = len(group.tasks)
        if group.stated is not None and group.stated != found:
            warnings.append(
                Warning(
                    group.line,
                    f"group {group.heading!r} states {group.stated} tasks, found {found}",
                )
            )
        ordinals = [task.ordinal for task in group.tasks]
        if ordinals != list(range(1, found + 1)):
            warnings.append(
                Warning(group.line, f"group {group.heading!r} numbers its tasks {ordinals}")
            )
    if above is not None:
        stated = _stated_count(above[0])
        if stated is not None and stated != len(tasks):
            warnings.append(Warning(above[1], f"table states {stated} tasks, found {len(tasks)}"))
    return tasks, warnings
