"""A deadline for a request's headers, which uvicorn does not have.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but waits forever for
the headers of a request that has started to arrive: a client sending one byte now and
then held a connection indefinitely (the red team held 6,000). ``HeaderDeadline`` is
uvicorn's own HTTP protocol (httptools, else h11: what ``--http auto`` picks) with one
addition: from the moment a connection opens, and again after each response, the next
request's headers must be complete within ``DXGRAPH_HEADER_TIMEOUT`` seconds, or the
connection is closed. The body has its own deadline in the app (``api.decoding``: 408).

``dxgraph serve`` passes it to uvicorn as ``http="api.slow_clients:HeaderDeadline"``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from api.settings import Settings

#: read once per worker process, when uvicorn imports this protocol
HEADER_TIMEOUT = Settings().header_timeout


class HeaderDeadline(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        previous: asyncio.TimerHandle | None = getattr(self, "header_deadline", None)
        if previous is not None:
            previous.cancel()
        # both of uvicorn's protocols start a new ``cycle`` once a request's headers are in
        waiting_on = self.cycle
        self.header_deadline = self.loop.call_later(self.header_timeout, self._expire, waiting_on)

    def _expire(self, waiting_on: Any) -> None:
        if self.cycle is waiting_on and not self.transport.is_closing():
            self.transport.close()
