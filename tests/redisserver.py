"""A throwaway Redis for tests: a real ``redis-server`` when installed, else fakeredis.

CI installs Debian's redis-server (.ci/run), so the shared-limit and shared-cache tests
run against a real server there; a machine without one still runs them against
fakeredis' TCP server, which speaks the same protocol (Lua included) on a loopback port.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    from fakeredis import TcpFakeServer

    server = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _wait_for(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.shutdown()
        server.server_close()
