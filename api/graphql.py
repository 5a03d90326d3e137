"""``/graphql``: Strawberry's ASGI view with dxgraph's HTTP rules around execution.

In order, for a GraphQL request (a browser's GET without a query gets GraphiQL):

1. the body is read up to ``max_body_bytes`` (413 beyond);
2. the caller is admitted: an API key (``X-API-Key`` or ``Authorization: Bearer``) is
   looked up (401 when unknown, revoked, or required and missing), then the caller's rate
   limit is counted (429 with ``Retry-After``);
3. the request is parsed (400 with a JSON ``errors`` list when it is not valid JSON);
   an Apollo persisted query is resolved or registered;
4. the response cache is asked (keyed by content version, query, variables, operation);
5. otherwise the operation runs (a mutation over GET is 405), its errors are coded and,
   for unexpected ones, logged with the request id (``api.errors.classify``);
6. GET answers carry an ``ETag`` and ``Cache-Control: public, max-age=60``; a matching
   ``If-None-Match`` gets 304.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import re
from typing import Any, cast

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from api import graphiql, keys
from api.cache import CachedResponse, etag_of, response_key, sha256_hex
from api.errors import (
    BAD_REQUEST,
    BAD_USER_INPUT,
    SERVICE_UNAVAILABLE,
    HttpError,
    classify,
    database_unavailable,
)
from api.logs import get_logger
from api.ratelimit import Decision
from schema.context import Context

log = get_logger()

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
GET_CACHE_CONTROL = "public, max-age=60"


class DxGraphQL(GraphQL[Context, None]):
    """The GraphQL endpoint; its collaborators live on the app's ``state`` (see api.app)."""

    def __init__(self, state: Any) -> None:
        super().__init__(state.schema, graphql_ide="graphiql")
        self._state = state
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

    # -- ASGI -----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HttpError as exc:
            response = exc.response(_request_id(request))
        except HTTPException as exc:
            status = exc.status_code
            code = "METHOD_NOT_ALLOWED" if status == 405 else BAD_REQUEST
            response = HttpError(status, exc.reason, code).response(_request_id(request))
        decision: Decision | None = getattr(request.state, "rate", None)
        if decision is not None:
            response.headers["RateLimit-Limit"] = str(decision.limit)
            response.headers["RateLimit-Remaining"] = str(decision.remaining)
        await response(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            sessionmaker=self._state.sessionmaker,
            dialect=self._state.engine.dialect.name,
            request=request,
            response=response,
            content_version=self._state.content_version.current,
            corpus_cache=self._state.corpus_cache,
        )

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A browser's GET with neither a query nor a persisted-query hash."""
        params = request.query_params
        return (
            request.method == "GET"
            and params.get("query") is None
            and params.get("extensions") is None
            and "text/html" in request.headers.get("accept", "")
        )

    @property
    def graphql_ide_html(self) -> str:
        return graphiql.page()

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HttpError(400, "The request must be a JSON object.", BAD_REQUEST)
        if _has_lone_surrogate(parsed):
            # valid JSON ("\ud800") but not Unicode text: nothing downstream can encode it
            raise HttpError(400, "The request holds a lone UTF-16 surrogate.", BAD_REQUEST)
        return parsed

    # -- the request ----------------------------------------------------------------------

    async def run(  # type: ignore[override]
        self, request: Request, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response:
        adapter = self.request_adapter_class(request)
        if not self.is_request_allowed(adapter):
            raise HttpError(405, "GraphQL only supports GET and POST requests.", BAD_REQUEST)
        if self.should_render_graphql_ide(adapter):
            return await self.render_graphql_ide(request)

        await self._read_body(request)
        await self._admit(request)
        data = await self.parse_http_body(adapter)
        if isinstance(data, list):
            raise HttpError(400, "Batched requests are not supported.", BAD_REQUEST)
        if data.operation_name is not None and not isinstance(data.operation_name, str):
            raise HttpError(400, "operationName must be a string.", BAD_REQUEST)
        data, register = await self._persisted_query(data)
        request.state.operation = data.operation_name or _operation_name(data.query)

        state = self._state
        version = state.content_version.current
        key = (
            f"{self._cache_namespace}:"
            + response_key(data.query, data.variables, data.operation_name)
            if data.query
            else None
        )
        if key is not None and version is not None:
            hit = await state.response_cache.get(version, key)
            if hit is not None:
                if register is not None:
                    await state.persisted_queries.set(*register)
                request.state.cache = "hit"
                state.metrics.cache_hits.inc()
                return self._respond(
                    request, hit.body, 200, hit.etag, _media_type(request.headers.get("accept"))
                )
            request.state.cache = "miss"
            state.metrics.cache_misses.inc()

        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        try:
            result = await self._execute(request, data, context)
        finally:
            await context.close()
        classified = classify(
            result.errors or [],
            request_id=_request_id(request),
            production=state.settings.production,
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
        status = classified.status or sub_response.status_code or 200
        media_type = _media_type(request.headers.get("accept"))
        if media_type == GRAPHQL_RESPONSE_JSON and isinstance(result, PreExecutionError):
            # GraphQL over HTTP: a request error under the new media type is a 400, no data
            payload.pop("data", None)
            status = 400
        body = self.encode_json(payload)
        body_bytes = body if isinstance(body, bytes) else body.encode("utf-8")
        etag = etag_of(body_bytes)

        if not classified.errors:
            if register is not None:
                await state.persisted_queries.set(*register)
            # store under the version read before executing: if a load landed meanwhile,
            # the entry is filed under the old version and never served again
            if key is not None and version is not None:
                await state.response_cache.set(version, key, CachedResponse(body_bytes, etag))
        return self._respond(
            request, body_bytes, status, etag if status == 200 else None, media_type
        )

    async def _execute(self, request: Request, data: GraphQLRequestData, context: Any) -> Any:
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            result: ExecutionResult = await self.schema.execute(
                data.query,
                variable_values=data.variables,
                context_value=context,
                operation_name=data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HttpError(400, exc.as_http_error_reason(), BAD_REQUEST) from exc
        except MissingQueryError as exc:
            raise HttpError(400, "No GraphQL query found in the request.", BAD_REQUEST) from exc
        except InvalidOperationTypeError as exc:
            raise HttpError(
                405,
                "Only queries can be sent with GET; use POST.",
                "METHOD_NOT_ALLOWED",
                headers={"Allow": "POST"},
            ) from exc
        return result

    def _respond(
        self,
        request: Request,
        body: bytes,
        status: int,
        etag: str | None,
        media_type: str = "application/json",
    ) -> Response:
        headers: dict[str, str] = {}
        if request.method == "GET" and etag is not None:
            headers["ETag"] = etag
            headers["Cache-Control"] = GET_CACHE_CONTROL
            if _etag_matches(request.headers.get("if-none-match"), etag):
                return Response(status_code=304, headers=headers)
        return Response(body, status_code=status, media_type=media_type, headers=headers)

    # -- steps ----------------------------------------------------------------------------

    async def _read_body(self, request: Request) -> None:
        """Read the body, refusing more than ``max_body_bytes`` before parsing anything."""
        limit: int = self._state.settings.max_body_bytes
        too_large = HttpError(
            413,
            f"The request body is larger than {limit} bytes.",
            "PAYLOAD_TOO_LARGE",
            extensions={"maxBytes": limit},
        )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large
        if request.method != "POST":
            return
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        request._body = b"".join(chunks)  # Starlette's own cache of the body

    async def _admit(self, request: Request) -> None:
        """Authenticate the caller (if a key is given or required) and count its rate."""
        state = self._state
        presented = keys.presented_key(request.headers)
        if presented is not None:
            try:
                record = await keys.authenticate(state.sessionmaker, presented)
            except Exception as exc:
                if database_unavailable(exc):
                    raise HttpError(
                        503,
                        "The database is not answering; try again shortly.",
                        SERVICE_UNAVAILABLE,
                    ) from exc
                raise
            if record is None:
                raise HttpError(
                    401,
                    "The API key is unknown or revoked.",
                    "UNAUTHENTICATED",
                    headers={"WWW-Authenticate": 'Bearer realm="dxgraph"'},
                )
            state.last_used.touch(record.id)
            request.state.caller = record.name
            identity, limit, caller = f"key:{record.id}", record.rate_limit, "key"
        elif state.settings.require_api_key:
            raise HttpError(
                401,
                "An API key is required: send it as X-API-Key or Authorization: Bearer.",
                "UNAUTHENTICATED",
                headers={"WWW-Authenticate": 'Bearer realm="dxgraph"'},
            )
        else:
            address = request.client.host if request.client else "unknown"
            identity, limit, caller = f"ip:{address}", state.settings.anon_rate_limit, "anonymous"
        try:
            decision: Decision = await state.rate_limiter.hit(identity, limit)
        except Exception as exc:  # a limiter that fails must not take the API down with it
            log.warning("rate_limit.unavailable", error=repr(exc))
            return
        request.state.rate = decision
        if not decision.allowed:
            state.metrics.rate_limited.labels(caller).inc()
            raise HttpError(
                429,
                f"Rate limit of {limit} spent; retry in {decision.retry_after} s.",
                "RATE_LIMITED",
                headers={"Retry-After": str(decision.retry_after)},
                extensions={"retryAfter": decision.retry_after},
            )

    async def _persisted_query(
        self, data: GraphQLRequestData
    ) -> tuple[GraphQLRequestData, tuple[str, str] | None]:
        """Resolve an Apollo persisted query; return what to register once it succeeds."""
        persisted = (data.extensions or {}).get("persistedQuery")
        if persisted is None:
            return data, None
        if (
            not isinstance(persisted, dict)
            or persisted.get("version") != 1
            or not isinstance(persisted.get("sha256Hash"), str)
        ):
            raise HttpError(
                400,
                "extensions.persistedQuery must be {version: 1, sha256Hash: <hex>}.",
                BAD_USER_INPUT,
            )
        digest = persisted["sha256Hash"].lower()
        if data.query:
            if not hmac.compare_digest(sha256_hex(data.query), digest):
                raise HttpError(400, "provided sha does not match query", BAD_USER_INPUT)
            return data, (digest, data.query)
        query = await self._state.persisted_queries.get(digest)
        if query is None:
            raise HttpError(
                200,
                "PersistedQueryNotFound",
                PERSISTED_QUERY_NOT_FOUND,
                headers={"Cache-Control": "private, no-store"},
            )
        return dataclasses.replace(data, query=query), None


_NAMED_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def _operation_name(query: str | None) -> str | None:
    """The name of a document's first operation when it leads the document (for logs)."""
    match = _NAMED_OPERATION.match(query or "")
    return match.group(1) if match else None


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


@functools.lru_cache(maxsize=256)
def _media_type(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client prefers it, else JSON."""
    if not accept:
        return "application/json"
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[media.lower()] = max(q, weights.get(media.lower(), 0.0))
    new = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    old = max(weights.get("application/json", 0.0), weights.get("*/*", 0.0) * 0.999)
    return GRAPHQL_RESPONSE_JSON if new > 0 and new >= old else "application/json"


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _request_id(request: Request) -> str:
    return cast(str, request.scope.get("state", {}).get("request_id", ""))


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
