"""SQLAlchemy 2 typed models for every entity of the public contract.

Primary keys are deterministic strings built from natural keys (source slug + question
number, province slug + folded document number, …), so reloading the same sources, or
loading them into the other database, yields identical IDs. Relationships use
``lazy="raise"``: in async code a missed eager load is an error, not a silent query.

Citations are stored inline on each record (``source_id``, ``line_start``, ``line_end``,
``excerpt``); a document, named in many passages, has its own ``document_citations``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(200)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Province(Base):
    """A province (tỉnh) as it was before 1 July 2025, keyed by its slug; ``code`` is the
    pre-2025 GSO code; ``merged_into_id`` the province it has been part of since."""

    __tablename__ = "provinces"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("current_provinces.id"), index=True
    )


class CurrentProvince(Base):
    """One of the 34 provinces in force since 1 July 2025 (Nghị quyết 202/2025/QH15)."""

    __tablename__ = "current_provinces"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Pillar(Base):
    """One of the three pillars (trụ cột): Chính quyền số, Kinh tế số, Xã hội số."""

    __tablename__ = "pillars"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)


class Source(Base):
    """One loaded source text; ``id`` is its manifest slug."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    publisher: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    line_count: Mapped[int] = mapped_column(Integer)
    #: sha256 of the text as loaded: tells a reload whether anything changed
    sha256: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)

    province: Mapped[Province | None] = relationship(lazy="raise")


class CitedMixin:
    """The citation of a record: source, 1-based inclusive line span, and the lines' text."""

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    line_start: Mapped[int] = mapped_column(Integer)
    line_end: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(Text)


class Document(Base):
    """A legal or policy document (văn bản): Nghị quyết, Kế hoạch, Quyết định…"""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(100))
    #: folded number for lookups ("749/qd-ttg")
    number_key: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    kind_label: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[date | None] = mapped_column(Date, index=True)
    issuer: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16), index=True)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)


class DocumentLink(Base):
    """``document_id`` carries out (implements) ``implemented_id``."""

    __tablename__ = "document_links"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    implemented_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DocumentCitation(CitedMixin, Base):
    """One passage of one source that names a document."""

    __tablename__ = "document_citations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Target(CitedMixin, Base):
    """A goal (mục tiêu, chỉ tiêu) for a year."""

    __tablename__ = "targets"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer, index=True)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    quantities: Mapped[list[Quantity]] = relationship(
        lazy="raise", order_by="Quantity.position", cascade="all, delete-orphan"
    )


class Quantity(Base):
    """One figure inside a target."""

    __tablename__ = "quantities"

    target_id: Mapped[str] = mapped_column(
        ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    comparator: Mapped[str] = mapped_column(String(16))
    qualifier: Mapped[str | None] = mapped_column(Text)


class Agency(Base):
    """A body that leads tasks (cơ quan chủ trì)."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_folded: Mapped[str] = mapped_column(Text)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)


class Task(CitedMixin, Base):
    """A task (nhiệm vụ) assigned in a plan or list."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    group: Mapped[str | None] = mapped_column(Text)
    ordinal: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    deadline_text: Mapped[str | None] = mapped_column(Text)
    deadline_kind: Mapped[str] = mapped_column(String(16), index=True)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)


class TaskAgency(Base):
    """A lead agency (chủ trì) of a task, in the order the source lists them."""

    __tablename__ = "task_agencies"

    task_id: Mapped[str] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Question(CitedMixin, Base):
    """One question (câu hỏi) and its answer (trả lời)."""

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    part: Mapped[str | None] = mapped_column(String(64))
    #: the province the question is about; None for general questions
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)


class QuestionDocument(Base):
    """A document that a question or its answer names."""

    __tablename__ = "question_documents"

    question_id: Mapped[str] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class QuestionCitation(CitedMixin, Base):
    """Every place a source prints a question and its answer; position 1 is its citation."""

    __tablename__ = "question_citations"

    question_id: Mapped[str] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)


class QuestionAlias(Base):
    """An ID a question was once served under: a repeat printed twice in one source that is
    served once now (the handbook's "…/q/h46"); ``node(id:)`` of it finds the question."""

    __tablename__ = "question_aliases"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    question_id: Mapped[str] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )


class RecordPillar(Base):
    """The pillars of a question, target or task: ``record_id`` is that record's ID."""

    __tablename__ = "record_pillars"

    record_id: Mapped[str] = mapped_column(ID, primary_key=True)
    pillar_code: Mapped[str] = mapped_column(ForeignKey("pillars.code"), primary_key=True)

    __table_args__ = (Index("ix_record_pillars_pillar_code", "pillar_code", "record_id"),)


class Ranking(CitedMixin, Base):
    """A place on an index (DTI unless ``index_name`` says otherwise); overall when
    ``pillar_code`` is None; ``change`` is the places gained since the year before."""

    __tablename__ = "rankings"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    index_name: Mapped[str] = mapped_column(String(64), index=True)
    change: Mapped[int | None] = mapped_column(Integer)
    province_id: Mapped[str] = mapped_column(ForeignKey("provinces.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    pillar_code: Mapped[str | None] = mapped_column(ForeignKey("pillars.code"))
    rank: Mapped[int] = mapped_column(Integer)
    out_of: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer)


class Passage(CitedMixin, Base):
    """A passage no question, target or task holds: a section, a slide, a foreword."""

    __tablename__ = "passages"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    heading: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    #: 1, 2, … in reading order within its source
    position: Mapped[int] = mapped_column(Integer)


class PassageDocument(Base):
    """A document that a passage names."""

    __tablename__ = "passage_documents"

    passage_id: Mapped[str] = mapped_column(
        ForeignKey("passages.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Figure(CitedMixin, Base):
    """A measured fact (số liệu): label, value, unit, the date it describes."""

    __tablename__ = "figures"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    unit_text: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[date | None] = mapped_column(Date, index=True)
    as_of_text: Mapped[str | None] = mapped_column(Text)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    #: the passage stating it; None for a figure stated in an answer
    passage_id: Mapped[str | None] = mapped_column(
        ForeignKey("passages.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, … in reading order within its source
    position: Mapped[int] = mapped_column(Integer)


class SearchEntry(Base):
    """One searchable record (question, task, target, document, passage or figure), folded.

    The full-text index over ``title_folded`` and ``body_folded`` is backend-specific and
    made by migration 0003: an FTS5 table ``search_fts`` on SQLite, a weighted ``tsv``
    column with a GIN index on PostgreSQL.
    """

    __tablename__ = "search_entries"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    #: original text, for snippets
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    title_folded: Mapped[str] = mapped_column(Text)
    body_folded: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class SearchTerm(Base):
    """One word of the search index's vocabulary (folded), for prefixes, typos and
    suggestions: how it is most often spelled, every spelling, and how many entries hold it.
    """

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    #: the most frequent spelling, lower case, with its diacritics ("nghiệp")
    spelling: Mapped[str] = mapped_column(Text)
    #: every spelling seen, space-separated ("soc sóc sọc")
    spellings: Mapped[str] = mapped_column(Text)
    entries: Mapped[int] = mapped_column(Integer)


class ContentVersion(Base):
    """One row: bumped by every load that changes content (for caches)."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    #: digest of all content rows as last loaded; an identical reload writes nothing
    digest: Mapped[str | None] = mapped_column(String(64))
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A partner's API key; only a hash of the key is stored (operational, never reloaded)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(128))
    rate_limit: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("name", name="uq_api_keys_name"),
        UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
