"""API keys: creating, listing and revoking them, and recognising them on a request.

A key is ``dxg_`` followed by 32 random bytes (``secrets.token_urlsafe(32)``), shown once
when it is created; the database keeps only its SHA-256 hex digest (``api_keys.key_hash``).

Why SHA-256 and not bcrypt (or scrypt, argon2): a slow, salted hash protects *guessable*
secrets — passwords — by making each guess expensive. A key carries 256 random bits, so no
guess is cheap enough to matter whatever the hash costs. A fast, unsalted digest also
lets a request find its key with one indexed lookup (``key_hash`` is unique), where a
salted hash would force checking every stored key with a slow hash on every request.

The app looks a key up on each request (:func:`authenticate`), so a revoked key stops
working at once. Last-used times are kept in memory (:class:`LastUsed`) and written in
one transaction now and then, so a request costs no database write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import limits
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import ApiKey

KEY_PREFIX = "dxg_"
DEFAULT_RATE_LIMIT = "600/minute"
#: longest name and rate-limit string the ``api_keys`` columns hold
MAX_NAME_LENGTH = 100
MAX_RATE_LIMIT_LENGTH = 32
#: a presented key longer than this is not one of ours: no need to hash it or ask the database
_MAX_PRESENTED_LENGTH = 128

Sessionmaker = async_sessionmaker[AsyncSession]


class ApiKeyError(ValueError):
    """A key cannot be created as asked; the message says why, for the operator."""


class InvalidName(ApiKeyError):
    pass


class InvalidRateLimit(ApiKeyError):
    pass


class DuplicateName(ApiKeyError):
    pass


@dataclass(frozen=True)
class KeyRecord:
    """What a request needs to know about the key it presented."""

    id: int
    name: str
    rate_limit: str


@dataclass(frozen=True)
class KeyInfo:
    """A key as ``dxgraph keys list`` shows it: everything but the key and its hash."""

    name: str
    rate_limit: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def generate_key() -> str:
    """A new random key, recognisable by its ``dxg_`` prefix."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The SHA-256 hex digest stored for ``key`` (see the module docstring for why)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def validate_rate_limit(rate_limit: str) -> str:
    """``rate_limit`` stripped, once ``limits.parse`` accepts it as a single positive limit."""
    text = rate_limit.strip()
    try:
        items = limits.parse_many(text)
    except ValueError as exc:
        raise InvalidRateLimit(
            f"invalid rate limit {rate_limit!r}: expected e.g. '600/minute' or '10 per second'"
        ) from exc
    if len(items) != 1:
        raise InvalidRateLimit(
            f"invalid rate limit {rate_limit!r}: give a single limit, e.g. '600/minute'"
        )
    if items[0].amount < 1:
        raise InvalidRateLimit(f"invalid rate limit {rate_limit!r}: the amount must be at least 1")
    if len(text) > MAX_RATE_LIMIT_LENGTH:
        raise InvalidRateLimit(
            f"invalid rate limit {rate_limit!r}: at most {MAX_RATE_LIMIT_LENGTH} characters"
        )
    return text


def validate_name(name: str) -> str:
    text = name.strip()
    if not text:
        raise InvalidName("the key name must not be empty")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidName(f"the key name must be at most {MAX_NAME_LENGTH} characters")
    if not text.isprintable():
        raise InvalidName(f"the key name {name!r} holds control characters")
    return text


async def create_key(
    sessionmaker: Sessionmaker, name: str, rate_limit: str | None = DEFAULT_RATE_LIMIT
) -> str:
    """Store a new key called ``name``; return the key itself, which is not kept anywhere.

    Raises :class:`ApiKeyError` (a ``ValueError``) for a bad name or rate limit, or a name
    already taken — revoked keys keep their names.
    """
    name = validate_name(name)
    limit = validate_rate_limit(rate_limit if rate_limit is not None else DEFAULT_RATE_LIMIT)
    key = generate_key()
    try:
        async with sessionmaker() as session, session.begin():
            taken = await session.scalar(select(ApiKey.id).where(ApiKey.name == name))
            if taken is not None:
                raise DuplicateName(f"a key named {name!r} already exists")
            session.add(
                ApiKey(
                    name=name,
                    key_hash=hash_key(key),
                    rate_limit=limit,
                    created_at=datetime.now(UTC),
                    last_used_at=None,
                    revoked=False,
                )
            )
    except IntegrityError as exc:
        # Another process created the same name between our check and our insert.
        raise DuplicateName(f"a key named {name!r} already exists") from exc
    return key


async def list_keys(sessionmaker: Sessionmaker) -> list[KeyInfo]:
    """Every key, revoked ones included, oldest first."""
    async with sessionmaker() as session:
        rows = await session.execute(
            select(
                ApiKey.name,
                ApiKey.rate_limit,
                ApiKey.created_at,
                ApiKey.last_used_at,
                ApiKey.revoked,
            ).order_by(ApiKey.created_at, ApiKey.id)
        )
        return [
            KeyInfo(
                name=row.name,
                rate_limit=row.rate_limit or DEFAULT_RATE_LIMIT,
                created_at=_utc(row.created_at),
                last_used_at=_utc(row.last_used_at) if row.last_used_at is not None else None,
                revoked=row.revoked,
            )
            for row in rows
        ]


async def revoke_key(sessionmaker: Sessionmaker, name: str) -> bool:
    """Revoke the key called ``name``; False when there is no such key."""
    async with sessionmaker() as session, session.begin():
        key_id = await session.scalar(select(ApiKey.id).where(ApiKey.name == name.strip()))
        if key_id is None:
            return False
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(revoked=True)
            .execution_options(synchronize_session=False)
        )
        return True


async def authenticate(sessionmaker: Sessionmaker, presented: str) -> KeyRecord | None:
    """The active key ``presented`` is, or None when it is unknown or revoked.

    One SELECT through the unique index on ``key_hash``; a string that cannot be one of
    our keys is turned away without asking the database.
    """
    if not presented.startswith(KEY_PREFIX) or len(presented) > _MAX_PRESENTED_LENGTH:
        return None
    digest = hash_key(presented)
    async with sessionmaker() as session:
        row = (
            await session.execute(
                select(ApiKey.id, ApiKey.name, ApiKey.rate_limit, ApiKey.key_hash).where(
                    ApiKey.key_hash == digest, ApiKey.revoked.is_(False)
                )
            )
        ).first()
    # The lookup already matched; comparing in constant time as well costs nothing and
    # keeps the check safe should the lookup ever become a prefix or collated match.
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return KeyRecord(id=row.id, name=row.name, rate_limit=row.rate_limit or DEFAULT_RATE_LIMIT)


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key a request presents: ``X-API-Key: KEY`` or else ``Authorization: Bearer KEY``.

    Header names are matched case-insensitively (a plain dict works as well as Starlette's
    ``Headers``); another Authorization scheme, or an empty value, presents no key.
    """
    api_key = authorization = ""
    for header, value in headers.items():
        lowered = header.lower()
        if lowered == "x-api-key" and not api_key:
            api_key = value.strip()
        elif lowered == "authorization" and not authorization:
            authorization = value.strip()
    if api_key:
        return api_key
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class LastUsed:
    """Last-used times of keys, kept in memory and written in batches.

    ``touch`` on every request costs no database work; ``flush`` (called periodically and
    at shutdown) writes every key touched since the previous flush in one transaction,
    one UPDATE per key, and never moves ``last_used_at`` backwards — another instance may
    have written a later time already.
    """

    def __init__(self) -> None:
        self._pending: dict[int, datetime] = {}

    def __len__(self) -> int:
        """Keys touched since the last flush."""
        return len(self._pending)

    def touch(self, key_id: int, when: datetime | None = None) -> None:
        """Note that key ``key_id`` was used at ``when`` (now by default; aware datetimes)."""
        moment = datetime.now(UTC) if when is None else _utc(when)
        previous = self._pending.get(key_id)
        if previous is None or moment > previous:
            self._pending[key_id] = moment

    async def flush(self, sessionmaker: Sessionmaker) -> int:
        """Write the pending times; return how many keys were written.

        The buffer is swapped out before the first await, so touches arriving during the
        flush wait for the next one. If the write fails, the times go back into the buffer
        (to be retried) and the error propagates.
        """
        pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            async with sessionmaker() as session, session.begin():
                for key_id, moment in sorted(pending.items()):
                    await session.execute(
                        update(ApiKey)
                        .where(
                            ApiKey.id == key_id,
                            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < moment),
                        )
                        .values(last_used_at=moment)
                        .execution_options(synchronize_session=False)
                    )
        except BaseException:
            for key_id, moment in pending.items():
                self.touch(key_id, moment)
            raise
        return len(pending)


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime (as SQLite returns them) is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
