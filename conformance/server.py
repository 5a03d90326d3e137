"""A live dxgraph server on a loopback port, for checks that need a real HTTP server.

``live_server`` runs ``dxgraph serve`` (or another ASGI command line) as a child process
with ``DATABASE_URL`` pointing at a SQLite file; ``serve`` loads the bundled sources into
it when it is empty. The child is stopped by its own process id when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
#: generous enough for the first ``serve`` on an empty database (migrate, then load)
STARTUP_TIMEOUT = 180.0
#: what every live server of the checks gets: a rate limit the checks never reach
QUIET_ENV = {"DXGRAPH_ANON_RATE_LIMIT": "1000000/minute"}


class ServerFailed(RuntimeError):
    """The server exited, or did not answer in time."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_command(port: int) -> list[str]:
    """The operator's command (CLI.md): ``dxgraph serve --host 127.0.0.1 --port P``."""
    return [str(BIN / "dxgraph"), "serve", "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def live_server(
    database_path: Path,
    log_path: Path,
    command: Sequence[str] | None = None,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run a server until the block ends; yield its base URL (``http://127.0.0.1:P``).

    ``command`` defaults to ``serve_command(port)``; a custom one must listen on ``port``.
    """
    port = port or free_port()
    argv = list(command) if command is not None else serve_command(port)
    environment = {
        **os.environ,
        **QUIET_ENV,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database_path}",
        **(env or {}),
    }
    base = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=database_path.parent
        )
        try:
            _wait_ready(process, base, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait_ready(process: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(
                f"server exited with {process.returncode}:\n{log_path.read_text()[-4000:]}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise ServerFailed(f"no answer from {base}/readyz in {STARTUP_TIMEOUT:.0f} s")
