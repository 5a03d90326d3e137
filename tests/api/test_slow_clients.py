"""Slow clients against a real ``dxgraph serve`` (uvicorn): a request's headers must
arrive within DXGRAPH_HEADER_TIMEOUT, its body within DXGRAPH_BODY_TIMEOUT (issue 15: the
red team held 6,000 connections open with partial headers or bodies)."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from conformance.server import live_server


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing, or None if it is still open after ``seconds``."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return None
    return received


def _healthz(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    received = b""
    while not received.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def test_partial_headers_and_trickling_bodies_are_cut_off(
    loaded_urls: dict[str, str], tmp_path: Path
) -> None:
    database = tmp_path / "slow.db"
    shutil.copyfile(loaded_urls["sqlite"].removeprefix("sqlite+aiosqlite:///"), database)
    env = {"DXGRAPH_HEADER_TIMEOUT": "1", "DXGRAPH_BODY_TIMEOUT": "1"}
    with live_server(database, tmp_path / "serve.log", env=env) as base:
        partial = _connect(base)
        partial.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        cut = _closed_within(partial, 5)
        elapsed = time.monotonic() - started

        body = _connect(base)
        body.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"query": "'
        )
        answer = _closed_within(body, 5)

        # a prompt client on a kept-alive connection is served twice, then cut off idle
        prompt = _connect(base)
        first = _healthz(prompt)
        second = _healthz(prompt)
        # and the same connection's next request gets the same deadline on its headers
        prompt.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        kept_cut = _closed_within(prompt, 5)
        kept_elapsed = time.monotonic() - started
    assert cut == b""  # closed without an answer
    assert 0.8 < elapsed < 3.0
    assert answer is not None and answer.startswith(b"HTTP/1.1 408")
    assert b"REQUEST_TIMEOUT" in answer
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")
    assert kept_cut == b"" and 0.8 < kept_elapsed < 3.0
