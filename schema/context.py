"""The per-request context: the request's database session, its DataLoaders, and the app's
memo of values derived from the loaded content."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import Info as StrawberryInfo


@dataclass
class Context:
    """What every resolver can reach. Loaders are created lazily, one set per request."""

    #: where the request's one session comes from (see ``session``)
    sessionmaker: async_sessionmaker[AsyncSession]
    #: "sqlite" or "postgresql": full-text search is backend-specific
    dialect: str = "sqlite"
    request: Any = None
    response: Any = None
    loaders: dict[str, Any] = field(default_factory=dict)
    #: the version of the loaded content this request reads (None: unknown)
    content_version: int | None = None
    #: app-wide memo of values derived from the content (corpus statistics), bounded;
    #: keys include ``content_version``, so a load makes old entries unreachable
    corpus_cache: MutableMapping[Hashable, Any] | None = None

    _session: AsyncSession | None = field(default=None, repr=False)
    _session_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The request's one session (one pooled connection), for one unit of work at a time.

        Resolvers and DataLoader batches run concurrently, and a session allows one
        operation at a time, so each use holds a lock: keep only statements inside the
        block, never an await on another resolver or loader. A session per use instead
        cost a pool checkout (with its pre-ping round trips) and a BEGIN/ROLLBACK each,
        several times per request. After an error the session is dropped, so the rest of
        the request starts on a fresh one rather than on a failed transaction.
        """
        async with self._session_lock:
            if self._session is None:
                self._session = self.sessionmaker()
            try:
                yield self._session
            except BaseException:
                session, self._session = self._session, None
                with contextlib.suppress(Exception):
                    await session.close()
                raise

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """Every row of ``statement`` with ``params`` bound, as plain tuples, read on the
        request's connection (in its one transaction, so one snapshot).

        Core execution on the session's connection: ``session.execute`` adds the ORM's
        execution layer (~100 µs a statement, bench/README.md) to rows that need none.
        """
        async with self.session() as session:
            connection = await session.connection()
            return (await connection.execute(statement, params)).all()

    async def close(self) -> None:
        """Give the request's connection back to the pool (the app calls this once done)."""
        async with self._session_lock:
            session, self._session = self._session, None
        if session is not None:
            await session.close()

    def memo_get(self, *parts: Hashable) -> Any:
        """The value memoised under ``parts`` for this content version, or None."""
        if self.corpus_cache is None or self.content_version is None:
            return None
        return self.corpus_cache.get((self.content_version, *parts))

    def memo_set(self, value: Any, *parts: Hashable) -> None:
        """Memoise ``value`` under ``parts`` for this content version (when it is known)."""
        if self.corpus_cache is not None and self.content_version is not None:
            self.corpus_cache[(self.content_version, *parts)] = value


Info = StrawberryInfo[Context, None]
