"""The root Query, assembled from the domain modules, and ``build_schema``."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.types import get_object_definition

from schema.context import Info
from schema.documents import DocumentQuery
from schema.figures import FigureQuery
from schema.passages import PassageQuery
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
    FigureQuery,
    PassageQuery,
):
    @strawberry.field(description="Relay object identification; null when the ID is unknown.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        try:
            global_id = relay.GlobalID.from_id(id)
            node_type = global_id.resolve_type(info)
        except relay.GlobalIDValueError:
            return None  # not one of our IDs: unknown, like an ID that no longer exists
        definition = get_object_definition(node_type)
        if definition is None or definition.is_interface or "\x00" in global_id.node_id:
            return None  # "Node:…" names no object type; no ID holds a NUL (PostgreSQL: error)
        found = node_type.resolve_nodes(info=info, node_ids=[global_id.node_id])
        if inspect.isawaitable(found):
            found = await found
        return next(iter(found), None)


class DxSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log nothing here: the HTTP layer (``api.errors.classify``) codes every error and
        logs the unexpected ones once, with the request id the client gets."""


def build_schema(*, extensions: Sequence[Any] = ()) -> strawberry.Schema:
    """The served schema; ``extensions`` are Strawberry schema extensions (limits, errors)."""
    return DxSchema(
        query=Query,
        types=[Agency],
        extensions=list(extensions),
        config=StrawberryConfig(auto_camel_case=True),
    )
