"""A throwaway Redis server for tests, started from this machine's ``redis-server``.

CI installs Debian's redis-server when it is missing (.ci/run). These tests do not skip
without it: they fail with the hint below. (fakeredis' TCP server was tried as a stand-in
and drops the connection on the rate-limit library's Lua scripts.)
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

from devkit.pgserver import _free_port

INSTALL_HINT = (
    "redis-server was not found. The shared rate-limit and cache tests do not skip: "
    "install it with `apt-get install -y redis-server` (Debian/Ubuntu) or put it on PATH."
)


def _wait_for(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"Redis did not start on port {port}")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Yield a ``redis://`` URL of a fresh, empty server; stop it afterwards."""
    port = _free_port()
    binary = shutil.which("redis-server")
    if binary:
        with tempfile.TemporaryDirectory(prefix="dxgraph-redis-") as folder:
            process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    folder,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait_for(port)
                yield f"redis://127.0.0.1:{port}/0"
            finally:
                process.terminate()
                process.wait(10)
        return
    raise RuntimeError(INSTALL_HINT)
