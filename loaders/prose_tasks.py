"""Tasks (nhiệm vụ) and solutions (giải pháp) listed in prose: "đề ra 08 nhiệm vụ và giải
pháp, đó là: (1) … (2) … (8) …".

In each answer, a numbered list ``(1) … (N)`` is read as tasks when the sentence that
introduces it (from the last paragraph or sentence break before ``(1)``) speaks of
``nhiệm vụ`` or ``giải pháp``; lists of other things (the 09 elements of a digital
citizen, the 07 priority fields, the skills a citizen needs) are left alone. Items are
found in order, ``(1)``, ``(2)``, … each after the previous one; the last runs to the end
of its paragraph.

Each item gives a ``TaskRecord``: ``ordinal`` = its number, ``title`` = its text,
``deadline_kind`` NONE, ``group`` = the kind of list as written and capitalised
("Nhiệm vụ và giải pháp", "Nhiệm vụ, giải pháp", "Giải pháp"), ``document_number`` = the
first document number of the introducing sentence (the document that sets them; None
when it names none), ``pillars`` from ``pillars.classify`` of the title, ``span`` = the
raw lines of the item. A stated count ("08 nhiệm vụ", "Sáu giải pháp") is checked
against the items found.
"""

from __future__ import annotations

import re

from loaders.docnumber import find_numbers
from loaders.pillars import classify
from loaders.records import Line, QuestionRecord, TaskRecord, Warning
from loaders.targets import NUMBER_WORDS, answer_region, stated_count
from loaders.text import fold, squash_spaces

_FIRST_ITEM = re.compile(r"\(1\)")
_BREAK = re.compile(r"\n\n|[.!?…]\s+(?=\S)")
_KIND = re.compile(
    r"nhiệm\s+vụ(?:\s*(?:và|,)\s*giải\s+pháp)?|giải\s+pháp(?:\s*(?:và|,)\s*nhiệm\s+vụ)?",
    re.IGNORECASE,
)
_STATED = re.compile(
    r"\b(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s+(?:nhiệm\s+vụ|giải\s+pháp)", re.IGNORECASE
)


def _intro_start(text: str, start: int, first_item: int) -> int:
    """Where the sentence introducing the list at ``first_item`` starts."""
    begin = start
    for match in _BREAK.finditer(text, start, first_item):
        following = text[match.end() : match.end() + 1]
        if match.group(0) == "\n\n" or following.isupper() or following in "(-":
            begin = match.end()
    return begin


def _clean_title(text: str) -> str:
    return squash_spaces(text).rstrip(" ;.,")


def extract_prose_tasks(
    questions: list[QuestionRecord], lines: list[Line]
) -> tuple[list[TaskRecord], list[Warning]]:
    """The tasks and solutions listed ``(1) … (N)`` in the answers of ``questions``."""
    tasks: list[TaskRecord] = []
    warnings: list[Warning] = []
    for question in questions:
        passage, start, end = answer_region(question, lines)
        text = passage.text
        search_from = start
        while (first := _FIRST_ITEM.search(text, search_from, end)) is not None:
            search_from = first.end()
            intro = text[_intro_start(text, start, first.start()) : first.start()]
            folded = fold(intro)
            if "nhiem vu" not in folded and "giai phap" not in folded:
                continue
            markers = [first]
            while (
                following := re.compile(rf"\({len(markers) + 1}\)").search(
                    text, markers[-1].end(), end
                )
            ) is not None:
                markers.append(following)
            last_end = text.find("\n\n", markers[-1].end(), end)
            item_ends = [m.start() for m in markers[1:]] + [last_end if last_end >= 0 else end]
            kind = _KIND.search(intro)
            group = kind.group(0) if kind else None
            group = group[0].upper() + group[1:] if group else None
            numbers = find_numbers(intro)
            found: list[TaskRecord] = []
            for ordinal, (marker, item_end) in enumerate(
                zip(markers, item_ends, strict=True), start=1
            ):
                title = _clean_title(text[marker.end() : item_end])
                if not title:
                    warnings.append(
                        Warning(passage.line_at(marker.start()), f"task ({ordinal}) is empty")
                    )
                    continue
                found.append(
                    TaskRecord(
                        title=title,
                        span=passage.span(marker.start(), item_end),
                        group=group,
                        ordinal=ordinal,
                        deadline_kind="NONE",
                        pillars=classify(title, heading=group),
                        document_number=numbers[0] if numbers else None,
                    )
                )
            stated = stated_count(intro, _STATED)
            if stated is not None and stated != len(found):
                warnings.append(
                    Warning(
                        passage.line_at(first.start()),
                        f"the text states {stated} tasks but {len(found)} were found",
                    )
                )
            tasks.extend(found)
            search_from = markers[-1].end()
    return tasks, warnings
