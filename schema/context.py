"""The per-request context: the session factory and the request's DataLoaders."""

from __future__ import annotations

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


Info = StrawberryInfo[Context, None]
