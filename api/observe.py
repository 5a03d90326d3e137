"""Per-request observation: a request id, one JSON log line, and the request metrics.

A pure ASGI middleware around the whole app. The request id is the caller's
``X-Request-ID`` when it is a sane token, a new UUID otherwise; it is echoed in the
response header, stored in ``scope["state"]["request_id"]`` for the GraphQL view (which
puts it on errors), and logged. The view adds ``operation``, ``cache`` and ``caller`` to
the same state for the log line and the metrics.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import get_logger
from api.metrics import Metrics

log = get_logger()

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: paths with a label of their own in the metrics; anything else counts as "other"
_PATHS = {"/healthz", "/readyz", "/metrics"}


class ObserveRequests:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request.failed", request_id=request_id, path=scope["path"])
            raise
        finally:
            seconds = time.perf_counter() - started
            path = scope["path"]
            if path == "/graphql":
                operation = self.metrics.operation_label(state.get("operation"))
            else:
                operation = path if path in _PATHS else "other"
            self.metrics.observe(operation, status, seconds)
            log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=path,
                operation=state.get("operation"),
                status=status,
                duration_ms=round(seconds * 1000, 2),
                cache=state.get("cache"),
                caller=state.get("caller"),
            )
