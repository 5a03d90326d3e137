"""API keys (api/keys.py) on both databases: only hashes stored, revocation at once,
last-used times buffered in memory and written forward-only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.keys import (
    DEFAULT_RATE_LIMIT,
    KEY_PREFIX,
    DuplicateName,
    InvalidName,
    InvalidRateLimit,
    KeyRecord,
    LastUsed,
    authenticate,
    create_key,
    generate_key,
    hash_key,
    list_keys,
    presented_key,
    revoke_key,
)
from db.models import ApiKey
from db.session import StatementCounter, create_engine, create_sessionmaker

Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def maker(engine: AsyncEngine) -> Maker:
    return create_sessionmaker(engine)


def test_generated_keys_are_random_and_prefixed() -> None:
    keys = {generate_key() for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert key.startswith(KEY_PREFIX)
        assert len(key) == len(KEY_PREFIX) + 43  # 32 bytes, base64url without padding


def test_hash_is_sha256_hex() -> None:
    assert hash_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


async def test_create_then_authenticate(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    record = await authenticate(maker, key)
    assert record is not None
    assert record == KeyRecord(id=record.id, name="partner-a", rate_limit="100/minute")


async def test_default_rate_limit_is_stored(maker: Maker) -> None:
    await create_key(maker, "partner-a", None)
    async with maker() as session:
        stored = await session.scalar(select(ApiKey.rate_limit))
    assert stored == DEFAULT_RATE_LIMIT == "600/minute"


async def test_wrong_keys_are_refused(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    assert await authenticate(maker, key[:-1]) is None
    assert await authenticate(maker, key + "x") is None
    assert await authenticate(maker, generate_key()) is None
    assert await authenticate(maker, key.removeprefix(KEY_PREFIX)) is None
    assert await authenticate(maker, "") is None
    assert await authenticate(maker, hash_key(key)) is None  # the hash is not a key


async def test_revoke_stops_the_key_at_once(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    other = await create_key(maker, "partner-b", "100/minute")
    assert await authenticate(maker, key) is not None
    assert await revoke_key(maker, "partner-a") is True
    assert await authenticate(maker, key) is None
    assert await authenticate(maker, other) is not None
    assert await revoke_key(maker, "partner-a") is True  # revoking again is harmless
    assert await revoke_key(maker, "nobody") is False


async def test_only_a_hash_is_stored(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    async with maker() as session:
        row = (await session.execute(select(ApiKey))).scalar_one()
    assert row.key_hash == hash_key(key)
    assert row.key_hash != key
    assert key not in row.key_hash
    assert key.removeprefix(KEY_PREFIX) not in row.key_hash
    for value in (row.name, row.rate_limit):
        assert value is not None and key not in value


async def test_list_shows_everything_but_the_key(maker: Maker) -> None:
    before = datetime.now(UTC)
    key_a = await create_key(maker, "partner-a", "100/minute")
    key_b = await create_key(maker, "partner-b", "5/second")
    await revoke_key(maker, "partner-b")
    infos = await list_keys(maker)
    assert [(i.name, i.rate_limit, i.revoked, i.last_used_at) for i in infos] == [
        ("partner-a", "100/minute", False, None),
        ("partner-b", "5/second", True, None),
    ]
    for info in infos:
        assert info.created_at.tzinfo is not None
        assert before - timedelta(seconds=1) <= info.created_at <= datetime.now(UTC)
    text = repr(infos)
    for key in (key_a, key_b):
        assert key not in text and hash_key(key) not in text


async def test_duplicate_names_are_refused(maker: Maker) -> None:
    await create_key(maker, "partner-a", "100/minute")
    await revoke_key(maker, "partner-a")
    with pytest.raises(DuplicateName, match="partner-a"):
        await create_key(maker, "partner-a", "100/minute")
    with pytest.raises(DuplicateName):
        await create_key(maker, "  partner-a ", "100/minute")
    assert [i.name for i in await list_keys(maker)] == ["partner-a"]


@pytest.mark.parametrize(
    "limit", ["", "lots", "600/fortnight", "0/minute", "-1/minute", "1/second;5/minute"]
)
async def test_bad_rate_limits_are_refused(maker: Maker, limit: str) -> None:
    with pytest.raises(InvalidRateLimit, match="rate limit"):
        await create_key(maker, "partner-a", limit)
    assert await list_keys(maker) == []


async def test_bad_names_are_refused(maker: Maker) -> None:
    for name in ("", "   ", "x" * 101, "a\nb"):
        with pytest.raises(InvalidName):
            await create_key(maker, name, "1/second")
    assert await list_keys(maker) == []


async def test_authenticate_is_one_statement(engine: AsyncEngine, maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    counter = StatementCounter(engine)
    assert await authenticate(maker, key) is not None
    assert counter.count == 1
    assert await authenticate(maker, "not-a-key") is None
    assert counter.count == 1  # not one of ours: the database is not asked


async def _last_used(maker: Maker, name: str) -> datetime | None:
    (info,) = [i for i in await list_keys(maker) if i.name == name]
    return info.last_used_at


async def test_touch_writes_nothing_until_flush(engine: AsyncEngine, maker: Maker) -> None:
    key_a = await create_key(maker, "partner-a", "100/minute")
    key_b = await create_key(maker, "partner-b", "100/minute")
    a = await authenticate(maker, key_a)
    b = await authenticate(maker, key_b)
    assert a is not None and b is not None
    counter = StatementCounter(engine)
    last_used = LastUsed()
    t0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    for n in range(50):
        last_used.touch(a.id, t0 + timedelta(seconds=n))
        last_used.touch(b.id, t0)
    assert counter.count == 0
    assert len(last_used) == 2
    assert await last_used.flush(maker) == 2
    assert counter.count == 2  # one UPDATE per key touched
    assert len(last_used) == 0
    assert await _last_used(maker, "partner-a") == t0 + timedelta(seconds=49)
    assert await _last_used(maker, "partner-b") == t0
    before = counter.count
    assert await last_used.flush(maker) == 0
    assert counter.count == before  # nothing pending: no statement at all


async def test_flush_never_moves_last_used_back(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    record = await authenticate(maker, key)
    assert record is not None
    last_used = LastUsed()
    later = datetime(2025, 3, 1, 8, 0, 30, 250_000, tzinfo=UTC)
    last_used.touch(record.id, later)
    await last_used.flush(maker)
    # e.g. another instance flushing an older time after this one
    last_used.touch(record.id, later - timedelta(minutes=5))
    await last_used.flush(maker)
    assert await _last_used(maker, "partner-a") == later
    last_used.touch(record.id, later + timedelta(microseconds=1))
    await last_used.flush(maker)
    assert await _last_used(maker, "partner-a") == later + timedelta(microseconds=1)


async def test_flush_converts_other_time_zones_to_utc(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    record = await authenticate(maker, key)
    assert record is not None
    hanoi = timezone(timedelta(hours=7))
    last_used = LastUsed()
    last_used.touch(record.id, datetime(2025, 3, 1, 15, 0, tzinfo=hanoi))
    await last_used.flush(maker)
    assert await _last_used(maker, "partner-a") == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    # 14:00 in Hanoi is before 08:00 UTC: it must not win as a later string would
    last_used.touch(record.id, datetime(2025, 3, 1, 14, 0, tzinfo=hanoi))
    await last_used.flush(maker)
    assert await _last_used(maker, "partner-a") == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


async def test_touch_during_flush_is_kept_for_the_next(maker: Maker) -> None:
    key = await create_key(maker, "partner-a", "100/minute")
    record = await authenticate(maker, key)
    assert record is not None
    last_used = LastUsed()
    t0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    last_used.touch(record.id, t0)

    async def touch_meanwhile() -> None:
        await asyncio.sleep(0)
        last_used.touch(record.id, t0 + timedelta(hours=1))

    written, _ = await asyncio.gather(last_used.flush(maker), touch_meanwhile())
    assert written == 1
    assert len(last_used) == 1
    await last_used.flush(maker)
    assert await _last_used(maker, "partner-a") == t0 + timedelta(hours=1)


async def test_failed_flush_keeps_the_times(maker: Maker) -> None:
    last_used = LastUsed()
    t0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    last_used.touch(7, t0)

    def broken() -> AsyncSession:
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        await last_used.flush(broken)  # type: ignore[arg-type]
    assert len(last_used) == 1
    # a key that no longer exists is simply not updated
    assert await last_used.flush(maker) == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-API-Key": "dxg_k"}, "dxg_k"),
        ({"x-api-key": " dxg_k "}, "dxg_k"),
        ({"Authorization": "Bearer dxg_k"}, "dxg_k"),
        ({"authorization": "bearer dxg_k"}, "dxg_k"),
        ({"Authorization": "BEARER   dxg_k"}, "dxg_k"),
        ({"X-API-Key": "dxg_x", "Authorization": "Bearer dxg_b"}, "dxg_x"),
        ({"X-API-Key": "", "Authorization": "Bearer dxg_b"}, "dxg_b"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, None),
        ({"Authorization": "Token dxg_k"}, None),
        ({"Authorization": "Bearer"}, None),
        ({"Authorization": "Bearer   "}, None),
        ({"Authorization": "dxg_k"}, None),
        ({"X-API-Key": ""}, None),
        ({"X-API-Key": "   "}, None),
        ({}, None),
        ({"Accept": "application/json"}, None),
    ],
)
def test_presented_key(headers: dict[str, str], expected: str | None) -> None:
    assert presented_key(headers) == expected


def test_presented_key_from_starlette_headers() -> None:
    from starlette.datastructures import Headers

    headers = Headers(raw=[(b"authorization", b"Bearer dxg_k")])
    assert presented_key(headers) == "dxg_k"
    assert presented_key(Headers(raw=[(b"x-api-key", b"dxg_x")])) == "dxg_x"
