"""The parse pipeline: read → clean → segment by kind → extract → link, all pure.

Which extractors run is decided by the source's kind alone, so a new text of a known kind
needs only a manifest entry. Every kind yields the documents it names.
"""

from __future__ import annotations

from loaders.clean import clean, raw_lines
from loaders.documents import extract_documents
from loaders.figures import answer_figures
from loaders.handbook import parse_handbook_questions
from loaders.manifest import SourceEntry
from loaders.passages import segment
from loaders.pillars import classify
from loaders.prose_tasks import extract_list_tasks, extract_plan_goals, extract_prose_tasks
from loaders.qa_booklet import parse_booklet
from loaders.rankings import extract_rankings
from loaders.records import ParsedSource, ParseError, QuestionRecord, TaskRecord
from loaders.targets import extract_targets, extract_task_goals
from loaders.task_table import parse_task_table


def line_count(text: str) -> int:
    """Lines of ``text`` as loaded: a final newline ends the last line, it opens none."""
    lines = raw_lines(text)
    return len(lines) - 1 if len(lines) > 1 and lines[-1] == "" else len(lines)


def _holds_any(question: QuestionRecord, tasks: list[TaskRecord]) -> bool:
    span = question.span
    return any(span.start <= t.span.start and t.span.end <= span.end for t in tasks)


def _pillars_of_stated_goals(result: ParsedSource) -> None:
    """A question whose words and headings name no pillar is about the pillars of the
    goals its answer states (pillars.classify's last fallback)."""
    for question in result.questions:
        if question.pillars:
            continue
        inside = [
            t
            for t in result.targets
            if question.span.start <= t.span.start and t.span.end <= question.span.end
        ]
        question.pillars = classify("", fallbacks=[[c for t in inside for c in t.pillars]])


def parse_source(entry: SourceEntry, text: str) -> ParsedSource:
    """Every record of one source text, with the warnings of each step."""
    lines = clean(text)
    result = ParsedSource(line_count=line_count(text))
    warnings = result.warnings

    if entry.kind == "QA_BOOKLET":
        result.questions, found = parse_booklet(lines)
        warnings += found
        if not result.questions:
            raise ParseError(
                str(entry.path),
                None,
                "a QA_BOOKLET with no question: no 'Câu N:', 'Câu hỏi N.', 'Hỏi:' heading "
                "followed by 'Trả lời:' or 'Đáp:' was found",
            )
    elif entry.kind == "HANDBOOK":
        result.questions, found = parse_handbook_questions(lines)
        warnings += found
        tasks, found = parse_task_table(text)
        result.tasks += tasks
        warnings += found

    if entry.kind in ("QA_BOOKLET", "HANDBOOK"):
        result.targets, found = extract_targets(result.questions, lines)
        warnings += found
        result.targets += extract_task_goals(result.tasks)  # a task table's rows'
        _pillars_of_stated_goals(result)
        tasks, found = extract_prose_tasks(result.questions, lines)
        result.tasks += tasks
        warnings += found
        numbered = {q.span for q in result.questions if _holds_any(q, tasks)}
        tasks, found = extract_list_tasks(result.questions, lines, skip=numbered)
        result.tasks += tasks  # after the others: their IDs are their positions
        warnings += found
        result.targets += extract_plan_goals(result.questions, lines, skip=numbered)

    if entry.province is not None:  # DTI and other index ranks, in any kind of text
        result.rankings, found = extract_rankings(text, entry.province)
        warnings += found

    result.documents, found = extract_documents(lines, entry.province)
    warnings += found

    # what no question, target or task holds is a passage; answers state figures too
    result.passages, result.figures = segment(entry.kind, text, result, year=entry.year)
    result.figures += answer_figures(
        lines,
        [q.span for q in result.questions],
        year=entry.year,
        held=[t.text for t in result.targets],
    )
    return result
