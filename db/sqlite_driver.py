"""An asyncio SQLite connection that crosses to its thread once per statement.

aiosqlite runs each call of the DB-API on its connection's thread and waits for it on
the event loop: opening a cursor, executing, fetching the rows and closing the cursor are
four thread hops for one SELECT, each a wake-up of the thread and of the loop (55 % of
the SQLite profile under load, issue 17). This connection keeps aiosqlite's model — one
thread per connection, owning its ``sqlite3.Connection``, so the loop never waits on
SQLite — but runs a whole statement (execute, fetch every row, close) in one hop and
hands the rows back; cursors are buffers on the loop's side.

With ``inline_reads`` (the app's request engine: ``api.app``), reads run on the event
loop itself, within a budget; loads and the other engines keep one hop a statement. A
hop costs more than most reads: the thread and the loop each wait for the interpreter
lock, held by whichever of them (or of the other connections' threads) is running
Python. So a ``SELECT`` (and the deferred ``BEGIN`` of a request's snapshot, and the
``ROLLBACK`` that ends a transaction which only read) runs inline, with SQLite's
progress handler armed: a read still running after ``INLINE_SECONDS`` is interrupted — a
read changes nothing and keeps its transaction's snapshot
(tests/db/test_sqlite_driver.py) — and run again on the thread, and its SQL text, a
statement shape (``schema.statements``), goes to the thread from then on. The loop uses
the connection only while its thread has nothing of it to run (the statement of a
request cancelled meanwhile runs on there). Writes, commits and anything else always go
to the thread, so the loop never waits on a load's lock or a long statement for more
than the budget.

It is what SQLAlchemy's aiosqlite dialect asks of a driver connection (``async_creator``
of ``create_async_engine``): aiosqlite's ``Connection`` and ``Cursor`` methods, and the
``_conn``/``_tx`` pair the dialect's ``isolation_level`` setter queues a call through.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from queue import SimpleQueue
from typing import Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")

#: longest a read may hold the event loop before it is moved to the connection's thread
INLINE_SECONDS = 0.002
#: SQLite virtual-machine steps between two looks at the clock while a read runs inline
PROGRESS_STEPS = 2000
#: a plain SELECT, or the deferred BEGIN (no lock, so no wait): what may run inline
_READ = re.compile(r"\s*(?:SELECT\b|BEGIN\s*$)", re.IGNORECASE)
#: SQL texts that outran the budget once: they go to the thread (bounded: shapes are few)
_LONG: LRUCache[str, bool] = LRUCache(maxsize=1024)

#: a call for the thread, and the future (with its loop) its result goes to
_Call = tuple[asyncio.Future[Any] | None, Callable[[], Any]]
_STOP = object()


def _deliver(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _work(calls: SimpleQueue[_Call], finished: list[int]) -> None:
    while True:
        future, call = calls.get()
        try:
            value, ok = call(), True
        except BaseException as exc:  # handed to the waiting coroutine
            value, ok = exc, False
        finished[0] += 1  # only this thread writes it
        if future is not None:
            # a closed loop: nobody waits any more
            with contextlib.suppress(RuntimeError):
                future.get_loop().call_soon_threadsafe(_deliver, future, ok, value)
        if value is _STOP:
            return


class Cursor:
    """A statement's result, fetched whole on the connection's thread in one hop."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _run(self, method: str, sql: str, parameters: Any) -> None:
        cursor = self._connection._conn.cursor()
        try:
            getattr(cursor, method)(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            self._rows, self.description = rows, cursor.description
            self.rowcount, self.lastrowid = cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        def run() -> None:
            self._run("execute", sql, parameters or ())

        connection = self._connection
        if connection.inline_reads and _READ.match(sql):
            if sql not in _LONG and connection._idle():
                if connection._inline(run):
                    return self
                _LONG[sql] = True
        else:
            connection._wrote = True
        await connection._call(run)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        self._connection._wrote = True
        await self._connection._call(lambda: self._run("executemany", sql, parameters))
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def fetchall(self) -> Sequence[Any]:
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        self._rows = []


class _Queue:
    """``put_nowait((future, call))``: what SQLAlchemy's dialect sends a call through."""

    def __init__(self, send: Callable[[_Call], None]) -> None:
        self._send = send

    def put_nowait(self, item: _Call) -> None:
        self._send(item)


class Connection:
    """One ``sqlite3.Connection`` owned by one thread; awaiting it opens the connection."""

    def __init__(
        self, connect: Callable[[], sqlite3.Connection], *, inline_reads: bool = False
    ) -> None:
        self._connect = connect
        self.inline_reads = inline_reads
        self._connection: sqlite3.Connection | None = None
        self._calls: SimpleQueue[_Call] = SimpleQueue()
        self._tx = _Queue(self._send)
        #: calls sent to the thread, and (written by the thread) calls it has finished
        self._sent = 0
        self._finished = [0]
        self._thread = threading.Thread(
            target=_work, args=(self._calls, self._finished), daemon=True
        )
        #: whether anything but reads went to the thread since the transaction began
        self._wrote = False

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    async def _call(self, call: Callable[[], T]) -> T:
        if self._connection is None:
            raise ValueError("Connection closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._send((future, call))
        return await future

    def _send(self, item: _Call) -> None:
        self._sent += 1
        self._calls.put(item)

    def _idle(self) -> bool:
        """Whether the thread has nothing of this connection's to run: only then may the
        loop use the connection itself (a call whose waiter was cancelled runs on)."""
        return self._finished[0] == self._sent

    def _inline(self, run: Callable[[], None]) -> bool:
        """Run the read ``run`` on this (the loop's) thread; False, with nothing changed,
        when it outran ``INLINE_SECONDS`` and was interrupted."""
        connection = self._conn
        deadline = time.perf_counter() + INLINE_SECONDS
        connection.set_progress_handler(lambda: time.perf_counter() > deadline, PROGRESS_STEPS)
        try:
            run()
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode == sqlite3.SQLITE_INTERRUPT:
                return False
            raise
        finally:
            connection.set_progress_handler(None, 0)
        return True

    async def _open(self) -> Connection:
        self._thread.start()
        future: asyncio.Future[sqlite3.Connection] = asyncio.get_running_loop().create_future()
        self._send((future, self._connect))
        try:
            self._connection = await future
        except BaseException:
            self.stop()
            raise
        return self

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._open().__await__()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self)

    async def commit(self) -> None:
        await self._call(self._conn.commit)
        self._wrote = False

    async def rollback(self) -> None:
        if self._wrote or not self.inline_reads or not self._idle():
            await self._call(self._conn.rollback)
            self._wrote = False
        else:  # a transaction that only read holds no write lock: nothing to wait for
            self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        await self._call(lambda: self._conn.create_function(*args, **kwargs))

    async def close(self) -> None:
        if self._connection is None:
            return
        try:
            await self._call(self._conn.close)
        finally:
            self._connection = None
            self._send((None, lambda: _STOP))

    def stop(self) -> None:
        """Close on the thread without waiting (SQLAlchemy's forced terminate)."""
        connection, self._connection = self._connection, None

        def close_and_stop() -> object:
            if connection is not None:
                connection.close()
            return _STOP

        self._send((None, close_and_stop))


def connector(
    url: str, connect_args: dict[str, Any], *, inline_reads: bool = False
) -> Callable[[], Any]:
    """``async_creator`` for ``create_async_engine(url)``: a ``Connection`` opened with what
    the aiosqlite dialect would pass ``sqlite3.connect`` for ``url``, and ``connect_args``;
    ``inline_reads``: its short reads run on the loop (the module docstring)."""
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
    from sqlalchemy.engine import make_url

    args, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    # the loop's thread runs reads on it too (never at the same time as the thread)
    options = {**options, **connect_args, "check_same_thread": False}
    connect: Callable[..., sqlite3.Connection] = sqlite3.connect

    async def create() -> Connection:
        return await Connection(lambda: connect(*args, **options), inline_reads=inline_reads)

    return create
