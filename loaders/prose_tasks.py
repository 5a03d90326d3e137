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

import hashlib
import re
from dataclasses import dataclass

from dxtext.docnumber import find_numbers
from dxtext.text import fold, squash_spaces
from loaders.clean import Passage
from loaders.deadlines import find_deadline
from loaders.pillars import classify
from loaders.records import Line, QuestionRecord, Span, TargetRecord, TaskRecord, Warning
from loaders.targets import (
    NUMBER_WORDS,
    answer_region,
    quantities,
    split_top_level,
    stated_count,
)

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


# --- Lists of actions: bullets, or clauses after an introducing colon --------------------

#: A plan question: what a province does, how, which contents, tasks or solutions. Not a
#: goals question (targets.py reads those) and not "which …?" (fields, places: a list of
#: names, not of actions).
_PLAN_QUESTION = re.compile(r"\b(?:lam gi|noi dung|nhiem vu|giai phap|thuc hien|nhu the nao)\b")
_NOT_PLAN = re.compile(r"\bmuc tieu\b|(?<!the )\bnao\b")
#: A top-level bullet opening a paragraph; "+" bullets are sub-items of the one above.
_ITEM = re.compile(r"(?m)^[-•–]\s+")
#: The colon introducing a run of clauses: "… như sau:", "… các nội dung sau:", "… là:".
_INTRO = re.compile(r"(?:\bsau|\bgồm|\blà|\bđây)\s*:\s*", re.IGNORECASE)
#: "Theo Kế hoạch số 293/KH-UBND, ngày 07/12/2021 của UBND tỉnh (về …), ": the source of
#: a plan, standing before what it says.
_ACCORDING_TO = re.compile(
    r"\s*Theo\s+[^,]+,\s*ngày\s+\d{1,2}/\d{1,2}/\d{4}\s+của\s+[^,]+?(?:\s+về\s+[^,]+)?,\s*"
)
#: The subject of a plan's sentence and its modal: "Tỉnh Đoàn thanh niên cần …",
#: "lĩnh vực y tế của tỉnh sẽ …". A subject that names a body is the tasks' lead agency.
_SUBJECT = re.compile(r"(?P<subject>[^,;:.]{3,60}?)\s+(?:cần|sẽ)\s+(?=\w)")
_AGENCY = re.compile(
    r"^(?:Tỉnh\s+Đoàn(?:\s+thanh\s+niên)?|Sở\s+\S.*|Ủy\s+ban\s+nhân\s+dân\s+.+|UBND\s+.+"
    r"|Ban\s+\S.*|Công\s+an\s+tỉnh|Văn\s+phòng\s+.+)$"
)
#: Where a sentence may end inside a paragraph: ". Xây dựng", "…Triển khai" (the next
#: letter must be a capital: see ``_sentence_ends``).
_SENTENCE = re.compile(r"(?:\.\.\.|\.|…)\s*(?=\w)")
#: Verbs that open an action. Inside a sentence a ";" clause that opens with none of them
#: continues the item before it ("… cho lãnh đạo quản lý các cấp; công chức, viên chức;
#: …" lists whom one item trains). After a clause's inner colon ("… giao thông thông
#: minh: Cổng thông tin …; phần mềm …") only a verb of ``_LISTING_ENDS`` ends the list.
_VERBS = (
    "triển khai|xây dựng|thực hiện|bảo đảm|đảm bảo|nâng cấp|nâng cao|hoàn thiện|hoàn thành"
    "|tích hợp|phát triển|hỗ trợ|tạo|phát động|tổ chức|đẩy mạnh|cung cấp|số hóa|chuẩn hóa"
    "|đầu tư|giám sát|kết nối|lựa chọn|tập trung|phối hợp|thường xuyên|chia sẻ|thu hút"
    "|khai thác|tăng cường|mở rộng|thúc đẩy|rà soát|ban hành|cập nhật|duy trì|áp dụng"
    "|sử dụng|thí điểm|vận hành|đưa"
)
_LISTING_ENDS = re.compile(rf"(?:{_VERBS})\b", re.IGNORECASE)
_ACTION = re.compile(rf"(?:{_VERBS}|ứng\s+dụng)\b", re.IGNORECASE)


def _sentence_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets where a sentence ends in ``text[start:end]``: a full stop or an ellipsis
    followed by a capital letter."""
    return [m.end() for m in _SENTENCE.finditer(text, start, end) if text[m.end()].isupper()]


def _plan_question(question: QuestionRecord) -> bool:
    folded = fold(question.text)
    return bool(
        question.province_specific
        and _PLAN_QUESTION.search(folded)
        and not _NOT_PLAN.search(folded)
    )


def _bullet_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each top-level bullet of ``text[start:end]``, "+" sub-items
    inside it; each runs to the next bullet or to the end of the answer."""
    marks = [m.end() for m in _ITEM.finditer(text, start, end)]
    # a bullet right after "Trả lời:" on the same line opens the list too
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    if (first := _ITEM.match(text[start + lead : end])) and (not marks or marks[0] > start + lead):
        marks.insert(0, start + lead + first.end())
    if not marks:
        return []
    ends = [text.rfind("\n\n", 0, m) for m in marks[1:]] + [end]
    return list(zip(marks, ends, strict=True))


def _clause_items(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """``(start, end, opens_sentence)`` of each item of a run of sentences: a sentence's
    first clause, then each ``;`` clause that opens an action (see ``_ACTION``)."""
    items: list[tuple[int, int, bool]] = []
    sentences: list[tuple[int, int]] = []
    for paragraph in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text[start:end]):
        cursor = start + paragraph.start()
        stop = start + paragraph.end()
        for mark in _sentence_ends(text, cursor, stop):
            sentences.append((cursor, mark))
            cursor = mark
        sentences.append((cursor, stop))
    listing = False  # inside the sub-items after an inner colon
    for s_start, s_end in sentences:
        # a sentence goes on a list its predecessor opened with a colon at a line's end
        # ("… giao thông thông minh:" / "Cổng thông tin …; phần mềm …")
        listing = listing and bool(items) and text[:s_start].rstrip().endswith(":")
        first = not listing
        for c_start, c_end in split_top_level(text[s_start:s_end]):
            a, b = s_start + c_start, s_start + c_end
            clause = text[a:b].strip()
            if not clause.strip(" .…"):
                continue
            opens = (_LISTING_ENDS if listing else _ACTION).match(clause) is not None
            if first or not opens:
                if first:
                    items.append((a, b, True))
                else:
                    items[-1] = (items[-1][0], b, items[-1][2])
            else:
                items.append((a, b, False))
            if first or opens:
                listing = ":" in clause
            first = False
    return items


def _lead(text: str, start: int) -> tuple[int, str | None]:
    """Past a colon-less lead ("Theo Kế hoạch …, Tỉnh Đoàn thanh niên cần "): where the
    first item starts, and the agency its subject names, if it names one."""
    according = _ACCORDING_TO.match(text, start)
    cursor = according.end() if according else start
    subject = _SUBJECT.match(text, cursor)
    if subject is None:
        return cursor, None
    name = squash_spaces(subject.group("subject"))
    return subject.end(), name if _AGENCY.match(name) else None


def _title(text: str) -> str:
    return squash_spaces(text).strip(" ;,.…")


def _key(question: QuestionRecord, title: str, taken: set[str]) -> str:
    """A task's ID key from its question and its own words (not its position)."""
    digest = hashlib.sha256(fold(title).encode()).hexdigest()[:10]
    key = f"q{question.number or 0}-{digest}"
    while key in taken:
        key += "x"
    taken.add(key)
    return key


@dataclass(frozen=True, slots=True)
class _Item:
    """One listed action: where it stands in its answer's passage, and what names it."""

    question: QuestionRecord
    passage: Passage
    start: int
    end: int
    agency: str | None
    document: str | None


def _plan_items(
    questions: list[QuestionRecord], lines: list[Line], skip: set[Span] | None
) -> list[_Item]:
    items: list[_Item] = []
    for question in questions:
        if not _plan_question(question) or question.span in (skip or set()):
            continue
        passage, start, end = answer_region(question, lines)
        text = passage.text
        numbers = find_numbers(text[start:end]) or find_numbers(question.text)
        document = numbers[0] if numbers else None
        bullets = _bullet_items(text, start, end)
        if bullets:
            items += [_Item(question, passage, a, b, None, document) for a, b in bullets]
            continue
        intro = _INTRO.search(text, start, end)
        first, agency = (intro.end(), None) if intro else _lead(text, start)
        in_first = True
        for index, (a, b, opens_sentence) in enumerate(_clause_items(text, first, end)):
            # the subject of the first sentence leads the clauses of that sentence
            in_first = in_first and (index == 0 or not opens_sentence)
            items.append(_Item(question, passage, a, b, agency if in_first else None, document))
    return items


def extract_list_tasks(
    questions: list[QuestionRecord], lines: list[Line], skip: set[Span] | None = None
) -> tuple[list[TaskRecord], list[Warning]]:
    """Tasks listed under a plan question of a province: bullets (Khánh Hòa's "- …", with
    their "+" sub-items inside), or clauses after an introducing colon or a subject
    (Hà Giang's "… tập trung các nội dung sau: Triển khai …; xây dựng …").

    ``skip``: spans of questions whose tasks are read otherwise (a "(1) … (N)" list).
    Each task: ``group`` = its question as written (the heading it sits under),
    ``document_number`` = the first document the answer or the question names, the
    deadline from its own words (``deadlines.find_deadline``), the lead agency where a
    sentence's subject names one ("Tỉnh Đoàn thanh niên cần …"), a key from its
    question and words.
    """
    tasks: list[TaskRecord] = []
    taken: set[str] = set()
    for item in _plan_items(questions, lines, skip):
        title = _title(item.passage.text[item.start : item.end])
        if not title:
            continue
        deadline, kind, written = find_deadline(title)
        tasks.append(
            TaskRecord(
                title=title,
                span=item.passage.span(item.start, item.end),
                group=squash_spaces(item.question.text),
                lead_agencies=[item.agency] if item.agency else [],
                deadline=deadline,
                deadline_text=written,
                deadline_kind=kind,
                pillars=classify(title, heading=item.question.text),
                document_number=item.document,
                key=_key(item.question, title, taken),
            )
        )
    return tasks, []


def extract_plan_goals(
    questions: list[QuestionRecord], lines: list[Line], skip: set[Span] | None = None
) -> list[TargetRecord]:
    """The dated goals inside listed actions: each ``;`` clause of an item that says by
    when ("…; phấn đấu đến năm 2025, trên địa bàn tỉnh có ít nhất 10 doanh nghiệp công
    nghệ số được thành lập mới") is a Target for that year, with its figures."""
    goals: list[TargetRecord] = []
    taken: set[str] = set()
    for item in _plan_items(questions, lines, skip):
        text = item.passage.text
        for c_start, c_end in split_top_level(text[item.start : item.end]):
            a, b = item.start + c_start, item.start + c_end
            clause = _title(text[a:b])
            due, kind, _ = find_deadline(clause)
            if due is None or kind != "PERIOD":
                continue
            goals.append(
                TargetRecord(
                    text=clause,
                    year=due.year,
                    span=item.passage.span(a, b),
                    pillars=classify(clause, heading=item.question.text),
                    quantities=quantities(clause),
                    document_number=item.document,
                    key=_key(item.question, clause, taken),
                )
            )
    return goals
