"""The Starlette application, built explicitly by ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from api.settings import Settings
from db.session import StatementCounter, create_engine, create_sessionmaker
from schema.context import Context
from schema.root import build_schema


class DxGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with dxgraph's per-request context."""

    def __init__(self, settings: Settings, state: Any) -> None:
        super().__init__(build_schema(production=settings.production), graphql_ide="graphiql")
        self._state = state

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            sessionmaker=self._state.sessionmaker,
            dialect=self._state.engine.dialect.name,
            request=request,
            response=response,
        )


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app: routes, middleware and a lifespan that owns the database engine."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        # Readiness opens a new connection each time: a pooled one can outlive its server
        # (or, with SQLite, its file) and would say "ready" when nothing new can connect.
        probe = create_engine(settings.database_url, poolclass=NullPool)
        app.state.engine = engine
        app.state.statements = StatementCounter(engine)
        app.state.probe_engine = probe
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()
            await probe.dispose()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        try:
            async with asyncio.timeout(settings.db_timeout):
                async with request.app.state.probe_engine.connect() as conn:
                    # a migrated database answers this; an empty file or a fresh server not
                    await conn.execute(text("SELECT version FROM content_version"))
        except Exception as exc:  # any failure to reach the database means not ready
            return JSONResponse(
                {"status": "unavailable", "error": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ready"})

    state = State()
    graphql = DxGraphQL(settings, state)
    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/graphql", graphql),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
            )
        ],
        lifespan=lifespan,
    )
    app.state = state
    app.state.settings = settings
    return app
