"""The SQLite driver connection (db.sqlite_driver): a statement is one thread hop, errors
arrive as the DB-API's, writes and many rows go through, and a closed engine is closed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
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


@pytest.fixture
async def inline_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The same, with short reads on the loop, as the app's request engine has it."""
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}", inline_reads=True)
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


async def _counted(conn: Any) -> tuple[sqlite_driver.Connection, _Counting]:
    raw = (await conn.get_raw_connection()).driver_connection
    assert isinstance(raw, sqlite_driver.Connection)
    counting = _Counting(raw._calls)
    raw._calls = counting  # type: ignore[assignment]
    return raw, counting


async def test_a_short_read_runs_on_the_loop_and_a_write_crosses_once(
    inline_engine: AsyncEngine,
) -> None:
    """With inline reads (the app's request engine), a short read makes no hop."""
    async with inline_engine.connect() as conn:
        _raw, counting = await _counted(conn)
        rows = (await conn.execute(text("SELECT 1 AS a, 'chuyển đổi số' AS b"))).all()
        assert counting.count == 0  # aiosqlite: cursor, execute, fetchall, close: 4 hops
        assert [tuple(r) for r in rows] == [(1, "chuyển đổi số")]
        assert (await conn.execute(text("SELECT :x"), {"x": 2})).scalar() == 2
        await conn.execute(text("CREATE TABLE t (x)"))
        await conn.execute(text("INSERT INTO t VALUES (1)"))
        assert counting.count == 2  # every statement but a read: one hop each
        await conn.rollback()  # after a write: on the thread too
        assert counting.count == 3


async def test_a_long_read_moves_to_the_thread_with_its_snapshot(
    inline_engine: AsyncEngine, tmp_path: Path
) -> None:
    """A read outrunning the budget is interrupted on the loop, which goes on serving,
    and finishes on the thread, in the same transaction; its SQL goes there from then on."""
    async with inline_engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": i} for i in range(3000)])
    long_read = text("SELECT count(*) FROM t AS a, t AS b WHERE a.x + b.x >= 0")
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    writer = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with inline_engine.connect() as conn:
            _raw, counting = await _counted(conn)
            # the request's snapshot: an explicit BEGIN, then a first read (api.app)
            await conn.exec_driver_sql("BEGIN")
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 3000
            async with writer.begin() as other:  # committed after this snapshot began
                await other.execute(text("INSERT INTO t VALUES (-1)"))
            ticking = asyncio.create_task(ticker())
            started = time.perf_counter()
            assert (await conn.execute(long_read)).scalar() == 3000 * 3000
            took = time.perf_counter() - started
            ticking.cancel()
            assert counting.count == 1  # moved once, to the thread
            assert took > 50 * sqlite_driver.INLINE_SECONDS  # long indeed
            # the loop was held for the budget, not for the statement
            assert max(gaps) < took / 4
            # the same snapshot: the other connection's row is not seen
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 3000
            await conn.execute(long_read)
            assert counting.count == 2  # known to be long: straight to the thread
            await conn.rollback()
        async with inline_engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 3001
    finally:
        await writer.dispose()


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


async def test_a_cancelled_read_keeps_the_connection_on_its_thread(tmp_path: Path) -> None:
    """A waiter cancelled while its read runs on the thread leaves the read running there:
    the connection's next statements queue behind it on the thread rather than use the
    connection from the loop at the same time, and answer as usual."""
    path = tmp_path / "cancel.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
    setup.commit()
    setup.close()
    url = f"sqlite+aiosqlite:///{path}"
    raw = await sqlite_driver.connector(url, {}, inline_reads=True)()
    try:
        counting = _Counting(raw._calls)
        raw._calls = counting
        long_read = "SELECT count(*) FROM t AS a, t AS b WHERE a.x + b.x >= -1"
        await raw.cursor().execute(long_read)  # outruns the budget: on the thread from now
        assert counting.count == 1
        waiting = asyncio.create_task(raw.cursor().execute(long_read))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not raw._idle()  # the read runs on
        short = await raw.cursor().execute("SELECT count(*) FROM t")
        assert await short.fetchall() == [(2000,)]
        assert counting.count == 3  # the short read too went to the thread, behind it
        assert raw._idle()
        await raw.rollback()
        assert (await (await raw.cursor().execute("SELECT 1")).fetchall()) == [(1,)]
        assert counting.count == 3  # idle again: reads and their rollback on the loop
    finally:
        await raw.close()
