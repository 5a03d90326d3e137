"""QA_BOOKLET parser: numbered questions (câu hỏi) and their answers (trả lời).

Works on the cleaned Lines of a booklet read as one ``Passage``, so a heading is found
wherever the extraction put it, at the start of a line or not:

* ``Câu hỏi N:`` / ``Câu N:`` (any case) starts question N, and so do ``Câu N.`` /
  ``Câu hỏi N.`` at the start of a Line; ``Hỏi:`` starts an unnumbered question. The
  question text runs to ``Trả lời:`` (or ``Đáp:`` at the start of a Line), which starts
  the answer; the answer runs to the next question or part heading, or to the end of the
  text. Page numbers ("- 12 -", "Trang 12") and running headers are gone already
  (``clean``). A booklet with no question at all is a ``ParseError`` (``pipeline``).
* ``Phần I`` / ``PHẦN II`` / ``Phần 2`` sets the part of the questions after it. Questions
  in Phần II or later (the province part in both booklets) are ``province_specific``.
* A question heading without ``Trả lời:`` before the next heading is not a question: the
  booklets repeat some headings at the end (a contents echo). It is reported.
* After the last answer, the colophon (a rule of dashes, "Chịu trách nhiệm xuất bản",
  "Ban Biên tập", "Giấy phép xuất bản", "In 3.000 cuốn") ends the answer.
* Text before the first question (the introduction, LỜI GIỚI THIỆU) belongs to none.

Answers keep their paragraphs, separated by one blank line. Warnings name duplicated
numbers, gaps in the numbering, ignored echoes and questions without an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from dxtext.docnumber import find_numbers
from dxtext.text import squash_spaces
from loaders.clean import Passage
from loaders.pillars import answer_heading_pillars, classify
from loaders.records import Line, QuestionRecord, Warning

#: A question heading: "Câu 12:" / "Câu hỏi 12:" anywhere; "Câu 12." / "Câu hỏi 12." /
#: "Hỏi:" (unnumbered) opening a Line, where ``clean`` breaks before them.
QUESTION = re.compile(
    r"(?<!\S)Câu(?:\s+hỏi)?\s+(\d{1,3})\s*:"
    r"|(?:^|(?<=\n\n))(?:Câu(?:\s+hỏi)?\s+(\d{1,3})\s*\.(?!\d)|Hỏi\s*:)",
    re.IGNORECASE,
)
#: An answer heading: "Trả lời:" anywhere, "Đáp:" opening a Line.
ANSWER = re.compile(r"(?<!\S)Trả\s+lời\s*:|(?:^|(?<=\n\n))Đáp\s*:", re.IGNORECASE)
_PART = re.compile(r"(?<!\S)(?:Phần|PHẦN)\s+([IVX]{1,4}|\d{1,2})(?=\s|$)")
_COLOPHON = re.compile(
    r"-{5,}|Chịu\s+trách\s+nhiệm\s+(?:xuất\s+bản|nội\s+dung)|Ban\s+biên\s+tập"
    r"|Giấy\s+phép\s+xuất\s+bản|(?<!\S)In\s+[\d.]+\s+(?:bản|cuốn)\b",
    re.IGNORECASE,
)
_ROMAN = {"I": 1, "V": 5, "X": 10}


def part_number(numeral: str) -> int:
    """The value of a part numeral: ``"II"`` → 2, ``"2"`` → 2."""
    if numeral.isdigit():
        return int(numeral)
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN[char]
        following = _ROMAN[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def paragraphs(text: str) -> str:
    """``text`` with white space squashed inside each paragraph, paragraphs blank-separated."""
    kept = (squash_spaces(chunk) for chunk in text.split("\n\n"))
    return "\n\n".join(chunk for chunk in kept if chunk)


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, first occurrences in order."""
    return list(dict.fromkeys(items))


@dataclass(slots=True)
class _Open:
    """A question heading seen, waiting for its answer and its end."""

    number: int | None
    start: int
    part: str | None
    province: bool
    text_start: int
    answer_start: int | None = None
    text: str = ""


def parse_booklet(lines: list[Line]) -> tuple[list[QuestionRecord], list[Warning]]:
    """Every answered question of a Q&A booklet, in order, with warnings."""
    passage = Passage(lines)
    text = passage.text
    events: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in (("question", QUESTION), ("answer", ANSWER), ("part", _PART)):
        events.extend(
            (m.start(), m.end(), kind, m)
            for m in pattern.finditer(text)
            if kind != "part" or not text[m.end() :].lstrip()[:1].islower()  # "Phần I của …"
        )
    events.sort(key=lambda event: event[0])
    answers = [start for start, _, kind, _ in events if kind == "answer"]
    end_of_text = len(text)
    if answers:
        colophon = _COLOPHON.search(text, answers[-1])
        if colophon is not None:
            end_of_text = colophon.start()
            events = [event for event in events if event[0] < end_of_text]

    questions: list[QuestionRecord] = []
    warnings: list[Warning] = []
    seen: dict[int, int] = {}  # number → line of its first answered heading
    part: str | None = None
    province = False
    current: _Open | None = None

    def close(current: _Open | None, end: int) -> None:
        if current is None:
            return
        line = passage.line_at(current.start)
        if current.answer_start is None:
            if current.number is not None and current.number in seen:
                message = f"heading of question {current.number} repeated without an answer"
                warnings.append(Warning(line, f"{message} (contents echo); ignored"))
            else:
                warnings.append(Warning(line, f"question {current.number} has no answer"))
            return
        answer = paragraphs(text[current.answer_start : end])
        if not answer:
            warnings.append(Warning(line, f"question {current.number} has an empty answer"))
            return
        if current.number is not None and current.number in seen:
            warnings.append(
                Warning(
                    line,
                    f"question {current.number} appears again (first at line "
                    f"{seen[current.number]}); the repeat is ignored",
                )
            )
            return
        if current.number is not None:
            seen[current.number] = line
        body = f"{current.text}\n\n{answer}"
        questions.append(
            QuestionRecord(
                number=current.number,
                text=current.text,
                answer=answer,
                span=passage.span(current.start, end),
                part=current.part,
                province_specific=current.province,
                pillars=classify(current.text, fallbacks=[answer_heading_pillars(answer)]),
                document_numbers=unique(find_numbers(body)),
            )
        )

    for start, end, kind, match in events:
        if kind == "question":
            close(current, start)
            written = match.group(1) or match.group(2)
            current = _Open(int(written) if written else None, start, part, province, end)
        elif kind == "answer":
            if current is not None and current.answer_start is None:
                current.text = squash_spaces(text[current.text_start : start])
                current.answer_start = end
        else:
            close(current, start)
            current = None
            part = f"Phần {match.group(1)}"
            province = part_number(match.group(1)) >= 2
    close(current, end_of_text)

    warnings.extend(_numbering_warnings(questions))
    return questions, warnings


def _numbering_warnings(questions: list[QuestionRecord]) -> list[Warning]:
    """Gaps and disorder in the numbers 1..N of the questions found."""
    numbers = [q.number for q in questions if q.number is not None]
    if not numbers:
        return []  # none numbered ("Hỏi: … Đáp: …"), or none at all (pipeline refuses)
    warnings: list[Warning] = []
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if missing:
        line = questions[0].span.start
        warnings.append(Warning(line, f"question numbers missing: {missing}"))
    for before, after in pairwise(questions):
        if before.number is not None and after.number is not None and after.number < before.number:
            warnings.append(
                Warning(after.span.start, f"question {after.number} follows {before.number}")
            )
    return warnings
