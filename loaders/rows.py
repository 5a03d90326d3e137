"""Row building: parsed records → the rows of every content table, one function per domain.

Pure: no database. IDs come from ``loaders.ids``; every row's keys are columns of its
table's model (tests/loaders/test_rows.py checks it), so the write step can insert them as
they are.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dxtext.text import fold
from loaders import ids
from loaders.documents import merge_mentions
from loaders.manifest import SourceEntry
from loaders.passages import content_lines
from loaders.records import DocumentMention, LoadError, ParsedSource, Span, Warning
from loaders.search_index import search_entries, search_terms

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class SourceReport:
    slug: str
    questions: int = 0
    targets: int = 0
    tasks: int = 0
    documents: int = 0
    rankings: int = 0
    passages: int = 0
    figures: int = 0
    #: share of the content lines that some record cites (see ``coverage``)
    coverage: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    entry: SourceEntry
    text: str
    lines: list[str]
    sha256: str
    result: ParsedSource


def _excerpt(lines: list[str], span: Span, file: str) -> str:
    if span.end > len(lines):
        raise LoadError(f"{file}:{span.start}: citation runs past the last line ({len(lines)})")
    return "\n".join(lines[span.start - 1 : span.end]).strip()


def _cite(p: Parsed, span: Span) -> dict[str, Any]:
    return {
        "source_id": p.entry.slug,
        "line_start": span.start,
        "line_end": span.end,
        "excerpt": _excerpt(p.lines, span, str(p.entry.path)),
    }


def build_rows(parsed: list[Parsed]) -> tuple[Rows, list[SourceReport]]:
    """Every content row, keyed by table name, with deterministic IDs."""
    rows: Rows = defaultdict(list)
    reports = {p.entry.slug: SourceReport(p.entry.slug) for p in parsed}
    # documents first: mentions from every source merge into one document each
    documents, merge_warnings = _document_rows(rows, parsed, reports)
    agencies: dict[str, dict[str, Any]] = {}
    for position, p in enumerate(parsed, start=1):
        report = reports[p.entry.slug]
        report.warnings.extend(f"line {w.line}: {w.message}" for w in p.result.warnings)
        document_of = functools.partial(documents.find, province=p.entry.province)
        _source_row(rows, p, position)
        _question_rows(rows, p, report, document_of)
        _target_rows(rows, p, report, document_of)
        _task_rows(rows, p, report, document_of, agencies)
        _ranking_rows(rows, p, report)
        _passage_rows(rows, p, report, document_of)
    rows["agencies"] = list(agencies.values())
    rows["search_entries"] = search_entries(rows)
    rows["search_terms"] = search_terms(rows["search_entries"])
    report_list = list(reports.values())
    cited = cited_lines(rows)
    for p, report in zip(parsed, report_list, strict=True):
        report.coverage = coverage(p, cited.get(p.entry.slug, set()))
    if merge_warnings:
        report_list[0].warnings.extend(f"documents: {w.message}" for w in merge_warnings)
    return dict(rows), report_list


@dataclass
class DocumentIndex:
    """Merged documents by (province, folded number), and the national ones by number."""

    by_province: dict[tuple[str | None, str], str] = field(default_factory=dict)
    national: dict[str, str] = field(default_factory=dict)

    def find(self, number: str | None, province: str | None) -> str | None:
        """The document a number names from a source of ``province`` (or a national one)."""
        if not number:
            return None
        key = fold(number)
        return self.by_province.get((province, key)) or self.national.get(key)


def _document_rows(
    rows: Rows, parsed: list[Parsed], reports: dict[str, SourceReport]
) -> tuple[DocumentIndex, list[Warning]]:
    """Documents, every passage citing each, and which document implements which."""
    mention_source: list[Parsed] = []
    tagged: list[tuple[str | None, DocumentMention]] = []
    for p in parsed:
        for mention in p.result.documents:
            mention_source.append(p)
            tagged.append((p.entry.province, mention))
    merged, merge_warnings = merge_mentions(tagged)
    index = DocumentIndex()
    for doc in merged:
        doc_id = ids.document_id(doc.key)
        key = fold(doc.number)
        if doc.province is None:
            index.national[key] = doc_id
        index.by_province[(doc.province, key)] = doc_id
        rows["documents"].append(
            {
                "id": doc_id,
                "number": doc.number,
                "number_key": key,
                "kind": doc.kind,
                "kind_label": doc.kind_label,
                "title": doc.title,
                "issued_on": doc.issued_on,
                "issuer": doc.issuer,
                "level": doc.level,
                "province_id": doc.province,
            }
        )
        cited: set[tuple[str, int, int]] = set()
        for position, mention in zip(doc.indexes, doc.mentions, strict=True):
            p = mention_source[position]
            spot = (p.entry.slug, mention.span.start, mention.span.end)
            if spot in cited:
                continue
            cited.add(spot)
            rows["document_citations"].append(
                {
                    "id": ids.document_citation_id(
                        doc_id, p.entry.slug, mention.span.start, mention.span.end
                    ),
                    "document_id": doc_id,
                    "position": len(cited),
                    **_cite(p, mention.span),
                }
            )
            reports[p.entry.slug].documents += 1
    for doc in merged:
        source_id = ids.document_id(doc.key)
        for number in doc.implements:
            target_id = index.find(number, doc.province)
            if target_id and target_id != source_id:
                rows["document_links"].append(
                    {"document_id": source_id, "implemented_id": target_id}
                )
    return index, merge_warnings


DocumentOf = Callable[[str | None], str | None]


def _source_row(rows: Rows, p: Parsed, position: int) -> None:
    entry = p.entry
    rows["sources"].append(
        {
            "id": entry.slug,
            "title": entry.title,
            "kind": entry.kind,
            "publisher": entry.publisher,
            "year": entry.year,
            "province_id": entry.province,
            "line_count": len(p.lines),
            "sha256": p.sha256,
            "position": position,
        }
    )


def _question_rows(rows: Rows, p: Parsed, report: SourceReport, document_of: DocumentOf) -> None:
    entry = p.entry
    unnumbered = 0
    for q_pos, q in enumerate(p.result.questions, start=1):
        if q.key is None and q.number is None:
            unnumbered += 1
        q_id = ids.question_id(entry.slug, q.number, unnumbered, q.key)
        rows["question_aliases"].extend(
            {"id": ids.question_id(entry.slug, None, 0, key), "question_id": q_id}
            for key in q.repeat_keys
        )
        rows["question_citations"].extend(
            {"question_id": q_id, "position": i, **_cite(p, span)}
            for i, span in enumerate([q.span, *q.repeats], start=1)
        )
        rows["questions"].append(
            {
                "id": q_id,
                "number": q.number,
                "text": q.text,
                "answer": q.answer,
                "part": q.part,
                "province_id": entry.province if q.province_specific else None,
                "position": q_pos,
                **_cite(p, q.span),
            }
        )
        _pillars(rows, q_id, q.pillars)
        linked: list[str] = []
        for number in q.document_numbers:
            d_id = document_of(number)
            if d_id and d_id not in linked:
                linked.append(d_id)
        rows["question_documents"].extend(
            {"question_id": q_id, "document_id": d_id, "position": i}
            for i, d_id in enumerate(linked, start=1)
        )
        report.questions += 1


def _target_rows(rows: Rows, p: Parsed, report: SourceReport, document_of: DocumentOf) -> None:
    entry = p.entry
    per_year: dict[int, int] = defaultdict(int)
    for t_pos, t in enumerate(p.result.targets, start=1):
        if t.key is None:
            per_year[t.year] += 1
        t_id = ids.target_id(entry.slug, t.year, per_year[t.year], t.key)
        rows["targets"].append(
            {
                "id": t_id,
                "text": t.text,
                "year": t.year,
                "province_id": entry.province,
                "document_id": document_of(t.document_number),
                "position": t_pos,
                **_cite(p, t.span),
            }
        )
        rows["quantities"].extend(
            {
                "target_id": t_id,
                "position": i,
                "value": qty.value,
                "unit": qty.unit,
                "comparator": qty.comparator,
                "qualifier": qty.qualifier,
            }
            for i, qty in enumerate(t.quantities, start=1)
        )
        _pillars(rows, t_id, t.pillars)
        report.targets += 1


def _task_rows(
    rows: Rows,
    p: Parsed,
    report: SourceReport,
    document_of: DocumentOf,
    agencies: dict[str, dict[str, Any]],
) -> None:
    """Tasks and their lead agencies (``agencies`` collects each agency once)."""
    entry = p.entry
    for k_pos, task in enumerate(p.result.tasks, start=1):
        k_id = ids.task_id(entry.slug, k_pos, task.key)
        rows["tasks"].append(
            {
                "id": k_id,
                "title": task.title,
                "group": task.group,
                "ordinal": task.ordinal,
                "deadline": task.deadline,
                "deadline_text": task.deadline_text,
                "deadline_kind": task.deadline_kind,
                "province_id": entry.province,
                "document_id": document_of(task.document_number),
                "position": k_pos,
                **_cite(p, task.span),
            }
        )
        for a_pos, name in enumerate(dict.fromkeys(task.lead_agencies), start=1):
            a_id = ids.agency_id(entry.province, name)
            agencies.setdefault(
                a_id,
                {
                    "id": a_id,
                    "name": name,
                    "name_folded": fold(name),
                    "province_id": entry.province,
                },
            )
            rows["task_agencies"].append({"task_id": k_id, "agency_id": a_id, "position": a_pos})
        _pillars(rows, k_id, task.pillars)
        report.tasks += 1


def _ranking_rows(rows: Rows, p: Parsed, report: SourceReport) -> None:
    for r_pos, r in enumerate(p.result.rankings, start=1):
        r_id = ids.ranking_id(p.entry.slug, r.province, r.year, r.pillar, r.index)
        rows["rankings"].append(
            {
                "id": r_id,
                "index_name": r.index,
                "change": r.change,
                "province_id": r.province,
                "year": r.year,
                "pillar_code": r.pillar,
                "rank": r.rank,
                "out_of": r.out_of,
                "score": r.score,
                "position": r_pos,
                **_cite(p, r.span),
            }
        )
        report.rankings += 1


def _pillars(rows: Rows, record_id: str, codes: list[str]) -> None:
    rows["record_pillars"].extend(
        {"record_id": record_id, "pillar_code": code} for code in dict.fromkeys(codes)
    )


def _passage_rows(rows: Rows, p: Parsed, report: SourceReport, document_of: DocumentOf) -> None:
    """Passages, the documents they name, and the figures (of passages and of answers)."""
    slug, province = p.entry.slug, p.entry.province
    taken: set[str] = set()
    passage_of: dict[int, str] = {}
    for position, passage in enumerate(sorted(p.result.passages, key=lambda x: x.span.start), 1):
        passage_id = ids.unique(ids.passage_id(slug, passage.heading, passage.text), taken)
        rows["passages"].append(
            {
                "id": passage_id,
                "heading": passage.heading,
                "text": passage.text,
                "province_id": province,
                "position": position,
                **_cite(p, passage.span),
            }
        )
        _pillars(rows, passage_id, passage.pillars)
        linked = list(dict.fromkeys(filter(None, map(document_of, passage.document_numbers))))
        rows["passage_documents"].extend(
            {"passage_id": passage_id, "document_id": d_id, "position": i}
            for i, d_id in enumerate(linked, start=1)
        )
        passage_of.update({id(figure): passage_id for figure in passage.figures})
        report.passages += 1
    figures = sorted(p.result.figures, key=lambda f: (f.span.start, f.span.end))
    for position, figure in enumerate(figures, start=1):
        figure_id = ids.unique(
            ids.figure_id(slug, figure.label, figure.value, figure.unit, figure.as_of_text), taken
        )
        rows["figures"].append(
            {
                "id": figure_id,
                "label": figure.label,
                "value": figure.value,
                "unit": figure.unit,
                "unit_text": figure.unit_text,
                "as_of": figure.as_of,
                "as_of_text": figure.as_of_text,
                "province_id": province,
                "passage_id": passage_of.get(id(figure)),
                "position": position,
                **_cite(p, figure.span),
            }
        )
        _pillars(rows, figure_id, figure.pillars)
        report.figures += 1


def cited_lines(rows: Rows) -> dict[str, set[int]]:
    """Per source, the lines some row cites: a question, target, task, document citation,
    ranking, passage or figure (one pass over the rows, however many sources)."""
    cited: dict[str, set[int]] = defaultdict(set)
    for table in rows.values():
        for row in table:
            if "line_start" in row and "source_id" in row:
                cited[row["source_id"]].update(range(row["line_start"], row["line_end"] + 1))
    return cited


def coverage(p: Parsed, cited: set[int]) -> float:
    """The share of a source's content lines (``loaders.passages.content_lines``) that
    ``cited`` (the lines its rows cite, ``cited_lines``) holds."""
    content = content_lines(p.entry.kind, p.lines)
    return len(content & cited) / len(content) if content else 1.0
