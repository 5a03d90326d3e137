"""Targets (mục tiêu, chỉ tiêu) for a year, from the answers that state them.

A question qualifies when its text names goals (``mục tiêu``) and a year ("… đến năm
2025 đặt ra những mục tiêu gì?", "Đến năm 2030, mục tiêu cụ thể … là gì?"); the year is
the last ``năm YYYY`` of the question. Its answer gives:

* one target per bullet (``-``, ``+``, ``•``) — Hà Giang: "đặt ra 09 mục tiêu, gồm: - …";
* inside a pillar group ("- Về phát triển kinh tế số: A; B."), one target per ``;``
  clause, carrying the group's pillar. Pillars come from ``pillars.classify``: the
  group heading, else the target's own words, else its question's.

A count stated before the bullets ("09 mục tiêu") is checked against the targets found.
The document is the first document number of the answer's lead (the text before the
first bullet), else of the question; None when neither names one (Khánh Hòa's answers
name none). Each target's span is the raw lines of its own bullet or clause.

Quantities: every percentage (unit PERCENT, "1,5%" is 1.5) and every count of things
(unit COUNT: a whole number followed by a noun, "200 doanh nghiệp"); years, dates,
levels ("mức độ 4"), list numbers and codes ("5G") are not quantities. The comparator
comes from the words just before the figure: "tối thiểu"/"ít nhất"/"không dưới" →
AT_LEAST, "trên"/"hơn" → MORE_THAN, else EXACTLY. The qualifier is the short phrase the
figure qualifies as written: the words after it ("80% hộ gia đình"), or, when nothing
follows, the subject before it ("tỷ lệ dân số … đạt trên 50%").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from dxtext.docnumber import find_numbers
from dxtext.text import fold, squash_spaces
from loaders.clean import Passage
from loaders.pillars import answer_heading_pillars, classify, pillar_of_heading
from loaders.qa_booklet import ANSWER, QUESTION
from loaders.records import (
    Line,
    QuantityRecord,
    QuestionRecord,
    Span,
    TargetRecord,
    TaskRecord,
    Warning,
)

_YEAR = re.compile(r"\bnăm\s+((?:19|20)\d\d)\b", re.IGNORECASE)
#: A bullet: at a paragraph start, or after a sentence end inside one (re-wrapped text).
_BULLET = re.compile(r"(?:(?<=\n\n)|(?<=^)|(?<=[.:;…]\s))[-+•–]\s+")
_GROUP = re.compile(r"^(Về\s[^:;]{1,80}):\s*")
_STATED = re.compile(
    r"\b(\d{1,3}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+mục\s+tiêu", re.IGNORECASE
)
NUMBER_WORDS = {
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
}

#: A figure: "100%", "1,5 %", "200", "1.305". Not inside dates, codes or numbers.
_FIGURE = re.compile(
    r"(?<![\w/.,-])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?:\s*(%))?(?![\w/]|[.,-]\d|-\w)"
)
#: Words before a number that make it a label, not a quantity ("mức độ 4", "năm 2025").
_LABEL_BEFORE = re.compile(
    r"(?:mức\s+độ|cấp|năm|tháng|ngày|quý|lần\s+thứ|thứ|câu(?:\s+hỏi)?|số|phần|khóa|bước"
    r"|giai\s+đoạn|điều|khoản|mục|nhóm\s+thứ)\s*$",
    re.IGNORECASE,
)
_AT_LEAST = re.compile(r"(?:tối\s+thiểu|ít\s+nhất|không\s+dưới)\s*$", re.IGNORECASE)
_MORE_THAN = re.compile(r"(?:\btrên|\bhơn|nhiều\s+hơn|cao\s+hơn)\s*$", re.IGNORECASE)
#: Where the phrase a figure qualifies stops.
_QUALIFIER_STOP = re.compile(
    r"[;.:()]|,\s*(?=(?:tối\s+thiểu|ít\s+nhất|trên|hơn)?\s*\d)"
    r"|\s(?:được|đạt|hoàn\s+thành|có\s+mặt|trên\s+địa\s+bàn|nhằm|để)\b"
    r"|\s(?:vào|đến|trong)\s+năm\b|\sphục\s+vụ\b"
    r"|\svà\s+(?=(?:tối\s+thiểu|ít\s+nhất|trên|hơn)?\s*\d)",
    re.IGNORECASE,
)
_SUBJECT_VERBS = re.compile(
    r"(?:\s+(?:đạt|chiếm|là|phấn\s+đấu|tăng|giảm|ở\s+mức))+\s*$", re.IGNORECASE
)
#: A phrase longer than this is no qualifier but a clause the stops missed.
MAX_QUALIFIER_WORDS = 24
#: A place among the leaders: "nhóm 25 tỉnh, thành phố trực thuộc Trung ương đứng đầu
#: (dẫn đầu) về chuyển đổi số" — the qualifier is the whole phrase after the figure.
_RANK_BEFORE = re.compile(r"\bnhóm\s*$", re.IGNORECASE)
_RANK_AFTER = re.compile(
    r"\s+((?:tỉnh|địa\s+phương)[^.;:]*?(?:đứng|dẫn)\s+đầu(?:\s+về\s+chuyển\s+đổi\s+số)?)",
    re.IGNORECASE,
)
#: The low end of a range of percents, right before its high end: "15 - " of "15 - 20%".
_RANGE_LOW = re.compile(r"(?<![\w.,])(\d{1,3})\s*[-–]\s*$")
_SCORE_AFTER = re.compile(r"\s+điểm\b", re.IGNORECASE)
#: A goals answer's lead that states a rank goal: "Đến năm 2025, Khánh Hòa nằm trong nhóm
#: 25 tỉnh, … đứng đầu về chuyển đổi số:" — from after the year to the rank phrase's end.
_LEAD_GOAL = re.compile(
    r"(?:Đến\s+năm\s+\d{4}\s*,\s*)?(?P<goal>[^.:;]*?\bnhóm\s+\d+\s+(?:tỉnh|địa\s+phương)"
    r"[^.;:]*?(?:đứng|dẫn)\s+đầu(?:\s+về\s+chuyển\s+đổi\s+số)?)",
    re.IGNORECASE,
)


def answer_region(question: QuestionRecord, lines: Sequence[Line]) -> tuple[Passage, int, int]:
    """The Lines of ``question`` as a Passage, and where its answer starts and ends in it.

    The answer starts after "Trả lời:" (or after the first Line when there is none, as in
    a handbook) and ends before a following question heading, if a Line overlaps one.
    """
    span = question.span
    own = [line for line in lines if line.span.start <= span.end and line.span.end >= span.start]
    passage = Passage(own)
    text = passage.text
    answer = ANSWER.search(text)
    first_line = len(own[0].text) if own else 0
    start = answer.end() if answer is not None else first_line
    following = QUESTION.search(text, start)
    end = following.start() if following is not None else len(text)
    return passage, start, end


def split_top_level(text: str, separator: str = ";") -> list[tuple[int, int]]:
    """``(start, end)`` of the parts of ``text`` between separators outside brackets."""
    parts: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            parts.append((start, index))
            start = index + 1
    parts.append((start, len(text)))
    return parts


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` moved inwards past white space and final ``; . ,``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ";.,"):
        end -= 1
    return start, end


def _number(whole: str, fraction: str | None) -> float:
    digits = whole.replace(".", "")
    return float(f"{digits}.{fraction}") if fraction else float(digits)


def _words(text: str) -> list[str]:
    return text.split()


def _short(words: list[str]) -> str:
    return " ".join(words[:MAX_QUALIFIER_WORDS]).rstrip(",")


def _qualifier_after(text: str) -> str:
    stop = _QUALIFIER_STOP.search(text)
    phrase = text[: stop.start()] if stop is not None else text
    return _short(_words(phrase))


def _qualifier_before(text: str) -> str:
    """The subject of "… đạt trên 50%": the clause before the figure, without its verb."""
    clause = re.split(r"[;:()]", text)[-1]
    clause = _SUBJECT_VERBS.sub("", clause)
    clause = re.split(r"\s(?:để|nhằm)\s", clause)[0]
    return _short(_words(clause))


def quantities(text: str) -> list[QuantityRecord]:
    """The figures of a target statement (see the module docstring)."""
    found: list[QuantityRecord] = []
    for match in _FIGURE.finditer(text):
        whole, fraction, percent = match.groups()
        before = text[: match.start()]
        after = text[match.end() :]
        if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
            continue  # a list number "(1)"
        rank = _RANK_AFTER.match(after) if _RANK_BEFORE.search(before) else None
        if rank is not None:
            # "nằm trong nhóm 25 tỉnh, thành phố … đứng đầu": a place within the top 25
            found.append(
                QuantityRecord(
                    value=_number(whole, fraction),
                    unit="RANK",
                    comparator="AT_MOST",
                    qualifier=squash_spaces(rank.group(1)),
                )
            )
            continue
        if _SCORE_AFTER.match(after):
            found.append(
                QuantityRecord(value=_number(whole, fraction), unit="SCORE", comparator="EXACTLY")
            )
            continue
        low = _RANGE_LOW.search(before)
        if percent and low is not None:
            # "15 - 20% người dân": at least 15%, at most 20%
            qualifier = _qualifier_after(after) or None
            found.append(QuantityRecord(float(low.group(1)), "PERCENT", "AT_LEAST", qualifier))
            found.append(QuantityRecord(_number(whole, fraction), "PERCENT", "AT_MOST", qualifier))
            continue
        if percent:
            unit = "PERCENT"
        else:
            value = _number(whole, fraction)
            if _LABEL_BEFORE.search(before) or (1900 <= value <= 2100 and not fraction):
                continue
            if not (after[:1].isspace() and after.lstrip()[:1].islower()):
                continue  # a count is followed by the noun it counts
            unit = "COUNT"
        if _AT_LEAST.search(before):
            comparator = "AT_LEAST"
        elif _MORE_THAN.search(before):
            comparator = "MORE_THAN"
        else:
            comparator = "EXACTLY"
        qualifier = _qualifier_after(after) or _qualifier_before(
            re.sub(r"(?:tối\s+thiểu|ít\s+nhất|không\s+dưới|trên|hơn)\s*$", "", before.rstrip())
        )
        found.append(
            QuantityRecord(
                value=_number(whole, fraction),
                unit=unit,
                comparator=comparator,
                qualifier=qualifier or None,
            )
        )
    return found


def question_year(question: QuestionRecord) -> int | None:
    """The year a goals question is about, or None when it is not about goals for a year."""
    if "muc tieu" not in fold(question.text):
        return None
    years = _YEAR.findall(question.text)
    return int(years[-1]) if years else None


def stated_count(text: str, noun: re.Pattern[str] = _STATED) -> int | None:
    """A count stated in ``text`` before a noun ("09 mục tiêu", "tám nhiệm vụ")."""
    match = noun.search(text)
    if match is None:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _target(
    passage: Passage,
    start: int,
    end: int,
    year: int,
    document: str | None,
    heading: str | None,
    question: str,
) -> TargetRecord | None:
    start, end = _trimmed(passage.text, start, end)
    if end <= start:
        return None
    text = squash_spaces(passage.text[start:end])
    span: Span = passage.span(start, end)
    return TargetRecord(
        text=text,
        year=year,
        span=span,
        # a goal's own words, else its question's ("… mục tiêu về kinh tế số?")
        pillars=classify(text, heading=heading, fallbacks=[question]),
        quantities=quantities(text),
        document_number=document,
    )


def extract_targets(
    questions: list[QuestionRecord], lines: list[Line]
) -> tuple[list[TargetRecord], list[Warning]]:
    """The targets stated in the answers of ``questions`` (Lines from ``clean``)."""
    targets: list[TargetRecord] = []
    leads: list[TargetRecord] = []
    warnings: list[Warning] = []
    for question in questions:
        year = question_year(question)
        if year is None:
            continue
        passage, start, end = answer_region(question, lines)
        text = passage.text
        bullets = [m for m in _BULLET.finditer(text, start, end)]
        if not bullets:
            continue  # general goals in prose ("Mục tiêu tổng quát"): no target list
        lead = text[start : bullets[0].start()]
        numbers = find_numbers(lead) or find_numbers(question.text)
        document = numbers[0] if numbers else None
        found: list[TargetRecord] = []
        bounds = [m.end() for m in bullets]
        ends = [m.start() for m in bullets[1:]] + [end]
        for body_start, body_end in zip(bounds, ends, strict=True):
            body = text[body_start:body_end]
            group = _GROUP.match(body)
            pillar = pillar_of_heading(group.group(1)) if group else None
            if group is None or pillar is None:
                target = _target(passage, body_start, body_end, year, document, None, question.text)
                found.extend([target] if target else [])
                continue
            rest = body_start + group.end()
            for part_start, part_end in split_top_level(text[rest:body_end]):
                target = _target(
                    passage,
                    rest + part_start,
                    rest + part_end,
                    year,
                    document,
                    group.group(1),
                    question.text,
                )
                found.extend([target] if target else [])
        stated = stated_count(lead)
        lead_goal = _LEAD_GOAL.search(text, start, bullets[0].start())
        if lead_goal is not None:
            leads.append(_lead_target(passage, lead_goal, year, document, question, text))
        if stated is not None and stated != len(found):
            warnings.append(
                Warning(
                    question.span.start,
                    f"answer states {stated} targets for {year} but {len(found)} were found",
                )
            )
        targets.extend(found)
    # after the listed ones: those take their IDs from their place in each year's list
    return targets + leads, warnings


def _lead_target(
    passage: Passage,
    match: re.Match[str],
    year: int,
    document: str | None,
    question: QuestionRecord,
    text: str,
) -> TargetRecord:
    """The rank goal an answer's lead states; its pillars, where its words name none,
    are those of the groups it heads ("- Về phát triển chính quyền số: …")."""
    goal = squash_spaces(match.group("goal"))
    answer = text[match.end() :]
    return TargetRecord(
        text=goal,
        year=year,
        span=passage.span(match.start("goal"), match.end("goal")),
        pillars=classify(goal, fallbacks=[question.text, answer_heading_pillars(answer)]),
        quantities=quantities(goal),
        document_number=document,
        key=f"q{question.number or 0}-{_digest(goal)}",
    )


def _digest(text: str) -> str:
    return hashlib.sha256(fold(text).encode()).hexdigest()[:10]


#: A goal stated in a task's own words: "Mục tiêu đến hết năm 2022 đạt tỷ lệ 100% …",
#: "Phấn đấu mục tiêu năm 2022 có 15 - 20% người dân …" — to the end of its sentence.
_TASK_GOAL = re.compile(
    r"(?:(?:Phấn|Phần)\s+đấu\s+)?mục\s+tiêu\s+(?:đến\s+)?(?:hết\s+)?năm\s+(?P<year>\d{4})"
    r"[^.;]*",
    re.IGNORECASE,
)


def extract_task_goals(tasks: Sequence[TaskRecord]) -> list[TargetRecord]:
    """The goals a task table's rows state ("… Mục tiêu đến hết năm 2022 đạt tỷ lệ 100%
    doanh nghiệp trên địa bàn tỉnh sử dụng hóa đơn điện tử"), cited by their row; their
    pillars are the row's group's, else their own words'."""
    goals: list[TargetRecord] = []
    for task in tasks:
        for match in _TASK_GOAL.finditer(task.title):
            text = squash_spaces(match.group(0)).rstrip(" ,")
            goals.append(
                TargetRecord(
                    text=text,
                    year=int(match.group("year")),
                    span=task.span,
                    pillars=classify(text, heading=task.group, fallbacks=[task.pillars]),
                    quantities=quantities(text),
                    key=f"t{task.ordinal or 0}-{_digest(text)}",
                )
            )
    return goals
