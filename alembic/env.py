"""Alembic environment: runs migrations on the async engine of ``DATABASE_URL``."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Connection

from alembic import context
from db.models import Base
from db.session import create_engine

config = context.config
target_metadata = Base.metadata


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the backend-specific search index (migration 0003) out of autogenerate."""
    if type_ == "table" and name is not None and name.startswith("search_fts"):
        return False
    return not (type_ in ("column", "index") and name in ("tsv", "ix_search_entries_tsv"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by db.migrate.alembic_config"
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `dxgraph migrate`")
run()
