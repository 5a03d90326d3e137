"""Query limits: a Strawberry schema extension that rejects an over-sized request as a whole,
before any resolver runs (CLI.md "Limits, keys and errors").

``QueryLimits`` checks, at the stage where each measure is first known:

- parse: the document's lexical tokens, counted with graphql-core's lexer before the
  parser builds anything (``TOKEN_LIMIT``);
- validate: selection depth and aliases, as a graphql-core validation rule that runs
  with the standard ones (``DEPTH_LIMIT``, ``ALIAS_LIMIT``);
- execute: page sizes and the estimated cost, which need the variables
  (``PAGE_SIZE_LIMIT``, ``COST_LIMIT``), before graphql-core executes anything.

How each is measured, so that a client can predict it:

- **tokens**: as graphql-core's parser counts them: punctuators, names and values;
  commas, white space and comments are not tokens.
- **depth**: fields on the longest path, leaves included (``{ provinces { name } }`` is
  2), through fragments. ``__Type.ofType`` adds no level: the standard introspection
  query nests it nine times to unwrap types like ``[X!]!``, and it ends in null after the
  schema's deepest wrapper, so it cannot be used to dig.
- **aliases**: aliased fields of one operation, a fragment counting once per spread.
- **cost**: every selected field counts once per item it may be repeated for: the
  product of the sizes of the lists enclosing it. A connection's lists (``edges``,
  ``nodes``) hold its ``first`` items (``default_page_size`` when absent or null); any
  other list counts as ``list_size`` items. ``@skip``/``@include`` are honoured;
  introspection counts like any other query. ``search`` adds the work of ranking
  (``search_cost``) and of each word of its query (``search_word_cost``) whatever page it
  returns: thirty aliased searches were costed like thirty small pages.

Fragments are measured once each, so a document that spreads fragments into fragments
costs time linear in its length, whatever it expands to. Each failure is a
``ClientError`` with its ``extensions.code``, the limit and the measured value.

Give ``strawberry.Schema(extensions=[...])`` the factory ``query_limits(settings)``: it is
called once per request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    Lexer,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    Source,
    TokenKind,
    ValidationRule,
    build_schema,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
)
from graphql.execution import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema import BaseSchema

from api.settings import Settings
from schema.common import search_words
from schema.errors import ClientError, PageSizeLimit
from schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class DepthLimit(ClientError):
    code = "DEPTH_LIMIT"


class AliasLimit(ClientError):
    code = "ALIAS_LIMIT"


class TokenLimit(ClientError):
    code = "TOKEN_LIMIT"


class CostLimit(ClientError):
    code = "COST_LIMIT"


def _default(setting: str) -> Any:
    """The default of a ``Settings`` field: the limits have one home for their values."""
    return Settings.model_fields[setting].default


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one schema enforces."""

    max_depth: int = _default("max_depth")
    max_aliases: int = _default("max_aliases")
    max_tokens: int = _default("max_tokens")
    max_cost: int = _default("max_cost")
    max_page_size: int = _default("max_page_size")
    #: a connection's page size when ``first`` is absent or null (the contract's default)
    default_page_size: int = DEFAULT_PAGE_SIZE
    #: items assumed for a list that is not paged. The bundled content's plain lists are
    #: short: 4 provinces, 3 pillars, 5 sources, 12 rankings in all, at most 13 citations
    #: of a document, 4 quantities of a target, 2 lead agencies of a task; the schema has
    #: 55 types of at most 14 fields for introspection.
    list_size: int = 10
    #: what one ``search`` costs beyond its page: it ranks up to 1,000 candidates (about
    #: 90 ms for a common word, bench/README.md), so the default cost cap lets at most
    #: eight one-word searches into one request
    search_cost: int = 11_000
    #: and per word: each word not seen since the last load is one more counting statement
    search_word_cost: int = 1_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
            # resolvers refuse more than MAX_PAGE_SIZE whatever the setting says
            max_page_size=min(settings.max_page_size, MAX_PAGE_SIZE),
        )


def query_limits(limits: Limits | Settings) -> Callable[[], QueryLimits]:
    """The factory to list in ``strawberry.Schema(extensions=[...])``."""
    if isinstance(limits, Settings):
        limits = Limits.from_settings(limits)
    return functools.partial(QueryLimits, limits)


class QueryLimits(SchemaExtension):
    """Rejects a request over the limits before execution.

    Strawberry calls the factory from ``query_limits`` once per request; an instance
    would be shared by concurrent requests, and ``self.execution_context`` with it.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def on_parse(self) -> Iterator[None]:
        # An exception here reaches Strawberry's ``Schema.execute``, which answers
        # ``{"data": null, "errors": [it]}``: nothing is parsed, nothing resolved.
        query = self.execution_context.query
        # a document already set came from api.document_cache' cache: counted when it was stored
        if query is not None and self.execution_context.graphql_document is None:
            limit = self.limits.max_tokens
            if count_tokens(query, stop_after=limit + 1) > limit:
                raise TokenLimit(
                    f"the document has more than {limit} tokens; send a smaller query",
                    maxTokens=limit,
                )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, shape_rule(self.limits))
        yield

    def on_execute(self) -> Iterator[None]:
        # Runs only for a document that validated; raising here keeps graphql-core from
        # executing it (see on_parse).
        self.check_cost()
        yield

    def check_cost(self) -> None:
        """Page sizes and cost of the operation about to run, with its variables."""
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return
        operation = get_operation_ast(document, context.operation_name)
        if operation is None:
            return  # execution says which operation is missing
        schema = analysis_schema(context.schema)
        variables = get_variable_values(
            schema, operation.variable_definitions or (), context.variables or {}
        )
        if not isinstance(variables, VariableValues):
            return  # malformed variables: execution reports them, resolving nothing
        cost = estimate_cost(schema, document, operation, variables, self.limits)
        if cost > self.limits.max_cost:
            raise CostLimit(
                f"the query's estimated cost is {cost}, above the maximum of "
                f"{self.limits.max_cost}: ask for smaller pages (first) or fewer nested lists",
                maxCost=self.limits.max_cost,
                cost=cost,
            )


@functools.lru_cache(maxsize=8)
def analysis_schema(schema: BaseSchema) -> GraphQLSchema:
    """The schema's types as graphql-core sees them, rebuilt from its SDL.

    Strawberry offers no public accessor for the graphql-core schema it executes with;
    its printed SDL holds every type, field, argument and default the cost walk reads.
    Built once per schema (``Schema.as_str`` and ``build_schema`` take milliseconds).
    """
    return build_schema(schema.as_str())


def count_tokens(query: str, stop_after: int) -> int:
    """The lexical tokens of ``query``, counting no further than ``stop_after``.

    A syntax error ends the count: the parser reports it properly.
    """
    lexer = Lexer(Source(query))
    count = 0
    try:
        while count < stop_after and lexer.advance().kind != TokenKind.EOF:
            count += 1
    except GraphQLError:
        pass
    return count


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


# --- depth and aliases ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shape:
    """How deep a selection set goes and how many aliases it holds."""

    depth: int = 0
    aliases: int = 0


class _ShapeWalker:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.measured: dict[str, Shape] = {}
        self.entered: set[str] = set()

    def selection_set(self, node: SelectionSetNode, parent: GraphQLCompositeType | None) -> Shape:
        depth = aliases = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = Shape()
                if selection.selection_set is not None:
                    field = _field(self.schema, parent, selection)
                    inner = self.selection_set(selection.selection_set, _composite(field))
                level = 0 if _is_of_type(parent, selection) else 1
                depth = max(depth, level + inner.depth)
                aliases += inner.aliases + (selection.alias is not None)
            elif isinstance(selection, InlineFragmentNode):
                condition = _condition(self.schema, selection.type_condition, parent)
                inner = self.selection_set(selection.selection_set, condition)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            else:
                assert isinstance(selection, FragmentSpreadNode)
                inner = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        return Shape(depth, aliases)

    def fragment(self, name: str) -> Shape:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.entered:
            return Shape()  # unknown fragments and cycles are the standard rules' to report
        if name not in self.measured:
            self.entered.add(name)
            condition = _condition(self.schema, fragment.type_condition, None)
            self.measured[name] = self.selection_set(fragment.selection_set, condition)
            self.entered.discard(name)
        return self.measured[name]


@functools.cache
def shape_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule enforcing ``limits.max_depth`` and ``limits.max_aliases``."""

    class QueryShapeRule(ValidationRule):
        def leave_document(self, document: DocumentNode, *_: Any) -> None:
            # On leaving, not entering: graphql-core's own visitor has aborted validation
            # by then if fragments nest too deep to walk (more than 200 levels).
            schema = self.context.schema
            walker = _ShapeWalker(schema, _fragments(document))
            for operation in document.definitions:
                if isinstance(operation, OperationDefinitionNode):
                    root = schema.get_root_type(operation.operation)
                    self.check(operation, walker.selection_set(operation.selection_set, root))

        def check(self, operation: OperationDefinitionNode, shape: Shape) -> None:
            named = f"operation {operation.name.value!r}" if operation.name else "the operation"
            if shape.depth > limits.max_depth:
                self.report_error(
                    DepthLimit(
                        f"{named} nests fields {shape.depth} deep; "
                        f"at most {limits.max_depth} levels are allowed",
                        maxDepth=limits.max_depth,
                        depth=shape.depth,
                    )
                )
            if shape.aliases > limits.max_aliases:
                self.report_error(
                    AliasLimit(
                        f"{named} uses {shape.aliases} aliases; "
                        f"at most {limits.max_aliases} are allowed",
                        maxAliases=limits.max_aliases,
                        aliases=shape.aliases,
                    )
                )

    return QueryShapeRule


# --- page sizes and cost --------------------------------------------------------------


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    limits: Limits,
) -> int:
    """The estimated cost of ``operation`` (see the module's docstring); raises
    ``PageSizeLimit`` at the first ``first`` outside 0..``limits.max_page_size``."""
    walker = _CostWalker(schema, _fragments(document), variables, limits)
    root = schema.get_root_type(operation.operation)
    return walker.selection_set(operation.selection_set, root, None)


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        limits: Limits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        # a fragment's cost depends on the page size of the connection it is spread in
        self.measured: dict[tuple[str, int | None], int] = {}
        self.entered: set[str] = set()

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLCompositeType | None, page: int | None
    ) -> int:
        """The cost of one execution of ``node``; ``page`` is the page size when ``parent``
        is a connection, whose lists hold that many items."""
        cost = 0
        for selection in node.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                cost += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = _condition(self.schema, selection.type_condition, parent)
                cost += self.selection_set(selection.selection_set, condition, page)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                cost += self.fragment(selection.name.value, page)
        return cost

    def field(self, node: FieldNode, parent: GraphQLCompositeType | None, page: int | None) -> int:
        field = _field(self.schema, parent, node)
        first = self.first(field, node, parent)
        if field is None or node.selection_set is None:
            return 1
        child = _composite(field)
        if _is_connection(child):
            size = self.limits.default_page_size if first is None else first
            work = self.search_work(field, node, parent)
            return 1 + work + self.selection_set(node.selection_set, child, size)
        items = 1
        if is_list_type(get_nullable_type(field.type)):
            if page is not None:  # the edges or nodes of a connection
                items = page
            elif first is not None:
                items = first
            else:
                items = self.limits.list_size
        return 1 + items * self.selection_set(node.selection_set, child, None)

    def search_work(
        self, field: GraphQLField, node: FieldNode, parent: GraphQLCompositeType | None
    ) -> int:
        """What ``Query.search`` does beyond the page it returns (see ``Limits``)."""
        if parent is None or parent.name != "Query" or node.name.value != "search":
            return 0
        try:
            query = get_argument_values(field, node, self.variables).get("query")
            words = len(search_words(query)) if isinstance(query, str) else 0
        except GraphQLError:
            return 0  # a bad argument: the resolver or execution reports it
        return self.limits.search_cost + self.limits.search_word_cost * words

    def first(
        self, field: GraphQLField | None, node: FieldNode, parent: GraphQLCompositeType | None
    ) -> int | None:
        """The field's ``first`` argument, checked; None when it has none or it is null."""
        if field is None or "first" not in field.args:
            return None
        try:
            value = get_argument_values(field, node, self.variables).get("first")
        except GraphQLError:
            return None  # an argument that does not coerce: execution reports it
        if not isinstance(value, int):
            return None
        limit = self.limits.max_page_size
        if value < 0 or value > limit:
            where = f"{parent.name}.{node.name.value}" if parent else node.name.value
            raise PageSizeLimit(
                f"first must be between 0 and {limit}, got {value} ({where})",
                maxPageSize=limit,
                first=value,
                field=where,
            )
        return value

    def fragment(self, name: str, page: int | None) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.entered:
            return 0  # validation has refused such documents already
        key = (name, page)
        if key not in self.measured:
            self.entered.add(name)
            condition = _condition(self.schema, fragment.type_condition, None)
            self.measured[key] = self.selection_set(fragment.selection_set, condition, page)
            self.entered.discard(name)
        return self.measured[key]

    def included(self, node: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return include is None or include.get("if") is not False


# --- the schema's types ---------------------------------------------------------------


def _field(
    schema: GraphQLSchema, parent: GraphQLCompositeType | None, node: FieldNode
) -> GraphQLField | None:
    """The field's definition; None where validation reports an unknown field."""
    return None if parent is None else schema.get_field(parent, node.name.value)


def _composite(field: GraphQLField | None) -> GraphQLCompositeType | None:
    named = get_named_type(field.type) if field is not None else None
    return named if is_composite_type(named) else None


def _condition(
    schema: GraphQLSchema, condition: NamedTypeNode | None, parent: GraphQLCompositeType | None
) -> GraphQLCompositeType | None:
    """The type a fragment applies to: its type condition, or else the enclosing type."""
    if condition is None:
        return parent
    named = schema.get_type(condition.name.value)
    return named if is_composite_type(named) else None


def _is_connection(type_: GraphQLCompositeType | None) -> bool:
    """A Relay connection: an object type with ``edges`` and ``pageInfo``."""
    return isinstance(type_, GraphQLObjectType) and {"edges", "pageInfo"} <= type_.fields.keys()


def _is_of_type(parent: GraphQLCompositeType | None, node: FieldNode) -> bool:
    return parent is not None and parent.name == "__Type" and node.name.value == "ofType"


__all__ = [
    "AliasLimit",
    "CostLimit",
    "DepthLimit",
    "Limits",
    "QueryLimits",
    "Shape",
    "TokenLimit",
    "count_tokens",
    "estimate_cost",
    "query_limits",
    "shape_rule",
]
