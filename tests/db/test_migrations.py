"""Migrations run from empty to head, down to base and up again, on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect, select

from db import models
from db.migrate import downgrade, upgrade
from db.session import create_engine, create_sessionmaker


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    expected = set(models.Base.metadata.tables)
    assert expected <= await _tables(db_url)

    await asyncio.to_thread(downgrade, db_url, "base")
    assert (await _tables(db_url)) - {"alembic_version"} == set()

    await asyncio.to_thread(upgrade, db_url)
    assert expected <= await _tables(db_url)


async def test_reference_data_after_migration(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as session:
            provinces = {
                p.id: (p.code, p.name) for p in await session.scalars(select(models.Province))
            }
            merged = {
                p.id: p.merged_into_id for p in await session.scalars(select(models.Province))
            }
            current = {
                p.id: (p.code, p.name)
                for p in await session.scalars(select(models.CurrentProvince))
            }
            pillars = [
                p.name
                for p in await session.scalars(
                    select(models.Pillar).order_by(models.Pillar.position)
                )
            ]
            version = await session.get(models.ContentVersion, 1)
    finally:
        await engine.dispose()
    # 63 provinces before 1 July 2025, 34 since (Nghị quyết 202/2025/QH15)
    assert len(provinces) == 63 and len(current) == 34
    assert {slug: provinces[slug] for slug in ("ha-giang", "lao-cai", "ha-tinh", "khanh-hoa")} == {
        "ha-giang": ("02", "Hà Giang"),
        "lao-cai": ("10", "Lào Cai"),
        "ha-tinh": ("42", "Hà Tĩnh"),
        "khanh-hoa": ("56", "Khánh Hòa"),
    }
    assert set(merged.values()) == set(current)
    assert {slug: merged[slug] for slug in ("ha-giang", "yen-bai", "ninh-thuan", "ha-tinh")} == {
        "ha-giang": "tuyen-quang",
        "yen-bai": "lao-cai",
        "ninh-thuan": "khanh-hoa",
        "ha-tinh": "ha-tinh",
    }
    assert current["tuyen-quang"] == ("08", "Tuyên Quang")
    assert pillars == ["Chính quyền số", "Kinh tế số", "Xã hội số"]
    assert version is not None and version.version == 0


def _drift(sync_conn: object) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})  # type: ignore[arg-type]
    found = compare_metadata(context, models.Base.metadata)

    def backend_index(change: object) -> bool:
        # migration 0003's full-text index is backend-specific and no model: FTS5's
        # shadow tables on SQLite, the tsv column and its GIN index on PostgreSQL
        text = repr(change)
        return "search_fts" in text or "'tsv'" in text or "ix_search_entries_tsv" in text

    return [change for change in found if not backend_index(change)]


async def test_models_and_migrations_agree(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_drift) == []
    finally:
        await engine.dispose()
