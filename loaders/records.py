"""Plain records that the parsers produce and the ingest step writes.

Every record carries a ``Span``: the 1-based, inclusive line numbers of the source text
it was read from. Enum-like fields hold the GraphQL enum value names as strings
("DIGITAL_ECONOMY", "PERCENT", "AT_LEAST", "DATE", "RESOLUTION", "NATIONAL").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Span:
    """Lines ``start``..``end`` (1-based, inclusive) of the source text as loaded."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"bad line span {self.start}..{self.end}")

    def union(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True, slots=True)
class Line:
    """One logical line after cleaning: broken lines joined, with the raw lines it spans.

    An empty ``text`` marks a paragraph break.
    """

    text: str
    span: Span


@dataclass(slots=True)
class Warning:
    """Something a parser noticed but could cope with (a count that does not match…)."""

    line: int
    message: str


@dataclass(slots=True)
class QuestionRecord:
    """One question (câu hỏi) with its answer (trả lời)."""

    number: int | None
    text: str
    answer: str
    span: Span
    part: str | None = None
    #: True when the question sits in the source's province part.
    province_specific: bool = False
    pillars: list[str] = field(default_factory=list)
    document_numbers: list[str] = field(default_factory=list)
    #: the other places the source prints the same question (a handbook's repeats)
    repeats: list[Span] = field(default_factory=list)
    #: the keys those repeats were once served under ("h46"), still resolving to this one
    repeat_keys: list[str] = field(default_factory=list)
    #: what its ID is made of where its number is not (an unnumbered handbook question:
    #: "h7", its place among the source's question headings, repeats included)
    key: str | None = None


@dataclass(slots=True)
class QuantityRecord:
    """One figure inside a target: value, unit, comparator and what it qualifies."""

    value: float
    unit: str
    comparator: str
    qualifier: str | None = None


@dataclass(slots=True)
class TargetRecord:
    """A goal (mục tiêu, chỉ tiêu) for a year."""

    text: str
    year: int
    span: Span
    pillars: list[str] = field(default_factory=list)
    quantities: list[QuantityRecord] = field(default_factory=list)
    document_number: str | None = None
    #: what its ID is made of where its place in a list is not (as ``TaskRecord.key``)
    key: str | None = None


@dataclass(slots=True)
class TaskRecord:
    """A task (nhiệm vụ) from a task table or a numbered list in prose."""

    title: str
    span: Span
    group: str | None = None
    ordinal: int | None = None
    lead_agencies: list[str] = field(default_factory=list)
    deadline: date | None = None
    deadline_text: str | None = None
    deadline_kind: str = "NONE"
    pillars: list[str] = field(default_factory=list)
    document_number: str | None = None
    #: what its ID is made of, where its position in the source is not (lists read from
    #: answers: its question and its words); None: its position among the source's tasks
    key: str | None = None


@dataclass(slots=True)
class DocumentMention:
    """One passage naming a legal or policy document (văn bản)."""

    number: str
    kind: str
    span: Span
    kind_label: str | None = None
    title: str | None = None
    issued_on: date | None = None
    issuer: str | None = None
    level: str = "PROVINCIAL"
    #: numbers of the documents this one carries out ("triển khai thực hiện Nghị quyết …")
    implements: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RankingRecord:
    """A province's place on an index (DTI unless ``index`` says otherwise); ``pillar`` is
    None for the overall rank. ``change`` is the places gained since the year before, as
    the source prints it (negative: places lost)."""

    province: str
    rank: int
    out_of: int
    span: Span
    year: int | None = None
    pillar: str | None = None
    score: float | None = None
    index: str = "DTI"
    change: int | None = None


@dataclass(slots=True)
class FigureRecord:
    """A measured fact (số liệu): what stood at a date, as the text states it.

    ``unit`` is PERCENT, COUNT, SCORE, RANK or OTHER; ``unit_text`` the unit word as
    written ("trạm", "tài khoản"); ``as_of`` the day described (a month or a year: its
    last day), with ``as_of_text`` the words that say so ("Tính đến ngày 30/5/2022").
    """

    label: str
    value: float
    unit: str
    span: Span
    unit_text: str | None = None
    as_of: date | None = None
    as_of_text: str | None = None
    pillars: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PassageRecord:
    """A passage of a source that no question, target or task holds (see loaders.passages).

    ``text`` is cleaned like an answer, paragraphs separated by a blank line; ``figures``
    are the figures stated in it.
    """

    heading: str | None
    text: str
    span: Span
    pillars: list[str] = field(default_factory=list)
    document_numbers: list[str] = field(default_factory=list)
    figures: list[FigureRecord] = field(default_factory=list)


@dataclass(slots=True)
class ParsedSource:
    """Everything read from one source text."""

    line_count: int
    questions: list[QuestionRecord] = field(default_factory=list)
    targets: list[TargetRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    documents: list[DocumentMention] = field(default_factory=list)
    rankings: list[RankingRecord] = field(default_factory=list)
    passages: list[PassageRecord] = field(default_factory=list)
    #: every figure: those of the passages and those stated in answers
    figures: list[FigureRecord] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


class ParseError(Exception):
    """A source that cannot be read or parsed; names the file and line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.message = message


class LoadError(Exception):
    """A load that did not happen; the database is as it was."""
