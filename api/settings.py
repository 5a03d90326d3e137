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
    #: seconds a readiness or GraphQL request waits for the database before giving up
    db_timeout: float = 2.0

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
