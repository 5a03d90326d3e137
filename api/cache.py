"""The response cache, persisted queries, their HTTP validators, and the content version
they depend on.

Cached responses are keyed by the content version, a hash of the query, the variables
and the operation name: a load that changes content bumps ``content_version.version``,
and every instance reads that row at most ``version_poll_interval`` seconds apart (≤ 2 s),
so no instance serves an old answer for longer than that after a load. Entries of old
versions are never read again; the LRU (or Redis' TTL) drops them.

Both stores live in process memory by default, as LRUs bounded by the bytes they hold
(``DXGRAPH_CACHE_BYTES``, ``DXGRAPH_PERSISTED_QUERY_BYTES``: a count bound let thirty
heavy answers take 370 MB), and in Redis when ``DXGRAPH_REDIS_URL`` is set, where every
instance shares them; there every key has a TTL, so Redis' ``volatile-lru`` evicts cache
entries and never the rate limiter's counters. Every Redis call has a timeout
(``DXGRAPH_REDIS_TIMEOUT``, set on the client) and a cache that fails or hangs is a miss:
caching fails open.

GET answers carry a strong ``ETag``; ``If-None-Match`` gets 304. They are ``public`` for
a minute, unless API keys are required: then ``private`` and varying on the credential
headers, so no shared cache hands a keyed answer to a caller without a key. They vary on
``Accept-Encoding`` too (api.compression: a coded answer has its own tag).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import LRUCache
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.compression import VARY as CODING_VARY
from api.decoding import GraphQLRequest
from api.errors import BAD_USER_INPUT, HttpError
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


#: what an entry costs beyond its key and value bytes (the dict slot, the objects)
ENTRY_OVERHEAD_BYTES = 200


class MemoryStore:
    """An LRU in this process, bounded by the bytes of its keys and values."""

    def __init__(self, max_bytes: int) -> None:
        self._items: LRUCache[str, tuple[bytes, int]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: entry[1]
        )

    @property
    def size_bytes(self) -> int:
        return int(self._items.currsize)

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: str) -> bytes | None:
        entry = self._items.get(key)
        return None if entry is None else entry[0]

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        size = len(key) + len(value) + ENTRY_OVERHEAD_BYTES
        if size <= self._items.maxsize:  # a value larger than the whole cache is not kept
            self._items[key] = (value, size)


class Breaker:
    """After a failure, skip a dependency for ``pause`` seconds instead of waiting on it.

    A hung Redis costs each call its full timeout; without this every request would pay
    that, several times, for as long as the hang lasts. While open, ``closed()`` is False
    and callers act as if the call had failed (a cache miss, a request admitted).
    """

    def __init__(self, pause: float = 5.0) -> None:
        self.pause = pause
        self._until = 0.0

    def closed(self) -> bool:
        return time.monotonic() >= self._until

    def trip(self) -> None:
        self._until = time.monotonic() + self.pause


class Unavailable(ConnectionError):
    """A call skipped because its dependency failed moments ago (``Breaker``)."""


def _warn(event: str, exc: Exception) -> None:
    """Log a store failure once: not again for each call the breaker then skips."""
    if not isinstance(exc, Unavailable):
        log.warning(event, error=repr(exc))


class RedisStore:
    """Keys under a prefix in a Redis shared by every instance."""

    def __init__(self, client: Redis, prefix: str, breaker: Breaker | None = None) -> None:
        self._client = client
        self._prefix = prefix
        self._breaker = breaker or Breaker()

    async def get(self, key: str) -> bytes | None:
        if not self._breaker.closed():
            raise Unavailable("Redis failed moments ago")
        try:
            value = await self._client.get(self._prefix + key)
        except Exception:
            self._breaker.trip()
            raise
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        if not self._breaker.closed():
            raise Unavailable("Redis failed moments ago")
        try:
            await self._client.set(self._prefix + key, value, ex=ttl)
        except Exception:
            self._breaker.trip()
            raise


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


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` against our tag (weak comparison, as RFC 9110 asks for GET)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


#: a public answer may be kept by any cache for a minute (CLI.md: content changes ≤ 5 s
#: after a load are promised for this server only)
PUBLIC_CACHE_CONTROL = "public, max-age=60"
#: with keys required, only the caller's own cache may keep an answer
PRIVATE_CACHE_CONTROL = "private, max-age=60"
#: the headers that carry a key (api.keys.presented_key)
CREDENTIAL_HEADERS = "Authorization, X-API-Key"


def cache_headers(etag: str, *, keys_required: bool) -> dict[str, str]:
    """The validator and cache policy of a successful GET answer."""
    if keys_required:
        return {
            "ETag": etag,
            "Cache-Control": PRIVATE_CACHE_CONTROL,
            "Vary": f"{CREDENTIAL_HEADERS}, {CODING_VARY}",
        }
    return {"ETag": etag, "Cache-Control": PUBLIC_CACHE_CONTROL, "Vary": CODING_VARY}


class ResponseCache:
    """Whole GraphQL response bodies by content version and request."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, version: int, key: str) -> CachedResponse | None:
        try:
            raw = await self._store.get(f"r:{version}:{key}")
        except Exception as exc:  # a cache that fails is a cache miss, never a failed request
            _warn("cache.unavailable", exc)
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
            _warn("cache.unavailable", exc)


#: what a ``GetKeys`` entry costs beyond its query string and key
GET_KEY_OVERHEAD_BYTES = 200


class GetKeys:
    """Raw query strings of cacheable GETs and the response-cache key each maps to.

    Decoding a GET (the query string, its JSON, a persisted query's text, the key's
    digests) is a pure function of its query string, so once one was answered its key
    can be looked up instead (api.graphql.GraphQLEndpoint.answer_hit). Filed by content
    version like the cache, bounded by bytes, in this process only.
    """

    def __init__(self, max_bytes: int = 4 * 1024 * 1024) -> None:
        self._items: LRUCache[tuple[int, bytes], tuple[str, str | None, int]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: entry[2]
        )

    def remember(self, version: int, query_string: bytes, key: str, operation: str | None) -> None:
        size = len(query_string) + len(key) + GET_KEY_OVERHEAD_BYTES
        if size <= self._items.maxsize:
            self._items[(version, query_string)] = (key, operation, size)

    def get(self, version: int, query_string: bytes) -> tuple[str, str | None] | None:
        entry = self._items.get((version, query_string))
        return None if entry is None else (entry[0], entry[1])


class PersistedQueries:
    """Apollo automatic persisted queries: the query text by its SHA-256."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, sha256: str) -> str | None:
        try:
            raw = await self._store.get(f"q:{sha256}")
        except Exception as exc:  # unknown for now: the client sends the query again
            _warn("persisted_queries.unavailable", exc)
            return None
        return None if raw is None else raw.decode("utf-8")

    async def set(self, sha256: str, query: str) -> None:
        try:
            await self._store.set(f"q:{sha256}", query.encode("utf-8"), PERSISTED_QUERY_TTL_SECONDS)
        except Exception as exc:
            _warn("persisted_queries.unavailable", exc)


PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


async def resolve_persisted(
    request: GraphQLRequest, store: PersistedQueries
) -> tuple[GraphQLRequest, tuple[str, str] | None]:
    """Resolve an Apollo persisted query; return what to register once it succeeds."""
    persisted = (request.extensions or {}).get("persistedQuery")
    if persisted is None:
        return request, None
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
    if request.query:
        if not hmac.compare_digest(sha256_hex(request.query), digest):
            raise HttpError(400, "provided sha does not match query", BAD_USER_INPUT)
        return request, (digest, request.query)
    query = await store.get(digest)
    if query is None:
        raise HttpError(
            200,
            "PersistedQueryNotFound",
            PERSISTED_QUERY_NOT_FOUND,
            headers={"Cache-Control": "private, no-store"},
        )
    return request.with_query(query), None


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
