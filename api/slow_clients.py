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
    """uvicorn's protocol with a deadline on each request's headers.

    One timer per connection, moved on lazily: arming (once per response) only notes the
    new deadline, and a timer that fires before it re-arms itself for the rest, so a busy
    kept-alive connection does not cancel and schedule a timer for every request.
    """

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        # both of uvicorn's protocols start a new ``cycle`` once a request's headers are in
        self.waiting_on = self.cycle
        self.deadline = self.loop.time() + self.header_timeout
        if self.header_timer is None:
            self.header_timer = self.loop.call_at(self.deadline, self._expire)

    def _expire(self) -> None:
        self.header_timer = None
        if self.cycle is not self.waiting_on or self.transport.is_closing():
            return  # the headers came in: the response's end arms the next deadline
        if self.loop.time() < self.deadline:  # armed again since this timer was set
            self.header_timer = self.loop.call_at(self.deadline, self._expire)
            return
        self.transport.close()
