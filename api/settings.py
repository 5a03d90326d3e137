"""Settings from the environment (see the settings table in shared/contract/CLI.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.session import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    """Every knob of a dxgraph process. ``DATABASE_URL`` and ``DXGRAPH_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="DXGRAPH_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "DXGRAPH_DATABASE_URL"),
    )
    env: Literal["development", "production"] = "development"
    introspection: bool = True
    require_api_key: bool = False
    anon_rate_limit: str = "120/minute"
    cors_origins: str = ""
    redis_url: str = ""
    #: a Redis of its own for the rate-limit counters (default: ``redis_url``), so cache
    #: eviction can never drop them
    rate_limit_redis_url: str = ""
    #: proxies whose X-Forwarded-For gives the client address (rate limits are per address):
    #: comma-separated addresses or networks (``172.28.0.0/16``); the client is the
    #: right-most address of the header that is not one of them
    forwarded_allow_ips: str = "127.0.0.1"
    #: seconds a readiness probe, a connection or one SQL statement may take
    #: (PostgreSQL: ``statement_timeout`` on every connection; SQLite: the busy timeout)
    db_timeout: float = Field(default=2.0, gt=0)
    #: seconds any one Redis call may take (caches then miss, rate limits admit)
    redis_timeout: float = Field(default=0.5, gt=0)
    #: when set, ``/metrics`` needs ``Authorization: Bearer <this token>``
    metrics_token: str = ""
    #: PostgreSQL connections kept per process (and as many more under bursts)
    db_pool_size: int = 20
    #: SQLite connections per process, each with its own thread (``db.sqlite_driver``);
    #: a request holds one for its whole snapshot and more requests wait for one. Two
    #: let one request's SQL run beside another's Python; more threads only contend for
    #: the interpreter (bench/README.md, "Third pass")
    sqlite_pool_size: int = Field(default=2, ge=1)

    # Query limits (CLI.md "Limits, keys and errors"): each failure has its extensions.code.
    #: deepest selection nesting, introspection included (DEPTH_LIMIT)
    max_depth: int = 12
    #: aliases in one document (ALIAS_LIMIT)
    max_aliases: int = 30
    #: lexical tokens in one document (TOKEN_LIMIT)
    max_tokens: int = 3000
    #: estimated cost: every field counts once per item it may be repeated for (COST_LIMIT)
    max_cost: int = 100_000
    #: largest ``first`` a connection accepts (PAGE_SIZE_LIMIT); 100 is also the hard cap
    max_page_size: int = 100
    #: request bodies above this many bytes get 413 before they are parsed
    max_body_bytes: int = 1024 * 1024
    #: seconds a client may take to send a request's headers (the connection is closed)
    header_timeout: float = Field(default=10.0, gt=0)
    #: seconds a client may take to send its whole body (408 after that)
    body_timeout: float = Field(default=10.0, gt=0)
    #: connections one ``dxgraph serve`` process holds; beyond, requests get 503 at once
    max_connections: int = Field(default=1000, ge=1)

    # Caching (per process, when Redis is not configured); sized for a 2-core, 2 GB box
    #: bytes of response bodies the in-memory LRU response cache holds
    cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    #: bytes of query texts the in-memory persisted-query store holds
    persisted_query_bytes: int = Field(default=8 * 1024 * 1024, ge=0)
    #: seconds between two reads of the content version (at most 2 s: CLI.md's 5 s promise)
    version_poll_interval: float = Field(default=1.0, gt=0, le=2.0)
    #: seconds between two writes of the API keys' last-used times
    last_used_flush_interval: float = 30.0

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
