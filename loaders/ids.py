"""The ID schemes of every content record, in one place.

An ID is derived from the source slug and what the record is (its number, year, place
in a numbered list, or its own text), never from row order across sources, so reloading
the same sources, or loading them into the other database, gives the same IDs.
"""

from __future__ import annotations

import hashlib

from dxtext.text import slugify


def document_id(key: str) -> str:
    """A document (văn bản), by the merge key of its mentions (province + folded number)."""
    return f"doc/{key}"


def document_citation_id(document: str, source: str, start: int, end: int) -> str:
    return f"{document}@{source}:{start}-{end}"


def question_id(source: str, number: int | None, unnumbered: int, key: str | None = None) -> str:
    """A question by its own key where the parser gives one (a handbook question keeps its
    place in print), else by its number; an unnumbered one by its rank among the
    unnumbered."""
    if key is not None:
        return f"{source}/q/{key}"
    return f"{source}/q/h{unnumbered}" if number is None else f"{source}/q/{number}"


def target_id(source: str, year: int, nth_of_year: int, key: str | None = None) -> str:
    """A target by its year and place among that year's (or its own key: goals found
    inside plans, keyed by content so the numbered ones keep their IDs)."""
    return f"{source}/target/{year}/{key or nth_of_year}"


def task_id(source: str, position: int, key: str | None = None) -> str:
    """A task by its place in the source's table (or its own key: list tasks, by content)."""
    return f"{source}/task/{key or position}"


def agency_id(province: str | None, name: str) -> str:
    return f"agency/{province or 'national'}/{slugify(name)}"


def ranking_id(
    source: str, province: str, year: int | None, pillar: str | None, index: str = "DTI"
) -> str:
    """A place on an index: DTI's IDs as they always were, another index by its slug."""
    on = "dti" if index == "DTI" else slugify(index)
    return f"{source}/{on}/{province}/{year or 'na'}/{pillar or 'overall'}"


def passage_id(source: str, heading: str | None, text: str) -> str:
    """A passage by its own heading and text."""
    return f"{source}/passage/{content_hash(heading or '', text)}"


def figure_id(source: str, label: str, value: float, unit: str, as_of_text: str | None) -> str:
    """A figure by what it says: label, value, unit and date as written."""
    return f"{source}/figure/{content_hash(label, repr(value), unit, as_of_text or '')}"


def unique(record_id: str, taken: set[str]) -> str:
    """``record_id``, or with "-2", "-3"… when the same content stands twice in a source."""
    candidate, n = record_id, 1
    while candidate in taken:
        n += 1
        candidate = f"{record_id}-{n}"
    taken.add(candidate)
    return candidate


def content_hash(*parts: str) -> str:
    """A short, stable digest of a record's own text (12 hex digits)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
