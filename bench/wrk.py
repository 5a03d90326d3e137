"""Drive a server with wrk: one request, N connections, D seconds; figures from a Lua hook.

The request (method, path, headers, body) is written into a Lua script; its ``done``
hook prints one JSON line with the request count, duration, errors and the latency
percentiles from wrk's own (HdrHistogram-like) recording, so nothing is parsed from
wrk's human-readable output.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

from bench.scenarios import HttpRequest

MARKER = "WRKJSON "

_DONE_HOOK = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,'
    .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
    .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\\n',
    "MARKER", summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def _lua_string(value: str) -> str:
    """A Lua long string holding ``value`` verbatim."""
    level = 1
    while f"]{'=' * level}]" in value:
        level += 1
    eq = "=" * level
    return f"[{eq}[{value}]{eq}]"


def lua_script(request: HttpRequest, nonce_start: int = 0) -> str:
    """The request in Lua; a varying body gets a nonce counted up from ``nonce_start``."""
    lines = [
        f"wrk.method = {_lua_string(request.method)}",
        f"wrk.path = {_lua_string(request.path)}",
    ]
    for name, value in request.headers:
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    if request.varying:
        before, after = request.body_parts()
        lines += [
            f"local before = {_lua_string(before)}",
            f"local after = {_lua_string(after)}",
            f"local nonce = {nonce_start}",
            "request = function()",
            "  nonce = nonce + 1",
            "  return wrk.format(nil, nil, nil, before .. nonce .. after)",
            "end",
        ]
    elif request.body:
        lines.append(f"wrk.body = {_lua_string(request.body.decode())}")
    return "\n".join(lines) + _DONE_HOOK.replace("MARKER", MARKER)


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def failed(self) -> int:
        """Requests answered with a status ≥ 400, or not answered (connect/read/timeout)."""
        return sum(self.errors.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "errors": self.errors,
        }


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    return found


def ensure_wrk() -> str:
    """wrk's path, installing the Debian package first when it is missing (as .ci/run
    installs postgresql)."""
    if shutil.which("wrk") is None:
        sudo: list[str] = [] if os.geteuid() == 0 else ["sudo"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return wrk_binary()


def run_wrk(
    base_url: str,
    request: HttpRequest,
    *,
    connections: int,
    duration_s: float,
    threads: int = 1,
    timeout_s: float = 10.0,
) -> WrkResult:
    """One wrk run against ``base_url`` with ``request`` repeated on every connection."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # a nonce range of its own for every run: no request repeats one of an earlier run
        script.write(lua_script(request, random.randrange(10**12)))
    try:
        completed = subprocess.run(
            [
                wrk_binary(),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration_s))}s",
                f"--timeout={timeout_s:g}s",
                "-s",
                script.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            timeout=duration_s + timeout_s + 60,
        )
    finally:
        os.unlink(script.name)
    for line in completed.stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            latency = data["latency_us"]
            return WrkResult(
                requests=int(data["requests"]),
                duration_s=int(data["duration_us"]) / 1e6,
                errors={k: int(v) for k, v in data["errors"].items() if int(v)},
                p50_ms=latency["p50"] / 1000,
                p90_ms=latency["p90"] / 1000,
                p99_ms=latency["p99"] / 1000,
                max_ms=latency["max"] / 1000,
            )
    raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
