"""The one pagination helper: Relay connections with opaque offset cursors.

A cursor encodes a position in a stable order (every list query orders by a unique key
last), so it stays valid across reloads of unchanged content. ``first`` defaults to 20
and is at most ``MAX_PAGE_SIZE``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, func, over, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from schema.errors import BadUserInput, PageSizeLimit

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
    if prefix != _PREFIX or position < 0:
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
) -> Any:
    """Build a connection of type ``cls`` (edges, nodes, pageInfo, totalCount) from a page."""
    edges = [
        edge(cursor=encode_cursor(window.offset + i), node=node) for i, node in enumerate(nodes)
    ]
    return cls(
        edges=edges,
        nodes=list(nodes),
        total_count=total,
        page_info=relay.PageInfo(
            has_next_page=window.offset + len(nodes) < total,
            has_previous_page=window.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def fetch_page(
    session: AsyncSession, query: Select[Any], window: Page
) -> tuple[list[Any], int]:
    """One page of ``query``'s first entity and the total, in one statement where it can.

    The total rides along as ``count(*) OVER ()``; only a page past the end needs a
    second statement to count.
    """
    counted = query.add_columns(over(func.count())).offset(window.offset).limit(window.limit)
    rows = (await session.execute(counted)).all()
    if rows:
        return [row[0] for row in rows], int(rows[0][-1])
    if window.limit > 0 and window.offset == 0:
        return [], 0
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return [], int(total or 0)
