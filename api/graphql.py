"""``/graphql``: a plain ASGI endpoint that runs GraphQL over HTTP with Strawberry's public
``Schema.execute``.

Each step is a call into the module that owns it; this one only puts them in order:

1. a browser's GET without a query gets GraphiQL (``api.graphiql``); a method other than
   GET and POST is 405 ``METHOD_NOT_ALLOWED`` with ``Allow: GET, POST``;
2. the body is read (``api.decoding``: 413, 408);
3. the caller is admitted (``api.admission``: 401, 429 with ``Retry-After``), then the
   request decoded (``api.decoding``: 415, 400 with a JSON ``errors`` list);
4. an Apollo persisted query is resolved, then the response cache is asked
   (``api.cache``: keyed by content version, query, variables, operation);
5. otherwise the operation runs (``api.operations`` picks it and refuses a mutation over
   GET with 405); its errors are coded and the unexpected ones logged with the request id
   (``api.errors.classify``);
6. answers are UTF-8 JSON, coded (brotli, gzip) when the client accepts it and they are
   large enough (``api.compression``: cached answers keep their coded forms);
7. GET answers carry an ``ETag`` and a ``Cache-Control`` policy; a matching
   ``If-None-Match`` gets 304 (``api.cache``).
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import graphiql
from api.admission import Admission, rate_headers
from api.cache import (
    CachedResponse,
    cache_headers,
    etag_matches,
    etag_of,
    resolve_persisted,
    response_key,
    sha256_hex,
)
from api.compression import MIN_BYTES, VARY, accepted_coding, coded_etag
from api.decoding import (
    GRAPHQL_RESPONSE_JSON,
    GraphQLRequest,
    decode_get,
    decode_post,
    read_body,
    response_media_type,
    wants_html,
)
from api.errors import BAD_REQUEST, METHOD_NOT_ALLOWED, HttpError, classify
from api.logs import get_logger
from api.operations import Exchange
from api.ratelimit import Decision
from api.state import AppState
from schema.context import Context

log = get_logger()

ALLOWED_METHODS = "GET, POST"


class GraphQLEndpoint:
    """The GraphQL endpoint; its collaborators live on the app's ``state`` (see api.app)."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._admission = Admission(state)
        settings = state.settings
        # instances sharing a Redis cache with other limits must not share answers
        self._cache_namespace = sha256_hex(
            repr(
                (
                    settings.max_depth,
                    settings.max_aliases,
                    settings.max_tokens,
                    settings.max_cost,
                    settings.max_page_size,
                    settings.introspection,
                )
            )
        )[:12]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.respond(request)
        except HttpError as exc:
            response = exc.response(_request_id(request))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        if request.method not in {"GET", "POST"}:
            raise HttpError(
                405,
                "GraphQL only supports GET and POST requests.",
                METHOD_NOT_ALLOWED,
                headers={"Allow": ALLOWED_METHODS},
            )
        if wants_html(request):
            return HTMLResponse(graphiql.page())
        settings = self._state.settings
        # a GET's body means nothing, but a declared size over the limit is still 413
        body = await read_body(request, settings.max_body_bytes, settings.body_timeout)
        # admitted before decoding: a caller sending malformed requests spends its rate
        admitted = await self._admission.admit(request)
        request.state.caller = admitted.name
        if request.method == "POST":
            data = decode_post(request.headers, body)
        else:
            data = decode_get(request.query_params)
        response = await self._graphql(request, data)
        response.headers.update(rate_headers(admitted.decision))
        return response

    async def _graphql(self, request: Request, data: GraphQLRequest) -> Response:
        state = self._state
        data, register = await resolve_persisted(data, state.persisted_queries)
        if not data.query:
            raise HttpError(400, "No GraphQL query found in the request.", BAD_REQUEST)
        request.state.operation = data.operation_name or _operation_name(data.query)
        media_type = response_media_type(request.headers.get("accept"))

        version = state.content_version.current
        key = f"{self._cache_namespace}:" + response_key(
            data.query, data.variables, data.operation_name
        )
        if version is not None:
            hit = await state.response_cache.get(version, key)
            if hit is not None:
                if register is not None:
                    await state.persisted_queries.set(*register)
                request.state.cache = "hit"
                state.metrics.cache_hits.inc()
                self._remember_get(request, version, key)
                return self._answer(request, hit.body, 200, hit.etag, media_type, keep=True)
            request.state.cache = "miss"
            state.metrics.cache_misses.inc()

        exchange = Exchange(http=request, method=request.method, operation_name=data.operation_name)
        context = Context(
            sessionmaker=state.sessionmaker,
            dialect=state.engine.dialect.name,
            request=exchange,
            content_version=version,
            corpus_cache=state.corpus_cache,
        )
        try:
            result = await state.schema.execute(
                data.query,
                variable_values=data.variables,
                context_value=context,
                operation_name=data.operation_name,
                operation_extensions=data.extensions,
            )
        finally:
            await context.close()
        request_error = not exchange.executing
        classified = classify(
            result.errors or [],
            request_id=_request_id(request),
            production=state.settings.production,
            before_execution=request_error,
        )
        for exc in classified.internal:
            log.error(
                "graphql.internal_error",
                request_id=_request_id(request),
                operation=data.operation_name,
                exc_info=exc,
            )
        payload: dict[str, Any] = {"data": result.data}
        if classified.errors:
            payload["errors"] = classified.errors
        if result.extensions:
            payload["extensions"] = result.extensions
        status = classified.status or 200
        if request_error and (status != 200 or media_type == GRAPHQL_RESPONSE_JSON):
            # GraphQL over HTTP: a request error carries no data; under the new media
            # type it is a 400 (or its own status: 405 for a mutation over GET)
            payload.pop("data", None)
            status = 400 if status == 200 else status
        body = encode_json(payload)
        etag = etag_of(body)

        if not classified.errors:
            if register is not None:
                await state.persisted_queries.set(*register)
            # store under the version read before executing: if a load landed meanwhile,
            # the entry is filed under the old version and never served again
            if version is not None:
                await state.response_cache.set(version, key, CachedResponse(body, etag))
                self._remember_get(request, version, key)
        response = self._answer(request, body, status, etag, media_type, keep=not classified.errors)
        if status == 405:
            response.headers["Allow"] = "POST"
        return response

    def _remember_get(self, request: Request, version: int, key: str) -> None:
        """File a GET's raw query string under its cache key, for ``answer_hit``."""
        if request.method == "GET" and _fast_path_eligible(request.scope):
            self._state.get_keys.remember(
                version, request.scope["query_string"], key, request.state.operation
            )

    async def answer_hit(self, scope: Scope, send: Send) -> bool:
        """Answer a GET whose query string is known to be cached; False to go the long way.

        ``CachedGets`` calls this before routing and the other middleware. A query string
        answered before maps to its response-cache key (``GetKeys``), so a hit skips the
        body, decoding, the persisted-query lookup and the key's digests. What stays is
        what a hit must still do: admission (key, rate limit), the ETag, 304 and coding,
        the metrics and the log line (``ObserveRequests`` runs around this). An entry
        the cache has dropped falls through before admission counts anything, so no
        request is counted twice.
        """
        state = self._state
        version = state.content_version.current
        if version is None or not _fast_path_eligible(scope):
            return False
        known = state.get_keys.get(version, scope["query_string"])
        if known is None:
            return False
        key, operation = known
        hit = await state.response_cache.get(version, key)
        if hit is None:
            return False
        request = Request(scope)
        request.state.operation = operation
        try:
            admitted = await self._admission.admit(request)
        except HttpError as exc:
            response = exc.response(_request_id(request))
            # what CORSMiddleware, skipped here, adds to a response to a request without Origin
            response.headers["Vary"] = ", ".join([*response.headers.getlist("Vary"), "Origin"])
            await response(scope, _no_body, send)
            return True
        request.state.caller = admitted.name
        request.state.cache = "hit"
        state.metrics.cache_hits.inc()
        await self._send_hit(request, hit, admitted.decision, send)
        return True

    async def _send_hit(
        self, request: Request, hit: CachedResponse, decision: Decision | None, send: Send
    ) -> None:
        """A cached answer as two ASGI messages, with the headers ``_answer`` and
        CORSMiddleware would give it (``_coded``: identity or coded, 200 or 304), without
        building a ``Response`` for each hit."""
        status, body, headers = self._coded(request, hit.body, 200, hit.etag, keep=True)
        headers["Vary"] += ", Origin"  # what CORSMiddleware adds to a request without Origin
        if status != 304:
            headers["Content-Length"] = str(len(body))
            headers["Content-Type"] = response_media_type(request.headers.get("accept"))
        headers.update(rate_headers(decision))
        raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    def _answer(
        self,
        request: Request,
        body: bytes,
        status: int,
        etag: str,
        media_type: str,
        *,
        keep: bool,
    ) -> Response:
        """The response for ``body`` (tagged ``etag``), coded as the client accepts."""
        status, body, headers = self._coded(request, body, status, etag, keep=keep)
        if status == 304:
            return Response(status_code=304, headers=headers)
        return Response(body, status_code=status, media_type=media_type, headers=headers)

    def _coded(
        self, request: Request, body: bytes, status: int, etag: str, *, keep: bool
    ) -> tuple[int, bytes, dict[str, str]]:
        """What the answer ``body`` (tagged ``etag``) goes out as: its status (304 when a
        GET's ``If-None-Match`` names it), body coded as the client accepts, and headers.

        ``keep``: the answer is cacheable, so its coded form is kept for the next hit.
        """
        coding = (
            accepted_coding(request.headers.get("accept-encoding"))
            if len(body) >= MIN_BYTES
            else None
        )
        headers = {"Vary": VARY}
        if request.method == "GET" and status == 200:
            tag = etag if coding is None else coded_etag(etag, coding)
            headers = cache_headers(tag, keys_required=self._state.settings.require_api_key)
            if etag_matches(request.headers.get("if-none-match"), tag):
                return 304, b"", headers
        if coding is not None:
            body = self._state.coded_answers.encode(body, etag, coding, keep=keep)
            headers["Content-Encoding"] = coding
        return status, body, headers


#: request headers that send a GET the long way: a body to read and bound, or CORS
_LONG_WAY_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"origin"})


def _fast_path_eligible(scope: Scope) -> bool:
    return scope["method"] == "GET" and not any(
        name in _LONG_WAY_HEADERS for name, _ in scope["headers"]
    )


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class CachedGets:
    """Pure ASGI middleware: cache hits of ``GET /graphql`` answered before routing
    (``GraphQLEndpoint.answer_hit``); everything else goes on to the app."""

    def __init__(self, app: ASGIApp, endpoint: GraphQLEndpoint) -> None:
        self.app = app
        self._endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and await self._endpoint.answer_hit(scope, send)
        ):
            return
        await self.app(scope, receive, send)


def encode_json(payload: dict[str, Any]) -> bytes:
    """The answer as compact UTF-8 JSON (Vietnamese letters as themselves, not escapes).

    A string literal in the query may hold a lone surrogate, which an error message can
    echo and no UTF-8 encoder takes: such an answer falls back to ASCII-only JSON, where
    it is a ``\\uXXXX`` escape as JSON allows.
    """
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


_NAMED_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def _operation_name(query: str) -> str | None:
    """The name of a document's first operation when it leads the document (for logs)."""
    match = _NAMED_OPERATION.match(query)
    return match.group(1) if match else None


def _request_id(request: Request) -> str:
    return cast(str, request.scope.get("state", {}).get("request_id", ""))
