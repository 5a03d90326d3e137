"""The async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db import sqlite_driver

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./dxgraph.db"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, inline_reads: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; on SQLite, foreign keys on and a busy timeout, and
    connections that cross to their thread once per statement (``db.sqlite_driver``) —
    or, with ``inline_reads`` (the app's request engine), run short reads on the loop."""
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": 30})
        kwargs.setdefault(
            "async_creator",
            sqlite_driver.connector(url, kwargs["connect_args"], inline_reads=inline_reads),
        )
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class StatementCounter:
    """Counts every SQL statement an engine sends (metrics, and N+1 tests)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args: Any, **_kwargs: Any) -> None:
        self.count += 1
