"""The per-request context: the session factory, the request's DataLoaders, and the app's
memo of values derived from the loaded content."""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import Info as StrawberryInfo


@dataclass
class Context:
    """What every resolver can reach. Loaders are created lazily, one set per request."""

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
