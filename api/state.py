"""The app's shared state: one typed object built by ``create_app``, completed by its
lifespan (the engines and stores need a running event loop)."""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.cache import ContentVersion, GetKeys, PersistedQueries, ResponseCache
from api.compression import CodedAnswers
from api.document_cache import DocumentStore
from api.keys import LastUsed
from api.metrics import Metrics
from api.ratelimit import RateLimiter
from api.settings import Settings
from db.session import StatementCounter


@dataclass(eq=False)
class AppState:
    """What the endpoints share. The fields without a value at construction are set by
    the lifespan before the first request (reading one earlier raises AttributeError)."""

    settings: Settings
    documents: DocumentStore
    schema: strawberry.Schema
    metrics: Metrics
    last_used: LastUsed
    #: content-derived values memoised by content version (schema.context.Context)
    corpus_cache: MutableMapping[Hashable, Any]
    #: coded (brotli, gzip) forms of cacheable answers, by their ETag
    coded_answers: CodedAnswers = field(default_factory=CodedAnswers)
    #: GET query strings known to be cached, by content version (api.graphql.CachedGets)
    get_keys: GetKeys = field(default_factory=GetKeys)

    engine: AsyncEngine = field(init=False)
    #: statements sent by the request engine (N+1 tests, metrics)
    statements: StatementCounter = field(init=False)
    #: readiness: a new connection each time
    probe_engine: AsyncEngine = field(init=False)
    sessionmaker: async_sessionmaker[AsyncSession] = field(init=False)
    #: the cache's Redis, when configured
    redis: Redis | None = field(init=False, default=None)
    response_cache: ResponseCache = field(init=False)
    persisted_queries: PersistedQueries = field(init=False)
    rate_limiter: RateLimiter = field(init=False)
    content_version: ContentVersion = field(init=False)
