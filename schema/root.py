"""The root Query, assembled from the domain modules, and ``build_schema``."""

from __future__ import annotations

import inspect
from typing import Any

import strawberry
from strawberry import relay
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from schema.context import Info
from schema.documents import DocumentQuery
from schema.provinces import ProvinceQuery
from schema.questions import QuestionQuery
from schema.rankings import RankingQuery
from schema.search import SearchQuery
from schema.sources import SourceQuery
from schema.targets import TargetQuery
from schema.tasks import Agency, TaskQuery


@strawberry.type
class Query(
    ProvinceQuery,
    SourceQuery,
    DocumentQuery,
    TargetQuery,
    TaskQuery,
    QuestionQuery,
    RankingQuery,
    SearchQuery,
):
    @strawberry.field(description="Relay object identification; null when the ID is unknown.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        try:
            global_id = relay.GlobalID.from_id(id)
            node_type = global_id.resolve_type(info)
        except relay.GlobalIDValueError:
            return None  # not one of our IDs: unknown, like an ID that no longer exists
        found = node_type.resolve_nodes(info=info, node_ids=[global_id.node_id])
        if inspect.isawaitable(found):
            found = await found
        return next(iter(found), None)


def build_schema(*, production: bool = False) -> strawberry.Schema:
    extensions: list[Any] = [MaskErrors()] if production else []
    return strawberry.Schema(
        query=Query,
        types=[Agency],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )
