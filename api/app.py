"""The Starlette application, built explicitly by ``create_app(settings)``.

Everything the endpoints share is one typed ``AppState`` (api.state), also reachable as
``app.state``: the engines, the schema, the rate limiter, the caches, the content version,
the API keys' last-used buffer and the metrics.
The lifespan opens them, runs two background loops (content version, last-used times)
and closes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from cachetools import LRUCache
from redis.asyncio import Redis
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from strawberry.extensions import DisableIntrospection
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import graphiql, keys
from api.cache import (
    Breaker,
    ContentVersion,
    MemoryStore,
    PersistedQueries,
    RedisStore,
    ResponseCache,
)
from api.document_cache import DocumentStore, document_cache
from api.errors import ErrorStages
from api.graphql import CachedGets, GraphQLEndpoint
from api.limits import query_limits
from api.logs import configure_logging, get_logger
from api.metrics import Metrics
from api.observe import ObserveRequests
from api.operations import OperationRules
from api.ratelimit import RateLimiter, parse_limit
from api.settings import Settings
from api.state import AppState
from db.session import StatementCounter, create_engine, create_sessionmaker, is_sqlite
from schema.root import build_schema

log = get_logger()


def _engine_options(settings: Settings, *, pooled: bool = True) -> dict[str, Any]:
    """``DXGRAPH_DB_TIMEOUT`` on every connection: connecting, waiting for the pool, and
    each statement, so a hung database holds no request longer than that."""
    timeout = settings.db_timeout
    if is_sqlite(settings.database_url):
        # a local file cannot hang; the busy timeout bounds waiting for a load's lock
        options: dict[str, Any] = {"connect_args": {"timeout": timeout}}
        if pooled:
            # a fixed pool: SQLAlchemy's default (5, and 10 more under load) meant a thread
            # per connection, up to 15, all contending for the interpreter
            options.update(
                pool_size=settings.sqlite_pool_size,
                max_overflow=0,
                pool_timeout=timeout,
                # short reads on the loop, the rest on the connection's thread
                inline_reads=True,
            )
        return options
    connect_args = {
        # fail fast when the server is gone rather than wait for the OS' connect timeout
        "timeout": timeout,
        # the client gives up on a statement that long: a stopped server cannot enforce
        # its own timeout
        "command_timeout": timeout,
        # and the server cancels it, so an abandoned statement does not run on
        "server_settings": {"statement_timeout": str(max(1, round(timeout * 1000)))},
    }
    options = {"connect_args": connect_args}
    if pooled:
        # a request holds one connection for its snapshot: a pool smaller than the
        # concurrency reopens connections all the time under load, and a smaller fixed
        # one measured slower (bench/README.md, "Third pass")
        options.update(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_timeout=timeout,
        )
    return options


def _one_snapshot_per_transaction(engine: AsyncEngine) -> None:
    """Every statement of a request's session reads the same committed content.

    A request runs many statements over its one session (api.graphql, schema.context);
    a load committing between two of them used to give answers mixing two content
    versions, or failing (a search entry whose item had gone). PostgreSQL: REPEATABLE
    READ, a snapshot from the first statement (read-only: never a serialization error).
    SQLite: the driver's implicit transactions start only at a write, so each SELECT read
    on its own; an explicit BEGIN (SQLAlchemy's documented recipe for pysqlite) makes the
    session one read transaction, which WAL serves from one snapshot. It is sent on the
    driver connection itself, so statement counts stay those of the request's queries.
    """
    if engine.dialect.name == "postgresql":
        engine.sync_engine.update_execution_options(isolation_level="REPEATABLE READ")
        return

    @event.listens_for(engine.sync_engine, "connect")
    def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute("BEGIN")
        finally:
            cursor.close()


async def _every(interval: float, work: Callable[[], Awaitable[Any]], name: str) -> None:
    """Run ``work`` every ``interval`` seconds until cancelled; log and survive failures."""
    while True:
        await asyncio.sleep(interval)
        try:
            await work()
        except Exception as exc:
            log.warning("background.failed", task=name, error=repr(exc))


#: search statistics kept: the corpus's and one per distinct query word
CORPUS_CACHE_ENTRIES = 50_000

#: the youngest generation's threshold when serving (Python's default is 700)
GC_GEN0_THRESHOLD = 20_000


def _tune_gc() -> None:
    """Make the cyclic garbage collector cheaper for a long-running server.

    Everything alive once the app has started (modules, the schema, the engine) is moved to
    the permanent generation, so the collector stops walking it, and the youngest
    generation is collected every 20,000 allocations instead of 700. Measured with wrk on
    the citizen Q&A and nested scenarios, collections took 20 % of the CPU time before and
    about 10 % after (bench/README.md). Only ``dxgraph serve`` does this: a test process
    builds many apps, and frozen objects are never collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])


def create_server_app() -> Starlette:
    """The app ``dxgraph serve`` runs (uvicorn's factory): ``create_app`` + GC tuning."""
    return create_app(tune_gc=True)


def create_app(settings: Settings | None = None, *, tune_gc: bool = False) -> Starlette:
    """Build the app: routes, middleware and a lifespan that owns the database engine.

    ``tune_gc`` (``dxgraph serve`` only, through ``create_server_app``): see ``_tune_gc``.
    """
    settings = settings or Settings()
    configure_logging()
    parse_limit(settings.anon_rate_limit)  # a malformed limit fails here, not per request
    if "*" in settings.forwarded_allow_ips:
        # every peer trusted: a client's own X-Forwarded-For picks its rate-limit bucket
        log.warning("proxies.trust_everyone", forwarded_allow_ips=settings.forwarded_allow_ips)

    documents = DocumentStore()
    # the document cache first (a hit skips the token count and validation), then the
    # limits: a hook entered before a limit refuses the request is never left
    # OperationRules after the limits: its on_execute marks the start of execution, which
    # a limit refusing the request must come before
    extensions: list[Any] = [
        document_cache(documents),
        query_limits(settings),
        ErrorStages,
        OperationRules,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)

    state = AppState(
        settings=settings,
        documents=documents,
        schema=build_schema(extensions=extensions),
        metrics=Metrics(),
        last_used=keys.LastUsed(),
        corpus_cache=LRUCache(maxsize=CORPUS_CACHE_ENTRIES),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, **_engine_options(settings))
        _one_snapshot_per_transaction(engine)
        options = _engine_options(settings, pooled=False)
        # Readiness opens a new connection each time: a pooled one can outlive its server
        # (or, with SQLite, its file) and would say "ready" when nothing new can connect.
        probe = create_engine(settings.database_url, poolclass=NullPool, **options)
        # background reads (content version, last-used writes) stay off the request pool
        # and out of the per-request statement counts
        background = create_engine(settings.database_url, poolclass=NullPool, **options)
        state.engine = engine
        state.statements = StatementCounter(engine)
        other_statements = [StatementCounter(probe), StatementCounter(background)]
        state.metrics.count_statements(
            lambda: state.statements.count + sum(c.count for c in other_statements)
        )
        state.probe_engine = probe
        state.sessionmaker = create_sessionmaker(engine)
        background_sessions = create_sessionmaker(background)

        redis = (
            Redis.from_url(
                settings.redis_url,
                socket_timeout=settings.redis_timeout,
                socket_connect_timeout=settings.redis_timeout,
            )
            if settings.redis_url
            else None
        )
        state.redis = redis
        if redis is not None:
            breaker = Breaker()  # one Redis: one failure pauses both stores
            state.response_cache = ResponseCache(RedisStore(redis, "dxgraph:cache:", breaker))
            state.persisted_queries = PersistedQueries(RedisStore(redis, "dxgraph:apq:", breaker))
        else:
            state.response_cache = ResponseCache(MemoryStore(settings.cache_bytes))
            state.persisted_queries = PersistedQueries(MemoryStore(settings.persisted_query_bytes))
        state.rate_limiter = RateLimiter(
            settings.rate_limit_redis_url or settings.redis_url, timeout=settings.redis_timeout
        )
        state.content_version = ContentVersion(background)
        await state.content_version.refresh()

        tasks = [
            asyncio.create_task(
                _every(
                    settings.version_poll_interval,
                    state.content_version.refresh,
                    "content-version",
                ),
                name="content-version",
            ),
            asyncio.create_task(
                _every(
                    settings.last_used_flush_interval,
                    lambda: state.last_used.flush(background_sessions),
                    "last-used",
                ),
                name="last-used",
            ),
        ]
        if tune_gc:
            _tune_gc()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await state.last_used.flush(background_sessions)
            if redis is not None:
                await redis.aclose()
            await engine.dispose()
            await probe.dispose()
            await background.dispose()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        """Ready when the database answers and, if configured, Redis does too."""
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(settings.db_timeout):
                async with state.probe_engine.connect() as conn:
                    # a migrated database answers this; an empty file or a fresh server not
                    await conn.execute(text("SELECT version FROM content_version"))
            checks["database"] = "ok"
        except Exception as exc:  # any failure to reach the database means not ready
            checks["database"] = type(exc).__name__
        if state.redis is not None:
            try:
                async with asyncio.timeout(settings.redis_timeout):
                    await state.redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:  # caches miss and limits admit, but say so
                checks["redis"] = type(exc).__name__
        if settings.rate_limit_redis_url or settings.redis_url:
            try:
                async with asyncio.timeout(settings.redis_timeout):
                    healthy = await state.rate_limiter.healthy()
                checks["rate_limits"] = "ok" if healthy else "unreachable"
            except Exception as exc:
                checks["rate_limits"] = type(exc).__name__
        failed = {name: error for name, error in checks.items() if error != "ok"}
        if failed:
            error = failed.get("database") or next(iter(failed.values()))
            return JSONResponse(
                {"status": "unavailable", "error": error, "checks": checks}, status_code=503
            )
        return JSONResponse({"status": "ready", "checks": checks})

    async def metrics(request: Request) -> Response:
        if settings.metrics_token and not hmac.compare_digest(
            request.headers.get("authorization", "").encode(),
            f"Bearer {settings.metrics_token}".encode(),
        ):
            return PlainTextResponse(
                "metrics need Authorization: Bearer <DXGRAPH_METRICS_TOKEN>\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="dxgraph-metrics"'},
            )
        return Response(state.metrics.render(), media_type=Metrics.CONTENT_TYPE)

    endpoint = GraphQLEndpoint(state)
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/graphql", endpoint),
            Mount(graphiql.PREFIX, app=graphiql.assets(), name="graphiql-assets"),
        ],
        middleware=[
            # the client address from X-Forwarded-For, only through the configured proxies
            # (uvicorn's proxy handling is off: this app owns it, so tests see it too)
            Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips),
            Middleware(ObserveRequests, metrics=state.metrics),
            # cache hits of GETs, answered before CORS and routing (api.graphql)
            Middleware(CachedGets, endpoint=endpoint),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                expose_headers=["ETag", "Retry-After", "X-Request-ID"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )
    # Starlette types app.state as its untyped State bag; ours is the typed AppState
    app.state = state  # type: ignore[assignment]
    return app
