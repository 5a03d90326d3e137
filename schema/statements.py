"""Statements built once per shape, run with the request's values as bind parameters.

Building a ``select()`` and generating its cache key cost more than running it: ~300 µs
of a ~900 µs page statement on this machine, on SQLite and PostgreSQL alike (bench/README.md,
issue 17). So the read path builds each statement once per *shape* — which filters a
request gives, which order, root page or nested pages of which parent — with
``bindparam()`` where the values go, keeps it here, and executes it with the values. The
statement object memoises its cache key, so SQLAlchemy's compiled cache finds the SQL
without walking the statement again. Shapes are finite (filters × orders × word counts up
to ``MAX_WORDS``), so the memo is bounded; a filter whose condition cannot be bound (the
``search`` filter's full-text match) is built per request, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, select

from db import models
from schema.common import (
    exact,
    like_pattern,
    pillar_filter,
    province_slug,
    search_words,
    text_match,
)
from schema.context import Info

T = TypeVar("T")

_BUILT: dict[Hashable, Any] = {}


def once(shape: Hashable, build: Callable[[], T]) -> T:
    """The statement built for ``shape``: built by ``build`` on first use, then kept."""
    try:
        found: T = _BUILT[shape]
    except KeyError:
        found = _BUILT[shape] = build()
    return found


def columns_of(model: type[Any]) -> list[Any]:
    """Every column of ``model``'s table: rows of these read as plain tuples (with the
    columns' types, so SQLite's text dates come back as dates) under the attribute names
    the converters (``from_row``) read."""
    return list(model.__table__.columns)


def by_keys(model: type[Any], column: Any, *extra: Any) -> Select[Any]:
    """``model``'s rows (plus ``extra`` columns) whose ``column`` is in ``:keys``."""
    return select(*columns_of(model), *extra).where(column.in_(bindparam("keys", expanding=True)))


def like_all(column: Any, patterns: list[BindParameter[Any]]) -> ColumnElement[bool]:
    """Every pattern (``like_pattern``) matches ``column``."""
    return and_(*(column.like(p, escape="\\") for p in patterns))


@dataclass
class Filter:
    """The conditions of one request's filter: its shape (which conditions) and the values
    they bind. ``apply`` builds them, once per shape, with bind parameters."""

    shape: list[Hashable] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    conditions: list[Callable[[], ColumnElement[bool]]] = field(default_factory=list)
    #: False once a condition holds its values inline (built per request)
    bound: bool = True

    def value(
        self,
        name: str,
        value: Any,
        condition: Callable[[BindParameter[Any]], ColumnElement[bool]],
        *,
        expanding: bool = False,
    ) -> None:
        """A condition on one value (``expanding``: a list, for ``IN``) bound as ``name``."""
        self.shape.append(name)
        self.params[name] = value
        self.conditions.append(lambda: condition(bindparam(name, expanding=expanding)))

    def patterns(
        self,
        name: str,
        words: list[str],
        condition: Callable[[list[BindParameter[Any]]], ColumnElement[bool]],
    ) -> None:
        """A condition on the LIKE patterns of ``words`` (none: no condition), bound as
        ``name_0``, ``name_1``…; the shape holds how many."""
        if not words:
            return
        names = [f"{name}_{i}" for i in range(len(words))]
        self.shape.append((name, len(words)))
        self.params.update(zip(names, map(like_pattern, words), strict=True))
        self.conditions.append(lambda: condition([bindparam(n) for n in names]))

    def fixed(self, name: str, condition: Callable[[], ColumnElement[bool]]) -> None:
        """A condition without a value (``province IS NULL``): part of the shape only."""
        self.shape.append(name)
        self.conditions.append(condition)

    def inline(self, condition: ColumnElement[bool]) -> None:
        """A condition holding its values: the statement is built for this request only."""
        self.bound = False
        self.conditions.append(lambda: condition)

    async def province(self, info: Info, province: str | None, column: Any) -> None:
        """Records of the province a slug or code names (none given: no condition)."""
        slug = await province_slug(info, province)
        if slug is not None:
            self.value("province", slug, lambda v: column == v)

    def source(self, slug: str | None, column: Any) -> None:
        """Records of the source ``slug`` (none given: no condition)."""
        if slug is not None:
            self.value("source", exact(slug), lambda v: column == v)

    def pillar(self, pillar: Any, id_column: Any) -> None:
        """Records of the pillar (a ``PillarCode``; none given: no condition)."""
        if pillar is not None:
            self.value("pillar", pillar.value, lambda v: pillar_filter(id_column, v))

    def search(self, info: Info, id_column: Any, text: str | None) -> None:
        """The ``search`` filter: every word occurs in the record (full-text, inline)."""
        if text is not None and search_words(text):
            self.inline(text_match(info, id_column, text))

    def key(self, *more: Hashable) -> Hashable | None:
        """This filter's shape (with ``more``: the order…), or None when not reusable."""
        return (*self.shape, *more) if self.bound else None

    def apply(self, query: Select[Any]) -> Select[Any]:
        for condition in self.conditions:
            query = query.where(condition())
        return query


def in_source_order(model: type[Any], conditions: Filter) -> tuple[Select[Any], list[Any]]:
    """``model``'s rows (plain, every column) matching ``conditions``, and the order they
    are listed in: their source's, then their own position in it."""
    query = select(*columns_of(model)).join(models.Source, models.Source.id == model.source_id)
    return conditions.apply(query), [models.Source.position, model.position, model.id]
