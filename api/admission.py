"""Admission: who the caller is (API key or client address) and whether its rate allows
one more request.

1. A presented key (``X-API-Key`` or ``Authorization: Bearer``) is looked up: an unknown
   or revoked one is 401 ``UNAUTHENTICATED``, and so is a missing one when keys are
   required. A refused key still counts against the client address's anonymous limit,
   so guessing keys is throttled like any anonymous traffic.
2. The caller's limit is counted (429 ``RATE_LIMITED`` with ``Retry-After``).

The client address is the ASGI ``client``, which ``ProxyHeaders`` (api.app) has already
taken from the right of ``X-Forwarded-For`` when the connection comes from a trusted proxy.

A rate limiter that fails (Redis down or hung past ``redis_timeout``) admits the request:
rate limits protect capacity, and refusing every caller because the limiter is away would
turn a Redis fault into a full outage. The failure is logged and counted
(``dxgraph_rate_limit_unavailable_total``), and for the next few seconds the limiter is
not asked at all (``api.cache.Breaker``): a hung Redis costs one timeout, not one per
request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.requests import Request

from api import keys
from api.cache import Breaker
from api.errors import SERVICE_UNAVAILABLE, HttpError, database_unavailable
from api.logs import get_logger
from api.ratelimit import Decision
from api.state import AppState

log = get_logger()

UNAUTHENTICATED = "UNAUTHENTICATED"
RATE_LIMITED = "RATE_LIMITED"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="dxgraph"'}


@dataclass(frozen=True, slots=True)
class Admitted:
    """The caller a request was admitted as."""

    #: ``key`` or ``anonymous`` (the metrics' label)
    kind: str
    #: the key's name, for the log line (None when anonymous)
    name: str | None
    #: the limiter's decision (None when the limiter was unavailable)
    decision: Decision | None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Admission:
    """Authenticates and rate-limits requests with the app's shared state."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._limiter_breaker = Breaker()

    async def admit(self, request: Request) -> Admitted:
        state = self._state
        settings = state.settings
        presented = keys.presented_key(request.headers)
        anonymous = f"ip:{client_address(request)}"
        if presented is not None:
            record = await self._authenticate(presented)
            if record is None:
                # counted before the refusal: a client trying keys spends its own budget
                await self._count(anonymous, settings.anon_rate_limit, "anonymous")
                raise HttpError(
                    401, "The API key is unknown or revoked.", UNAUTHENTICATED, headers=_CHALLENGE
                )
            state.last_used.touch(record.id)
            decision = await self._count(f"key:{record.id}", record.rate_limit, "key")
            return Admitted("key", record.name, decision)
        if settings.require_api_key:
            await self._count(anonymous, settings.anon_rate_limit, "anonymous")
            raise HttpError(
                401,
                "An API key is required: send it as X-API-Key or Authorization: Bearer.",
                UNAUTHENTICATED,
                headers=_CHALLENGE,
            )
        decision = await self._count(anonymous, settings.anon_rate_limit, "anonymous")
        return Admitted("anonymous", None, decision)

    async def _authenticate(self, presented: str) -> keys.KeyRecord | None:
        try:
            return await keys.authenticate(self._state.sessionmaker, presented)
        except Exception as exc:
            if database_unavailable(exc):
                raise HttpError(
                    503, "The database is not answering; try again shortly.", SERVICE_UNAVAILABLE
                ) from exc
            raise

    async def _count(self, identity: str, limit: str, kind: str) -> Decision | None:
        """Count one hit of ``identity``; 429 when its limit is spent."""
        state = self._state
        if not self._limiter_breaker.closed():  # failed moments ago: do not wait on it again
            state.metrics.rate_limit_unavailable.inc()
            return None
        limiter = state.rate_limiter
        try:
            if limiter.remote:
                async with asyncio.timeout(state.settings.redis_timeout):
                    decision: Decision = await limiter.hit(identity, limit)
            else:  # counted in memory, nothing to wait on: no deadline to arm per request
                decision = await limiter.hit(identity, limit)
        except Exception as exc:  # fail open: see the module docstring
            self._limiter_breaker.trip()
            log.warning("rate_limit.unavailable", error=repr(exc))
            state.metrics.rate_limit_unavailable.inc()
            return None
        if not decision.allowed:
            state.metrics.rate_limited.labels(kind).inc()
            raise HttpError(
                429,
                f"Rate limit of {limit} spent; retry in {decision.retry_after} s.",
                RATE_LIMITED,
                headers={
                    "Retry-After": str(decision.retry_after),
                    **rate_headers(decision),
                },
                extensions={"retryAfter": decision.retry_after},
            )
        return decision


def rate_headers(decision: Decision | None) -> dict[str, str]:
    if decision is None:
        return {}
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
    }
