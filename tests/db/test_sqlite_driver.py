"""The SQLite driver connection (db.sqlite_driver): a statement is one thread hop, errors
arrive as the DB-API's, writes and many rows go through, and a closed engine is closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from db import sqlite_driver
from db.session import create_engine


class _Counting:
    """Forwards calls to the connection's thread, counting them."""

    def __init__(self, calls: Any) -> None:
        self.calls, self.count = calls, 0

    def put(self, item: Any) -> None:
        self.count += 1
        self.calls.put(item)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a new SQLite file, through the driver; disposed after the test."""
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        yield made
    finally:
        await made.dispose()


async def test_a_select_crosses_to_the_thread_once(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert isinstance(raw, sqlite_driver.Connection)
        counting = _Counting(raw._calls)
        raw._calls = counting  # type: ignore[assignment]
        rows = (await conn.execute(text("SELECT 1 AS a, 'chuyển đổi số' AS b"))).all()
        assert counting.count == 1  # aiosqlite: cursor, execute, fetchall, close
        assert [tuple(r) for r in rows] == [(1, "chuyển đổi số")]
        await conn.execute(text("SELECT :x"), {"x": 2})
        assert counting.count == 2


async def test_writes_many_rows_and_errors(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)"))
        result = await conn.execute(
            text("INSERT INTO t (id, word) VALUES (:id, :word)"),
            [{"id": i, "word": f"từ {i}"} for i in range(1000)],
        )
        assert result.rowcount == 1000
    async with engine.connect() as conn:
        words = (await conn.execute(text("SELECT word FROM t ORDER BY id"))).scalars().all()
        assert len(words) == 1000 and words[999] == "từ 999"
        with pytest.raises(exc.IntegrityError):
            await conn.execute(text("INSERT INTO t (id, word) VALUES (1, 'again')"))
        await conn.rollback()
        with pytest.raises(exc.OperationalError):
            await conn.execute(text("SELECT * FROM no_such_table"))
        await conn.rollback()
        # the connection still answers after both errors
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 1000


async def test_a_rolled_back_write_leaves_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (id) VALUES (1)"))
            raise RuntimeError("the load fails")
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
