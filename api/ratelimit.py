"""Rate limits per API key and per anonymous client address, with the ``limits`` library.

In memory by default (each process limits alone); with ``DXGRAPH_REDIS_URL`` the counters
live in Redis, so every instance behind a load balancer shares one limit per caller. The
strategy is a sliding-window counter: constant work and memory per caller, and no burst of
twice the limit at a window boundary.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter


@dataclass(frozen=True)
class Decision:
    """What the limiter decided for one request."""

    allowed: bool
    limit: int
    remaining: int
    #: whole seconds until the caller may try again (0 when allowed)
    retry_after: int


@functools.lru_cache(maxsize=256)
def parse_limit(text: str) -> RateLimitItem:
    """``"120/minute"`` → a rate-limit item; ValueError when malformed."""
    return parse(text)


def redis_storage_uri(redis_url: str) -> str:
    """``redis://host:6379/0`` → the async URI the ``limits`` library expects."""
    return redis_url if redis_url.startswith("async+") else f"async+{redis_url}"


class RateLimiter:
    """Counts hits per caller identity against that caller's limit."""

    def __init__(self, redis_url: str = "", *, timeout: float = 0.5) -> None:
        storage: Storage
        #: counters in Redis, behind a network call (else in this process's memory)
        self.remote = bool(redis_url)
        if redis_url:
            # ``timeout``: every Redis call gives up after that long (api.admission admits
            # the request then); the counters' keys carry TTLs of their window, so a Redis
            # evicting only keys with a TTL (volatile-lru) may drop them only as they expire
            storage = RedisStorage(
                redis_storage_uri(redis_url),
                implementation="redispy",
                key_prefix="dxgraph",
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
            )
        else:
            storage = MemoryStorage()
        self.storage = storage
        self._limiter = SlidingWindowCounterRateLimiter(storage)

    async def healthy(self) -> bool:
        """Whether the counters' storage answers (always, in memory)."""
        return bool(await self.storage.check())

    async def hit(self, identity: str, limit: str) -> Decision:
        """Count one request of ``identity`` (e.g. ``key:7`` or ``ip:10.0.0.1``)."""
        item = parse_limit(limit)
        allowed = await self._limiter.hit(item, identity)
        stats = await self._limiter.get_window_stats(item, identity)
        retry_after = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed, item.amount, max(0, stats.remaining), retry_after)
