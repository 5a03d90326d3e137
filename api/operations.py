"""Which operation of a document runs, and whether this HTTP request may run it.

A Strawberry schema extension (list it after the query limits). Once the document is
parsed (or taken from the document cache) it applies GraphQL over HTTP's rules that
Strawberry leaves to the transport:

- a document with several operations needs ``operationName`` (Strawberry would run the
  first one; the GraphQL spec requires an error): ``BAD_REQUEST``, HTTP 400;
- ``operationName`` must name one of them, and a document must hold at least one:
  ``BAD_REQUEST``, HTTP 400;
- a mutation over GET is ``METHOD_NOT_ALLOWED``, HTTP 405 with ``Allow: POST``.

It also notes, on the request's ``Exchange``, that execution started: until then every
error is a *request error*, which ``application/graphql-response+json`` answers with 400.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import OperationDefinitionNode, OperationType
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from api.errors import BAD_REQUEST, METHOD_NOT_ALLOWED
from schema.errors import ClientError


class OperationNotChosen(ClientError):
    code = BAD_REQUEST


class MethodNotAllowed(ClientError):
    code = METHOD_NOT_ALLOWED


@dataclass(slots=True)
class Exchange:
    """What the endpoint tells the extension about the HTTP request, and hears back."""

    #: the Starlette request
    http: Request
    method: str
    #: ``operationName`` as the client sent it (None: not sent)
    operation_name: str | None
    #: set once execution starts: errors before it are request errors
    executing: bool = False


def exchange_of(context: Any) -> Exchange | None:
    """The exchange the endpoint put on the GraphQL context as its ``request`` (None when
    the schema runs outside HTTP, e.g. in a test calling ``schema.execute``)."""
    exchange = getattr(context, "request", None)
    return exchange if isinstance(exchange, Exchange) else None


class OperationRules(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        # Raised after parsing, this reaches Strawberry's ``Schema.execute``, which answers
        # ``{"data": null, "errors": [it]}`` before validating or executing anything.
        document = self.execution_context.graphql_document
        exchange = exchange_of(self.execution_context.context)
        if document is None or exchange is None:
            return  # a syntax error: the parser's message says what is wrong
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        name = exchange.operation_name
        if not operations:
            raise OperationNotChosen("The document holds no operation to run.")
        if name is None:
            if len(operations) > 1:
                raise OperationNotChosen(
                    "The document holds several operations: say which to run in operationName."
                )
            chosen = operations[0]
        else:
            found = [op for op in operations if op.name is not None and op.name.value == name]
            if not found:
                raise OperationNotChosen(f"The document has no operation named {name!r}.")
            chosen = found[0]
        if exchange.method != "POST" and chosen.operation is not OperationType.QUERY:
            raise MethodNotAllowed(f"Only queries can be sent with {exchange.method}; use POST.")

    def on_execute(self) -> Iterator[None]:
        exchange = exchange_of(self.execution_context.context)
        if exchange is not None:
            exchange.executing = True
        yield
