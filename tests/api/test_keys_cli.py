"""``dxgraph keys create|list|revoke`` on both databases.

The commands run their own event loop (``asyncio.run``), so each invocation runs in a
worker thread: the tests' session-scoped loop stays untouched.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from typer.testing import CliRunner, Result

from api.cli import app
from api.keys import KEY_PREFIX, authenticate, hash_key
from db.session import create_engine, create_sessionmaker

KEY = re.compile(re.escape(KEY_PREFIX) + r"[A-Za-z0-9_-]{43}")


async def dxgraph(url: str, *args: str) -> Result:
    def invoke() -> Result:
        return CliRunner().invoke(app, list(args), env={"DATABASE_URL": url})

    return await asyncio.to_thread(invoke)


async def authenticates(url: str, key: str) -> bool:
    engine = create_engine(url)
    try:
        return await authenticate(create_sessionmaker(engine), key) is not None
    finally:
        await engine.dispose()


async def test_create_list_revoke(db_url: str) -> None:
    created = await dxgraph(db_url, "keys", "create", "--name", "partner-a")
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert KEY.fullmatch(key), created.stdout  # stdout holds the key and nothing else
    assert "will not be shown again" in created.stderr
    assert await authenticates(db_url, key)

    other = await dxgraph(
        db_url, "keys", "create", "--name", "partner-b", "--rate-limit", "10 per second"
    )
    assert other.exit_code == 0, other.output
    other_key = other.stdout.strip()
    assert other_key != key

    listed = await dxgraph(db_url, "keys", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "RATE", "LIMIT", "CREATED", "LAST", "USED", "STATE"]
    a_line, b_line = lines[1:]
    assert a_line.startswith("partner-a ") and "600/minute" in a_line
    assert a_line.split()[-2:] == ["never", "active"]
    assert b_line.startswith("partner-b ") and "10 per second" in b_line
    for secret in (key, other_key, hash_key(key), hash_key(other_key)):
        assert secret not in listed.output
    assert KEY_PREFIX not in listed.output

    revoked = await dxgraph(db_url, "keys", "revoke", "partner-a")
    assert revoked.exit_code == 0, revoked.output
    assert "revoked key 'partner-a'" in revoked.stdout
    assert not await authenticates(db_url, key)
    assert await authenticates(db_url, other_key)

    listed = await dxgraph(db_url, "keys", "list")
    states = {line.split()[0]: line.split()[-1] for line in listed.stdout.splitlines()[1:]}
    assert states == {"partner-a": "revoked", "partner-b": "active"}


async def test_duplicate_name_fails(db_url: str) -> None:
    first = await dxgraph(db_url, "keys", "create", "--name", "partner-a")
    assert first.exit_code == 0, first.output
    again = await dxgraph(db_url, "keys", "create", "--name", "partner-a")
    assert again.exit_code == 1
    assert again.stdout == ""  # no key printed
    assert "error: a key named 'partner-a' already exists" in again.stderr


async def test_bad_rate_limit_fails_and_stores_nothing(db_url: str) -> None:
    bad = await dxgraph(db_url, "keys", "create", "--name", "partner-a", "--rate-limit", "lots")
    assert bad.exit_code == 1
    assert bad.stdout == ""
    assert "error: invalid rate limit 'lots'" in bad.stderr
    assert "600/minute" in bad.stderr  # the message shows the expected notation
    listed = await dxgraph(db_url, "keys", "list")
    assert listed.stdout.strip() == "no API keys"


async def test_revoking_an_unknown_name_fails(db_url: str) -> None:
    missing = await dxgraph(db_url, "keys", "revoke", "nobody")
    assert missing.exit_code == 1
    assert "error: no key named 'nobody'" in missing.stderr


async def test_keys_migrate_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    created = await dxgraph(url, "keys", "create", "--name", "partner-a")
    assert created.exit_code == 0, created.output
    assert await authenticates(url, created.stdout.strip())
