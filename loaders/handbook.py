"""HANDBOOK parser: the question headings (câu hỏi) of a handbook and their answers.

The Lào Cai handbook has no numbers: in Phần I ("Cẩm nang cơ bản") and Phần 2 ("Cẩm nang
cho người dân") a short Line ending in "?" is a question heading; its answer is every
Line up to the next question heading or part heading. Rules:

* the same heading twice in a row (nothing between) is one question;
* subheadings that are not questions (story boxes such as "Câu chuyện của Kodak") stay
  inside the answer, as paragraphs;
* a heading with an empty answer is dropped with a warning;
* the title lines between a part heading and its first question belong to no answer.

Parsing stops at the part numbered ``stop_part`` (3: PHẦN III, the province part with
documents, results and the task table, which other parsers read). Question-like lines
inside it are not questions of the handbook: each is reported in a warning, none is
returned. Questions are general handbook content: ``province_specific`` is False,
``number`` is None and ``part`` is the part heading as written ("Phần I", "Phần 2").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dxtext.docnumber import find_numbers
from dxtext.text import fold
from loaders.clean import part_heading
from loaders.pillars import answer_heading_pillars, classify
from loaders.qa_booklet import part_number, unique
from loaders.records import Line, QuestionRecord, Span, Warning

#: Longest Line (characters) still read as a question heading.
MAX_HEADING = 100


def is_question_heading(text: str) -> bool:
    """A short Line that starts with a capital and ends with a question mark."""
    return (
        len(text) <= MAX_HEADING and text.endswith("?") and "\t" not in text and text[0].isupper()
    )


@dataclass(slots=True)
class _Open:
    heading: Line
    part: str
    body: list[Line] = field(default_factory=list)
    end: int = 0


def parse_handbook_questions(
    lines: list[Line], stop_part: int = 3
) -> tuple[list[QuestionRecord], list[Warning]]:
    """The questions of Phần I and Phần 2 of a handbook, in order, with warnings."""
    questions: list[QuestionRecord] = []
    warnings: list[Warning] = []
    part: str | None = None
    current: _Open | None = None
    stopped_at: int | None = None

    by_text: dict[str, QuestionRecord] = {}
    headings = 0

    def close(current: _Open | None) -> None:
        nonlocal headings
        if current is None:
            return
        if not current.body:
            warnings.append(
                Warning(
                    current.heading.span.start,
                    f"question {current.heading.text!r} has no answer; dropped",
                )
            )
            return
        answer = "\n\n".join(line.text for line in current.body)
        body = f"{current.heading.text}\n\n{answer}"
        headings += 1
        span = Span(current.heading.span.start, current.body[-1].span.end)
        first = by_text.get(fold(current.heading.text))
        if first is not None:
            # Phần 2 prints four questions of Phần I again: served once, cited at both
            first.repeats.append(span)
            first.repeat_keys.append(f"h{headings}")
            return
        question = QuestionRecord(
            number=None,
            text=current.heading.text,
            answer=answer,
            span=span,
            part=current.part,
            province_specific=False,
            pillars=classify(current.heading.text, fallbacks=[answer_heading_pillars(answer)]),
            document_numbers=unique(find_numbers(body)),
            key=f"h{headings}",
        )
        by_text[fold(current.heading.text)] = question
        questions.append(question)

    for index, line in enumerate(lines):
        heading = part_heading(line.text)
        if heading is not None:
            close(current)
            current = None
            if part_number(heading.split()[1]) >= stop_part:
                stopped_at = index
                break
            part = heading
            continue
        if part is None:
            continue  # the title page before Phần I
        if is_question_heading(line.text):
            if current is not None and not current.body and current.heading.text == line.text:
                continue  # the same heading twice in a row: one question
            close(current)
            current = _Open(line, part)
        elif current is not None:
            current.body.append(line)
    else:
        close(current)

    if stopped_at is not None:
        for line in lines[stopped_at:]:
            if is_question_heading(line.text):
                warnings.append(
                    Warning(
                        line.span.start,
                        f"question-like line {line.text!r} in the province part is not read "
                        "as a handbook question",
                    )
                )
    return questions, warnings
