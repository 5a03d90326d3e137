"""A throwaway PostgreSQL server for the test session.

Started in a temporary folder with the server binaries of this machine (``pg_config
--bindir``, or /usr/lib/postgresql/*/bin), as the ``postgres`` system user when the
tests run as root (PostgreSQL refuses to run as root), on a free loopback port, with
trust authentication; stopped and removed at the end of the session.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. The PostgreSQL tests do "
    "not skip: install them with `apt-get install -y postgresql` (Debian/Ubuntu) or put "
    "their folder on PATH, or point DXGRAPH_TEST_POSTGRES_URL at a server you run."
)


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    candidates: list[str] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb") or "").parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresUnavailable(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl start in a temporary folder; ``url(db)`` gives an asyncpg URL."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="dxgraph-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def start(self) -> PostgresServer:
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self._serve()
        return self

    def _serve(self) -> None:
        """Start the server on the initialised data directory; return once it listens."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailable(f"PostgreSQL did not start; see {self.root / 'server.log'}")

    def stop(self, *, remove: bool = True) -> None:
        # An immediate stop is a crash: with synchronous_commit off it may lose the last
        # commits, so a server that is to be started again gets a fast (clean) shutdown.
        mode = "immediate" if remove else "fast"
        with contextlib.suppress(PostgresUnavailable):
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def restart(self) -> None:
        """Start the server again after ``stop(remove=False)`` (fault tests)."""
        self._serve()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"
