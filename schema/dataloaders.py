"""Per-request DataLoaders: every relation is fetched in one statement per batch.

``loader(info, key, fn)`` returns the request's DataLoader for ``key``, creating it on
first use; batches take turns on the request's one session (``Context.session``).
``row_loader``/``nodes_by_id``/``load_province_row`` fetch rows by primary key;
``rows_by_parent`` builds the batch functions of one-to-many relations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from strawberry.dataloader import DataLoader

from db import models
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


def rows_by_parent(
    query: Callable[[list[Any]], Select[Any] | Any], parent: Callable[[Any], Any]
) -> Callable[[Info, list[Any]], Awaitable[list[list[Any]]]]:
    """A batch function: the list of rows of each parent key, in query order."""

    async def batch(info: Info, keys: list[Any]) -> list[list[Any]]:
        async with info.context.session() as session:
            rows = (await session.execute(query(keys))).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[parent(row)].append(row)
        return [grouped.get(key, []) for key in keys]

    return batch


def row_loader(info: Info, model: type[Any]) -> DataLoader[str, Any]:
    """The request's loader of ``model`` rows by primary key (``id``): a row or None."""

    async def batch(info: Info, keys: list[str]) -> list[Any]:
        async with info.context.session() as session:
            rows = await session.scalars(select(model).where(model.id.in_(keys)))
            by_id = {row.id: row for row in rows}
        return [by_id.get(key) for key in keys]

    return loader(info, f"{model.__tablename__}:by-id", batch)


async def nodes_by_id(
    info: Info, model: type[Any], node_ids: list[str], convert: Callable[[Any], V]
) -> list[V | None]:
    """``resolve_nodes`` of a Relay type: one batched statement for every ID of a request."""
    rows = await row_loader(info, model).load_many(node_ids)
    return [convert(row) if row is not None else None for row in rows]


async def load_province_row(info: Info, province_id: str | None) -> models.Province | None:
    if province_id is None:
        return None
    row = await row_loader(info, models.Province).load(province_id)
    found: models.Province | None = row
    return found


#: The documents each passage names, in the order it names them (Passage.documents).
passage_documents = rows_by_parent(
    lambda keys: (
        select(models.Document, models.PassageDocument.passage_id)
        .join(models.PassageDocument, models.PassageDocument.document_id == models.Document.id)
        .where(models.PassageDocument.passage_id.in_(keys))
        .order_by(models.PassageDocument.passage_id, models.PassageDocument.position)
    ),
    lambda row: row[1],
)

#: The figures each passage states, in reading order (Passage.figures).
passage_figures = rows_by_parent(
    lambda keys: (
        select(models.Figure)
        .where(models.Figure.passage_id.in_(keys))
        .order_by(models.Figure.passage_id, models.Figure.position)
    ),
    lambda row: row[0].passage_id,
)
