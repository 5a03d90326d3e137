"""Per-request DataLoaders: every relation is fetched in one statement per batch.

``loader(info, key, fn)`` returns the request's DataLoader for ``key``, creating it on
first use; each batch opens its own short session, so concurrent resolvers never share
one. ``rows_by_id`` and ``rows_by_parent`` build the batch functions used by most types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from schema.context import Info

K = TypeVar("K")
V = TypeVar("V")


def loader(
    info: Info, key: str, batch: Callable[[Info, list[K]], Awaitable[Sequence[V]]]
) -> DataLoader[K, V]:
    """The DataLoader named ``key`` of this request."""
    loaders = info.context.loaders
    if key not in loaders:

        async def load(keys: list[K]) -> Sequence[V]:
            return await batch(info, keys)

        loaders[key] = DataLoader(load_fn=load)
    found: DataLoader[K, V] = loaders[key]
    return found


def rows_by_id(
    query: Callable[[list[Any]], Select[Any] | Any], id_of: Callable[[Any], Any]
) -> Callable[[Info, list[Any]], Awaitable[list[Any | None]]]:
    """A batch function: one row (or None) per key, from ``query(keys)``."""

    async def batch(info: Info, keys: list[Any]) -> list[Any | None]:
        async with info.context.sessionmaker() as session:
            rows = (await session.execute(query(keys))).all()
        by_id = {id_of(row): row for row in rows}
        return [by_id.get(key) for key in keys]

    return batch


def rows_by_parent(
    query: Callable[[list[Any]], Select[Any] | Any], parent: Callable[[Any], Any]
) -> Callable[[Info, list[Any]], Awaitable[list[list[Any]]]]:
    """A batch function: the list of rows of each parent key, in query order."""

    async def batch(info: Info, keys: list[Any]) -> list[list[Any]]:
        async with info.context.sessionmaker() as session:
            rows = (await session.execute(query(keys))).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[parent(row)].append(row)
        return [grouped.get(key, []) for key in keys]

    return batch
