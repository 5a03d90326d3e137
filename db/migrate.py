"""Schema migrations: a programmatic alembic configuration and ``upgrade``/``downgrade``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.config import Config

from alembic import command
from db.session import create_engine

#: alembic's scripts: db/migrations in an installed wheel (mapped from alembic/ by the
#: build), the checkout's alembic/ folder otherwise.
_PACKAGED = Path(__file__).resolve().parent / "migrations"
MIGRATIONS = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "alembic"


def alembic_config(url: str) -> Config:
    """An alembic Config for ``url`` whose scripts are ``MIGRATIONS``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (synchronous: call outside an event loop)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """``upgrade`` from inside a running event loop (alembic's env runs its own loop)."""
    await asyncio.to_thread(upgrade, url, revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""

    async def _read() -> str | None:
        from sqlalchemy import inspect, text

        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                has_table = await conn.run_sync(
                    lambda sync: inspect(sync).has_table("alembic_version")
                )
                if not has_table:
                    return None
                row = (await conn.execute(text("SELECT version_num FROM alembic_version"))).first()
                return row[0] if row else None
        finally:
            await engine.dispose()

    return asyncio.run(_read())
