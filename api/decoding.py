"""Reading a GraphQL-over-HTTP request: body limits, media types, JSON decoding.

Everything a client can put in a request body or query string is checked here, before
any GraphQL work, and every refusal is an ``HttpError`` with its status and code:

- the body is read up to ``max_body_bytes`` (413 ``PAYLOAD_TOO_LARGE``), counted as it
  arrives when no ``Content-Length`` is declared;
- a POST must be ``application/json`` (media types compare case-insensitively) in UTF-8:
  another media type or charset is 415 ``UNSUPPORTED_MEDIA_TYPE``;
- the JSON must be valid UTF-8 text, an object, nested at most ``MAX_JSON_DEPTH`` levels,
  free of lone surrogates, ``NaN``/``Infinity`` and integers beyond Python's 4300 digits:
  400 ``BAD_REQUEST`` otherwise (each used to be a 500 deep in the stack);
- ``query`` and ``operationName`` are strings, ``variables`` and ``extensions`` objects.

The response side of content negotiation (``response_media_type``) lives here as well:
it reads the same kind of header.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
from dataclasses import dataclass, replace
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request

from api.errors import BAD_REQUEST, HttpError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
#: deepest nesting of arrays and objects accepted in a request's JSON (variables included);
#: the schema's deepest input is two levels below ``variables``
MAX_JSON_DEPTH = 32

UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """One GraphQL request as the client sent it (GraphQL over HTTP's four members)."""

    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None

    def with_query(self, query: str) -> GraphQLRequest:
        return replace(self, query=query)


def _bad(message: str) -> HttpError:
    return HttpError(400, message, BAD_REQUEST)


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The body, refusing more than ``limit`` bytes before anything is parsed, or a
    client that takes longer than ``timeout`` seconds to send it (408)."""
    try:
        async with asyncio.timeout(timeout):
            return await _read_body(request, limit)
    except TimeoutError as exc:
        raise HttpError(
            408,
            f"The request body took longer than {timeout:g} s to arrive.",
            REQUEST_TIMEOUT,
            headers={"Connection": "close"},
        ) from exc


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = HttpError(
        413,
        f"The request body is larger than {limit} bytes.",
        PAYLOAD_TOO_LARGE,
        extensions={"maxBytes": limit},
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """``Application/JSON; Charset="UTF-8"`` → ``("application/json", {"charset": "utf-8"})``."""
    kind, *params = (header or "").split(";")
    parameters: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        parameters[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), parameters


def decode_post(headers: Headers, body: bytes) -> GraphQLRequest:
    """A POST body → the request; 415 or 400 when it is not a GraphQL JSON object."""
    kind, parameters = media_type(headers.get("content-type"))
    if kind != JSON:
        raise HttpError(415, "Send the request as application/json.", UNSUPPORTED_MEDIA_TYPE)
    charset = parameters.get("charset", "utf-8")
    if charset not in {"utf-8", "utf8"}:
        raise HttpError(415, f"The charset must be UTF-8, not {charset!r}.", UNSUPPORTED_MEDIA_TYPE)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(f"The body is not valid UTF-8 (byte {exc.start}).") from exc
    parsed = parse_json(text.removeprefix("\ufeff"))
    if isinstance(parsed, list):
        raise _bad("Batched requests are not supported.")
    if not isinstance(parsed, dict):
        raise _bad("The request must be a JSON object.")
    return _request(parsed)


def decode_get(params: QueryParams) -> GraphQLRequest:
    """A GET's query string → the request (``variables``, ``extensions`` as JSON text)."""
    data: dict[str, Any] = {"query": params.get("query"), "operationName": None}
    if params.get("operationName"):
        data["operationName"] = params["operationName"]
    for member in ("variables", "extensions"):
        raw = params.get(member)
        if raw:
            data[member] = parse_json(raw)
    return _request(data)


def _request(data: dict[str, Any]) -> GraphQLRequest:
    query = data.get("query")
    if not isinstance(query, str | None):
        raise _bad("The GraphQL operation's `query` must be a string or null, if provided.")
    operation = data.get("operationName")
    if not isinstance(operation, str | None):
        raise _bad("operationName must be a string.")
    members: dict[str, dict[str, Any] | None] = {}
    for member in ("variables", "extensions"):
        value = data.get(member)
        if not isinstance(value, dict | None):
            raise _bad(f"The GraphQL operation's `{member}` must be an object or null.")
        members[member] = value
    return GraphQLRequest(query, members["variables"], operation, members["extensions"])


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large for a number")
    return value


def parse_json(text: str) -> Any:
    """Strict JSON: 400 for anything but plain JSON text holding Unicode strings."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as exc:
        raise _bad(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.") from exc
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, integers over 4300 digits
        raise _bad(f"The body is not valid JSON: {exc}.") from exc
    _check_shape(value)
    return value


def _check_shape(value: Any) -> None:
    """Nesting depth and lone surrogates, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                # valid JSON ("\ud800") but not Unicode text: nothing downstream encodes it
                raise _bad("The request holds a lone UTF-16 surrogate.")
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _bad(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=256)
def response_media_type(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client prefers it, else JSON."""
    if not accept:
        return JSON
    weights: dict[str, float] = {}
    for part in accept.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[kind.lower()] = max(q, weights.get(kind.lower(), 0.0))
    new = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    old = max(weights.get(JSON, 0.0), weights.get("*/*", 0.0) * 0.999)
    return GRAPHQL_RESPONSE_JSON if new > 0 and new >= old else JSON


def wants_html(request: Request) -> bool:
    """A browser's GET with neither a query nor a persisted-query hash: GraphiQL."""
    params = request.query_params
    return (
        request.method == "GET"
        and params.get("query") is None
        and params.get("extensions") is None
        and "text/html" in request.headers.get("accept", "").lower()
    )
