"""Queries generated from the served schema (hypothesis-graphql) never break the server.

The schema is the one the app serves, read by introspection. Each generated document,
valid or with one schema violation, goes to ``/graphql`` by POST or GET, its arguments
written inline or sent as variables, with one of the Accept headers a client may send.
Limits (page size, depth, cost…) and bad input answer with their codes and are fine; a
failure is a 5xx (or an exception out of the app), a body that is no GraphQL response, an
``INTERNAL_SERVER_ERROR``, or a resolver's error (one with a ``path``) carrying no code.

``make test`` runs 50 examples on SQLite, the same ones every time; ``make conformance``
runs 300 fresh ones on SQLite and on PostgreSQL (conformance/mode.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from conformance.mode import FULL, FUZZ_BACKENDS, FUZZ_EXAMPLES
from devkit.client import app_client

ACCEPTS = ("application/json", "application/graphql-response+json", "*/*")


@dataclass
class Target:
    client: httpx.AsyncClient
    schema: graphql.GraphQLSchema
    documents: st.SearchStrategy[graphql.DocumentNode]


def vocabulary_query(schema: graphql.GraphQLSchema) -> str:
    """Every root field that needs no argument, with its items' String and ID fields.

    Built from the schema, so it follows the schema as it grows.
    """
    assert schema.query_type is not None

    def leaves(type_: graphql.GraphQLObjectType) -> str:
        names = [
            name
            for name, field in type_.fields.items()
            if not field.args
            and getattr(graphql.get_named_type(field.type), "name", "") in ("String", "ID")
        ]
        return " ".join(names)

    parts: list[str] = []
    for name, field in schema.query_type.fields.items():
        if any(graphql.is_required_argument(arg) for arg in field.args.values()):
            continue
        type_ = graphql.get_named_type(field.type)
        if not isinstance(type_, graphql.GraphQLObjectType):
            continue
        if {"nodes", "pageInfo"} <= type_.fields.keys():
            item = graphql.get_named_type(type_.fields["nodes"].type)
            if isinstance(item, graphql.GraphQLObjectType) and leaves(item):
                parts.append(f"{name} {{ pageInfo {{ endCursor }} nodes {{ {leaves(item)} }} }}")
        elif leaves(type_):
            parts.append(f"{name} {{ {leaves(type_)} }}")
    return "{ " + " ".join(parts) + " }"


def strings_in(value: object) -> set[str]:
    """The short strings of a JSON value: slugs, codes, IDs, cursors, names."""
    if isinstance(value, str):
        return {value} if len(value) <= 60 else set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value))
    return set()


def documents(
    schema: graphql.GraphQLSchema, vocabulary: list[str]
) -> st.SearchStrategy[graphql.DocumentNode]:
    """Valid queries, and queries with one schema violation, for ``schema``.

    String and ID arguments are as often words of the content (a real slug, ID or cursor,
    so resolvers get past their lookups) as arbitrary text; Int arguments are mostly
    around the page-size limit.
    """
    words = st.sampled_from(vocabulary)
    text = st.one_of(
        words,
        st.text(max_size=20),
        words.map(lambda word: word + "\x00"),  # PostgreSQL text cannot hold U+0000
        st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2),  # lone surrogates
    )
    # Date is ISO text (schema/common.py); malformed text must give BAD_USER_INPUT.
    dates = st.one_of(st.dates().map(date.isoformat), st.text(max_size=12))
    ints = st.one_of(st.integers(-2, 102), st.integers(-(2**31), 2**31 - 1))
    scalars = {
        "String": text.map(nodes.String),
        "ID": text.map(nodes.String),
        "Date": dates.map(nodes.String),
        "Int": ints.map(nodes.Int),
    }
    valid = queries(schema, custom_scalars=scalars, print_ast=lambda document: document)
    invalid = queries(
        schema, custom_scalars=scalars, print_ast=lambda document: document, mode=Mode.NEGATIVE
    )
    return cast(st.SearchStrategy[graphql.DocumentNode], st.one_of(valid, invalid))


@pytest.fixture
async def target(loaded_url: str) -> AsyncIterator[Target]:
    # The rate limit is for the public, not for thousands of queries from one test.
    async with app_client(loaded_url, anon_rate_limit="1000000/minute") as client:
        response = await client.post("/graphql", json={"query": graphql.get_introspection_query()})
        assert response.status_code == 200, response.text
        schema = graphql.build_client_schema(response.json()["data"])
        response = await client.post("/graphql", json={"query": vocabulary_query(schema)})
        vocabulary = sorted(strings_in(response.json().get("data")))
        assert len(vocabulary) > 20, response.text
        yield Target(client, schema, documents(schema, vocabulary))


def with_variables(schema: graphql.GraphQLSchema, document: graphql.DocumentNode) -> dict[str, Any]:
    """The request body for ``document`` with each argument sent as a variable.

    Arguments whose value does not fit their type (the invalid documents) stay inline.
    """
    type_info = graphql.TypeInfo(schema)
    variables: dict[str, Any] = {}
    definitions: list[graphql.VariableDefinitionNode] = []

    class Lift(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            argument = type_info.get_argument()
            value = graphql.Undefined
            if argument is not None:
                value = graphql.value_from_ast(node.value, argument.type)
            if value is graphql.Undefined:
                return None
            name = graphql.NameNode(value=f"v{len(variables)}")
            variables[name.value] = value
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=name),
                    type=graphql.parse_type(str(argument.type)),  # type: ignore[union-attr]
                )
            )
            return graphql.ArgumentNode(name=node.name, value=graphql.VariableNode(name=name))

        def leave_operation_definition(
            self, node: graphql.OperationDefinitionNode, *_: Any
        ) -> graphql.OperationDefinitionNode:
            kept = {key: getattr(node, key) for key in node.keys if key != "variable_definitions"}
            return graphql.OperationDefinitionNode(**kept, variable_definitions=tuple(definitions))

    lifted = graphql.visit(document, graphql.TypeInfoVisitor(type_info, Lift()))
    return {"query": graphql.print_ast(lifted), "variables": variables}


def escape_surrogates(text: str) -> str:
    """Lone surrogates as GraphQL escapes: a URL cannot carry them as UTF-8."""
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m[0]):04x}", text)


def problems(status: int, body: Any) -> list[str]:
    """What is wrong with one answer; empty when it is an acceptable one."""
    found: list[str] = []
    if status >= 500:
        found.append(f"HTTP {status}")
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [*found, "the body is not a GraphQL response"]
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code == "INTERNAL_SERVER_ERROR":
            found.append(f"internal error: {error}")
        elif code is None and error.get("path"):
            found.append(f"a resolver's error without extensions.code: {error}")
    return found


@pytest.mark.parametrize("backend", FUZZ_BACKENDS)
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the work tree
    derandomize=not FULL,  # make test: the same examples every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_generated_queries_get_no_server_error(
    backend: str, target: Target, data: st.DataObject
) -> None:
    document = data.draw(target.documents, label="document")
    inline = data.draw(st.booleans(), label="inline arguments")
    method = data.draw(st.sampled_from(("POST", "GET")), label="method")
    accept = data.draw(st.sampled_from(ACCEPTS), label="accept")
    request: dict[str, Any] = {"query": graphql.print_ast(document)}
    if not inline:
        request = with_variables(target.schema, document)
    # json.dumps writes non-ASCII as \u escapes: lone surrogates go as JSON allows them.
    note(f"{method} {accept}: {json.dumps(request)}")
    try:
        if method == "POST":
            response = await target.client.post(
                "/graphql",
                content=json.dumps(request),
                headers={"accept": accept, "content-type": "application/json"},
            )
        else:
            params = {"query": escape_surrogates(request["query"])}
            if "variables" in request:
                params["variables"] = json.dumps(request["variables"])
            response = await target.client.get(
                "/graphql", params=params, headers={"accept": accept}
            )
    except Exception as exc:  # out of the app: a live server answers 500
        raise AssertionError(f"{method} {accept}: the app raised {exc!r}") from exc
    try:
        body: Any = response.json()
    except json.JSONDecodeError:
        body = response.text
    note(f"HTTP {response.status_code}: {str(body)[:2000]}")
    found = problems(response.status_code, body)
    assert not found, f"{method} {accept}\n{json.dumps(request)}\n{found}"
