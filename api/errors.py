"""Every error a client sees carries ``extensions.code`` (CLI.md "Limits, keys and errors").

- ``HttpError``: refused before GraphQL runs (401, 405, 413, 429, 400, 503…), answered as
  a JSON ``errors`` list with the given HTTP status.
- ``ErrorStages``: a Strawberry extension that codes parse and validation errors.
- ``classify``: after execution, codes what is left: the database not answering is
  ``SERVICE_UNAVAILABLE`` (HTTP 503); anything unexpected is ``INTERNAL_SERVER_ERROR``
  with the request id, logged with its traceback. Its message never reaches the client
  (a driver's message holds the SQL and its parameters, a traceback's the paths): in
  development it names the exception's class, in production not even that, and no
  error suggests field names. Request errors coded ``BAD_REQUEST`` (no operation to
  run) or ``METHOD_NOT_ALLOWED`` (a mutation over GET) set the HTTP status.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.exc
from graphql import GraphQLError
from starlette.responses import JSONResponse
from strawberry.extensions import SchemaExtension

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"

#: the HTTP status of a request error with this code (any other error answers 200)
REQUEST_ERROR_STATUS = {BAD_REQUEST: 400, METHOD_NOT_ALLOWED: 405}

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass
class HttpError(Exception):
    """A request refused at the HTTP level."""

    status: int
    message: str
    code: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)

    def response(self, request_id: str | None = None) -> JSONResponse:
        extensions: dict[str, Any] = {"code": self.code, **self.extensions}
        if request_id:
            extensions["requestId"] = request_id
        return JSONResponse(
            {"errors": [{"message": self.message, "extensions": extensions}]},
            status_code=self.status,
            headers=self.headers,
        )


class ErrorStages(SchemaExtension):
    """Codes the errors graphql-core reports while parsing and validating a document."""

    def on_parse(self) -> Iterator[None]:
        yield
        _code_uncoded(self.execution_context.pre_execution_errors, PARSE_FAILED)

    def on_validate(self) -> Iterator[None]:
        yield
        _code_uncoded(self.execution_context.pre_execution_errors, VALIDATION_FAILED)


def _code_uncoded(errors: list[GraphQLError] | None, code: str) -> None:
    for error in errors or ():
        if error.extensions is None:
            error.extensions = {}
        if not error.extensions.get("code"):
            error.extensions["code"] = code


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(
            exc,
            sqlalchemy.exc.OperationalError
            | sqlalchemy.exc.InterfaceError
            | sqlalchemy.exc.TimeoutError
            | ConnectionError
            | TimeoutError
            | asyncio.TimeoutError
            | OSError,
        ):
            return True
        if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
            return True
        if type(exc).__module__.startswith("asyncpg") and type(exc).__name__ in {
            "CannotConnectNowError",
            "ConnectionDoesNotExistError",
            "InterfaceError",
            "AdminShutdownError",
            "ConnectionFailureError",
            # statement_timeout (DXGRAPH_DB_TIMEOUT): the database did not answer in time
            "QueryCanceledError",
        }:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@dataclass
class Classified:
    """The client's view of a result's errors, and what the server must do about them."""

    errors: list[dict[str, Any]]
    #: the HTTP status the errors call for (503 when the database is down), or None
    status: int | None = None
    #: unexpected exceptions, to be logged with the request id
    internal: list[BaseException] = field(default_factory=list)


def classify(
    errors: list[GraphQLError],
    *,
    request_id: str,
    production: bool,
    before_execution: bool = False,
) -> Classified:
    """Give every error a code; mask and collect the unexpected ones.

    ``before_execution``: the errors are request errors (nothing was executed), whose
    codes may call for an HTTP status of their own (``REQUEST_ERROR_STATUS``).
    """
    out = Classified(errors=[])
    for error in errors:
        formatted: dict[str, Any] = dict(error.formatted)
        extensions: dict[str, Any] = dict(formatted.get("extensions") or {})
        original = error.original_error
        if not extensions.get("code"):
            if original is None or isinstance(original, GraphQLError):
                # graphql-core's own complaints after validation: variables that do not
                # coerce to their declared types
                extensions["code"] = BAD_USER_INPUT
            elif database_unavailable(original):
                extensions["code"] = SERVICE_UNAVAILABLE
                formatted["message"] = "The database is not answering; try again shortly."
                out.status = 503
            elif isinstance(original, sqlalchemy.exc.DataError | OverflowError):
                # a value from the request the database cannot take (a NUL in text on
                # PostgreSQL, an integer beyond 64 bits): the input's fault, said without
                # the statement or its parameters
                extensions["code"] = BAD_USER_INPUT
                formatted["message"] = "A value in the request is out of range for this field."
            else:
                extensions["code"] = INTERNAL_SERVER_ERROR
                extensions["requestId"] = request_id
                out.internal.append(original)
                formatted["message"] = (
                    "Internal server error"
                    if production
                    else f"Internal server error ({type(original).__name__}; see the log)"
                )
        status = REQUEST_ERROR_STATUS.get(extensions.get("code", ""))
        if before_execution and status is not None and out.status is None:
            out.status = status
        if production and (original is None or isinstance(original, GraphQLError)):
            formatted["message"] = _SUGGESTION.sub("", formatted["message"])
        formatted["extensions"] = extensions
        out.errors.append(formatted)
    return out
