"""The one pagination helper: Relay connections with opaque offset cursors.

A cursor encodes a position in a stable order (every list query orders by a unique key
last), so it stays valid across reloads of unchanged content. ``first`` defaults to 20
and is at most ``MAX_PAGE_SIZE``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, bindparam, func, over, select
from strawberry import relay

from schema.context import Info
from schema.dataloaders import loader
from schema.errors import BadUserInput, PageSizeLimit
from schema.statements import once

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_PREFIX = "cursor"

NodeT = TypeVar("NodeT", bound=relay.Node)


@strawberry.type
class CountedConnection(relay.Connection[NodeT], Generic[NodeT]):
    """A Relay connection with the page's nodes and the total count."""

    nodes: list[NodeT]
    total_count: int


@dataclass(frozen=True, slots=True)
class Page:
    """A validated ``first``/``after`` pair: ``limit`` rows from ``offset``."""

    offset: int
    limit: int


#: positions a cursor may stand for: the offset after it must fit a signed 64-bit integer
MAX_POSITION = 2**63 - 1


def encode_cursor(position: int) -> str:
    return relay.to_base64(_PREFIX, position)


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; a malformed cursor is BAD_USER_INPUT."""
    try:
        prefix, value = relay.from_base64(cursor)
        position = int(value)
    except Exception:
        position = -1
        prefix = ""
    # beyond a 64-bit integer no database can take the offset (it used to be a 500)
    if prefix != _PREFIX or not 0 <= position < MAX_POSITION:
        raise BadUserInput(f"malformed cursor {cursor[:40]!r}: pass a cursor from a connection")
    return position


def page(first: int | None, after: str | None) -> Page:
    """Validate ``first`` (0..100, default 20) and ``after``."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0 or size > MAX_PAGE_SIZE:
        raise PageSizeLimit(
            f"first must be between 0 and {MAX_PAGE_SIZE}, got {size}", maxPageSize=MAX_PAGE_SIZE
        )
    offset = decode_cursor(after) + 1 if after else 0
    return Page(offset=offset, limit=size)


def connection(
    cls: type[Any],
    nodes: Sequence[Any],
    total: int,
    window: Page,
    edge: Callable[..., Any] = relay.Edge,
    *,
    listed: int | None = None,
    **fields: Any,
) -> Any:
    """Build a connection of type ``cls`` (edges, nodes, pageInfo, totalCount) from a page.

    Pages end at ``listed`` items where fewer than ``total`` can be paged through (search
    ranks a capped list); ``fields`` are the connection type's own further fields.
    """
    edges = [
        edge(cursor=encode_cursor(window.offset + i), node=node) for i, node in enumerate(nodes)
    ]
    return cls(
        edges=edges,
        nodes=list(nodes),
        total_count=total,
        **fields,
        page_info=relay.PageInfo(
            has_next_page=window.offset + len(nodes) < (total if listed is None else listed),
            has_previous_page=window.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def _page_statement(query: Select[Any]) -> Select[Any]:
    """``query``'s page from ``:page_offset``, ``:page_limit`` rows, with the total riding
    along as ``count(*) OVER ()``."""
    return (
        query.add_columns(over(func.count()))
        .offset(bindparam("page_offset"))
        .limit(bindparam("page_limit"))
    )


def _count_statement(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.order_by(None).subquery())


async def fetch_page(
    info: Info,
    shape: Hashable | None,
    params: Mapping[str, Any],
    query: Callable[[], Select[Any]],
    window: Page,
) -> tuple[list[Any], int]:
    """One page of ``query`` (ordered) as plain rows and the total, in one statement where
    it can; only a page past the end needs a second statement to count.

    ``shape`` names the statement ``query`` builds (``schema.statements``): built once,
    then run with ``params``; None builds it for this request.
    """
    built = query() if shape is None else None
    if built is not None:
        paged = _page_statement(built)
    else:
        paged = once(("page", shape), lambda: _page_statement(query()))
    values = {**params, "page_offset": window.offset, "page_limit": window.limit}
    rows = await info.context.rows(paged, values)
    if rows:
        return list(rows), int(rows[0][-1])
    if window.limit > 0 and window.offset == 0:
        return [], 0
    if built is not None:
        counted = _count_statement(built)
    else:
        counted = once(("count", shape), lambda: _count_statement(query()))
    total = (await info.context.rows(counted, params))[0][0]
    return [], int(total or 0)


@dataclass(frozen=True, slots=True)
class Parent:
    """The owner of a nested connection (``Province.tasks``): its kind and its key."""

    kind: str
    key: str


#: What a domain module builds for ``fetch``: the filtered query (no order), its order,
#: and — for a nested connection — the column holding the owner's key.
Built = tuple[Select[Any], list[Any], Any]


@dataclass(frozen=True, slots=True)
class Listing:
    """A connection's statement for one request: ``build`` makes it (with bind parameters
    where the values go), ``shape`` names what it builds (None: not reusable, built per
    request), ``params`` are this request's values."""

    shape: Hashable | None
    params: Mapping[str, Any]
    build: Callable[[], Built]


def _pages_statement(built: Built) -> Select[Any]:
    """One page per parent in ``:parents``, for all of them in one statement (a window
    per partition), rows ``:page_offset`` < n ≤ ``:page_end``."""
    query, order, parent_column = built
    inner = (
        query.where(parent_column.in_(bindparam("parents", expanding=True)))
        .add_columns(
            parent_column.label("parent_key"),
            func.row_number().over(partition_by=parent_column, order_by=order).label("rn"),
            over(func.count(), partition_by=parent_column).label("total"),
        )
        .subquery()
    )
    # Plain rows, named columns: the rows carry the entity's columns under the model's
    # attribute names (they are the column names), which is all converters read, with
    # the columns' types (SQLite stores dates as text: the type turns them back into dates).
    rn = inner.c.rn
    return (
        select(*(inner.c[c.name] for c in query.selected_columns), inner.c.parent_key)
        .add_columns(inner.c.total)
        .where(rn > bindparam("page_offset"), rn <= bindparam("page_end"))
        .order_by(inner.c.parent_key, rn)
    )


async def fetch_pages(
    info: Info, kind: str, listing: Listing, parents: list[str], window: Page
) -> dict[str, tuple[list[Any], int]]:
    """One page per parent (of ``kind``), for all parents in one statement."""
    if listing.shape is None:
        paged = _pages_statement(listing.build())
    else:
        paged = once(("pages", kind, listing.shape), lambda: _pages_statement(listing.build()))
    values = {
        **listing.params,
        "parents": parents,
        "page_offset": window.offset,
        "page_end": window.offset + window.limit,
    }
    pages: dict[str, tuple[list[Any], int]] = {}
    for row in await info.context.rows(paged, values):
        rows, _ = pages.get(row.parent_key, ([], 0))
        rows.append(row)
        pages[row.parent_key] = (rows, int(row.total))
    missing = [p for p in parents if p not in pages]
    if missing and window.offset == 0 and window.limit > 0:
        pages.update({p: ([], 0) for p in missing})  # nothing at all for these parents
    elif missing:  # an empty page (first: 0, or past the end) still reports its total
        query, _, parent_column = listing.build()  # rare: built for this request
        counted = (
            query.where(parent_column.in_(missing))
            .with_only_columns(parent_column, func.count(), maintain_column_froms=True)
            .group_by(parent_column)
        )
        found: Sequence[Any] = await info.context.rows(counted, listing.params)
        totals: dict[str, int] = {key: count for key, count in found}
        pages.update({p: ([], int(totals.get(p, 0))) for p in missing})
    return pages


async def fetch(
    info: Info,
    name: str,
    parent: Parent | None,
    group: Hashable,
    window: Page,
    listing: Listing,
) -> tuple[list[Any], int]:
    """One page of rows and the total: for a root connection directly; for a nested one
    through a DataLoader that fetches the pages of every parent of the request at once.

    ``group`` identifies everything but the parent (filter, order, page), so parents that
    ask for the same thing share one statement.
    """
    if parent is None:

        def ordered() -> Select[Any]:
            query, order, _ = listing.build()
            return query.order_by(*order)

        shape = None if listing.shape is None else (name, listing.shape)
        return await fetch_page(info, shape, listing.params, ordered, window)
    listings: dict[Hashable, tuple[Listing, Page, str]] = info.context.loaders.setdefault(
        f"{name}:listings", {}
    )
    group_key = (parent.kind, group, window)
    listings[group_key] = (listing, window, parent.kind)

    async def batch(info: Info, keys: list[tuple[str, Hashable]]) -> list[tuple[list[Any], int]]:
        wanted: dict[Hashable, list[str]] = defaultdict(list)
        for key, grp in keys:
            wanted[grp].append(key)
        found: dict[tuple[str, Hashable], tuple[list[Any], int]] = {}
        for grp, keys_of_group in wanted.items():
            grp_listing, grp_window, kind = listings[grp]
            shaped = (
                grp_listing
                if grp_listing.shape is None
                else Listing((name, grp_listing.shape), grp_listing.params, grp_listing.build)
            )
            pages = await fetch_pages(
                info, kind, shaped, list(dict.fromkeys(keys_of_group)), grp_window
            )
            found.update({(k, grp): pages[k] for k in keys_of_group})
        return [found[k] for k in keys]

    result: tuple[list[Any], int] = await loader(info, name, batch).load((parent.key, group_key))
    return result
