"""Per-request DataLoaders: every relation is fetched in one statement per batch.

``loader(info, key, fn)`` returns the request's DataLoader for ``key``, creating it on
first use; batches take turns on the request's one session (``Context.session``).
``row_loader``/``nodes_by_id``/``load_province_row`` fetch rows by primary key;
``rows_by_parent`` builds the batch functions of one-to-many relations. Every statement
is built once (``schema.statements``) and its rows are plain tuples of the table's columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from strawberry.dataloader import DataLoader

from db import models
from schema.context import Info
from schema.statements import by_keys, once

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
    statement: Select[Any],
) -> Callable[[Info, list[Any]], Awaitable[list[list[Any]]]]:
    """A batch function: the rows of each parent key, in ``statement``'s order.

    ``statement`` is built once (at import) with the keys as ``:keys`` (an expanding
    ``IN``) and the parent's key as a column labelled ``parent_key``; rows are plain tuples.
    """

    async def batch(info: Info, keys: list[Any]) -> list[list[Any]]:
        rows = await info.context.rows(statement, {"keys": keys})
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row.parent_key].append(row)
        return [grouped.get(key, []) for key in keys]

    return batch


def children(model: type[Any], parent: Any, *order: Any) -> Select[Any]:
    """The rows of ``model`` whose ``parent`` column is in ``:keys``, for ``rows_by_parent``."""
    return by_keys(model, parent, parent.label("parent_key")).order_by(*order)


def row_loader(info: Info, model: type[Any]) -> DataLoader[str, Any]:
    """The request's loader of ``model`` rows (plain tuples) by primary key (``id``): a row
    or None."""
    statement = once(("by-id", model), lambda: by_keys(model, model.id))

    async def batch(info: Info, keys: list[str]) -> list[Any]:
        by_id = {row.id: row for row in await info.context.rows(statement, {"keys": keys})}
        return [by_id.get(key) for key in keys]

    return loader(info, f"{model.__tablename__}:by-id", batch)


async def nodes_by_id(
    info: Info, model: type[Any], node_ids: list[str], convert: Callable[[Any], V]
) -> list[V | None]:
    """``resolve_nodes`` of a Relay type: one batched statement for every ID of a request."""
    rows = await row_loader(info, model).load_many(node_ids)
    return [convert(row) if row is not None else None for row in rows]


async def load_province_row(info: Info, province_id: str | None) -> Any:
    """The province's row (its columns, as ``Province.from_row`` reads them), or None."""
    if province_id is None:
        return None
    return await row_loader(info, models.Province).load(province_id)


def named_documents(
    link: Any, parent: Any
) -> Callable[[Info, list[Any]], Awaitable[list[list[Any]]]]:
    """A batch of the documents each parent names through ``link`` (a table of
    ``parent``, ``document_id`` and ``position``), in the order it names them."""
    return rows_by_parent(
        by_keys(models.Document, parent, parent.label("parent_key"))
        .join(link, link.document_id == models.Document.id)
        .order_by(parent, link.position)
    )


#: The documents each passage names, in the order it names them (Passage.documents).
passage_documents = named_documents(models.PassageDocument, models.PassageDocument.passage_id)

#: The figures each passage states, in reading order (Passage.figures).
passage_figures = rows_by_parent(
    children(
        models.Figure, models.Figure.passage_id, models.Figure.passage_id, models.Figure.position
    )
)
