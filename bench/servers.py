"""Processes under test: start on a free loopback port, wait until they answer, measure their
peak memory, and stop them — also when the run fails or is interrupted (Ctrl-C, SIGTERM).

Every process is started in a session of its own, so stopping one stops its children too
(uvicorn's reloader-less worker, node's helpers); ``Reaper`` remembers each one and stops
whatever is left at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc/*/stat's ppid field)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after it
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _status_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Server:
    """One process under test, listening on ``port``."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        return [self.process.pid, *_children(self.process.pid)]

    def peak_rss_mib(self) -> float:
        """Peak resident set (VmHWM) of the process and its children, summed."""
        return sum(_status_kib(pid, "VmHWM") for pid in self.pids()) / 1024

    def rss_mib(self) -> float:
        return sum(_status_kib(pid, "VmRSS") for pid in self.pids()) / 1024

    def reset_peak_rss(self) -> None:
        """Start VmHWM again from the current RSS (Linux: ``5`` into clear_refs)."""
        for pid in self.pids():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process and its children so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the whole session; SIGKILL what is left after 10 s."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Reaper:
    """Stops every server started through it, at exit and on SIGINT/SIGTERM."""

    def __init__(self) -> None:
        self.servers: list[Server] = []
        atexit.register(self.stop_all)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # turn the signal into an exception so every finally (PostgreSQL, temp dirs) runs
        raise KeyboardInterrupt(f"signal {signum}")

    def start(
        self,
        name: str,
        command: list[str],
        *,
        env: Mapping[str, str],
        port: int,
        logdir: Path,
        ready_path: str = "/healthz",
        cwd: Path = PROJECT_ROOT,
        timeout: float = 120.0,
    ) -> Server:
        """Start ``command`` and wait until ``GET ready_path`` answers below 500."""
        log = logdir / f"{name}.log"
        full_env = {**os.environ, **env}
        with log.open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = Server(name, process, port, log, dict(env))
        self.servers.append(server)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not server.alive():
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{server.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                response = httpx.get(server.base_url + ready_path, timeout=2)
                if response.status_code < 500:
                    return server
            time.sleep(0.2)
        server.stop()
        raise RuntimeError(f"{name} did not answer within {timeout:.0f} s:\n{server.tail()}")

    def stop(self, server: Server) -> None:
        server.stop()
        if server in self.servers:
            self.servers.remove(server)

    def stop_all(self) -> None:
        while self.servers:
            self.servers.pop().stop()


@contextlib.contextmanager
def reaper() -> Iterator[Reaper]:
    keeper = Reaper()
    try:
        yield keeper
    finally:
        keeper.stop_all()
