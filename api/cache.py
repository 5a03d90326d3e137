"""The response cache, the persisted-query store and the content version they depend on.

Cached responses are keyed by the content version, a hash of the query, the variables
and the operation name: a load that changes content bumps ``content_version.version``,
and every instance reads that row at most ``version_poll_interval`` seconds apart (≤ 2 s),
so no instance serves an old answer for longer than that after a load. Entries of old
versions are never read again; the LRU (or Redis' TTL) drops them.

Both stores live in process memory (bounded LRUs) by default and in Redis when
``DXGRAPH_REDIS_URL`` is set, where every instance shares them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import LRUCache
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.logs import get_logger

log = get_logger()

#: how long Redis keeps a cached response or a persisted query
RESPONSE_TTL_SECONDS = 3600
PERSISTED_QUERY_TTL_SECONDS = 7 * 24 * 3600


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class Store(Protocol):
    """A bytes key-value store; failures are the caller's to tolerate."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: int) -> None: ...


class MemoryStore:
    """A bounded LRU in this process."""

    def __init__(self, maxsize: int) -> None:
        self._items: LRUCache[str, bytes] = LRUCache(maxsize=maxsize)

    async def get(self, key: str) -> bytes | None:
        return self._items.get(key)

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._items[key] = value


class RedisStore:
    """Keys under a prefix in a Redis shared by every instance."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value = await self._client.get(self._prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self._client.set(self._prefix + key, value, ex=ttl)


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    etag: str


def etag_of(body: bytes) -> str:
    """A strong validator: equal bytes, equal tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def response_key(query: str, variables: dict[str, Any] | None, operation: str | None) -> str:
    variables_json = json.dumps(variables or {}, sort_keys=True, ensure_ascii=False)
    return f"{sha256_hex(query)}:{sha256_hex(variables_json)}:{operation or ''}"


class ResponseCache:
    """Whole GraphQL response bodies by content version and request."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, version: int, key: str) -> CachedResponse | None:
        try:
            raw = await self._store.get(f"r:{version}:{key}")
        except Exception as exc:  # a cache that fails is a cache miss, never a failed request
            log.warning("cache.unavailable", error=repr(exc))
            return None
        if raw is None:
            return None
        etag, _, body = raw.partition(b"\n")
        return CachedResponse(body=body, etag=etag.decode())

    async def set(self, version: int, key: str, response: CachedResponse) -> None:
        try:
            await self._store.set(
                f"r:{version}:{key}",
                response.etag.encode() + b"\n" + response.body,
                RESPONSE_TTL_SECONDS,
            )
        except Exception as exc:
            log.warning("cache.unavailable", error=repr(exc))


class PersistedQueries:
    """Apollo automatic persisted queries: the query text by its SHA-256."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, sha256: str) -> str | None:
        try:
            raw = await self._store.get(f"q:{sha256}")
        except Exception as exc:  # unknown for now: the client sends the query again
            log.warning("persisted_queries.unavailable", error=repr(exc))
            return None
        return None if raw is None else raw.decode("utf-8")

    async def set(self, sha256: str, query: str) -> None:
        try:
            await self._store.set(f"q:{sha256}", query.encode("utf-8"), PERSISTED_QUERY_TTL_SECONDS)
        except Exception as exc:
            log.warning("persisted_queries.unavailable", error=repr(exc))


class ContentVersion:
    """The loaded content's version; the app's lifespan calls ``refresh`` periodically."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        #: None until the first successful read (the cache is bypassed until then)
        self.current: int | None = None

    async def refresh(self) -> int | None:
        try:
            async with self._engine.connect() as conn:
                version = (await conn.execute(text("SELECT version FROM content_version"))).scalar()
        except Exception as exc:  # the database is down: keep the last version we saw
            log.warning("content_version.unavailable", error=repr(exc))
            return self.current
        if version != self.current:
            if self.current is not None:
                log.info("content_version.changed", old=self.current, new=version)
            self.current = version
        return self.current
