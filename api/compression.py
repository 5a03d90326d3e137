"""Content codings of GraphQL answers: which one a client accepts, and the coded bytes.

Citizen apps run on phones: a page of 20 questions with their answers is ~16.6 KB of
UTF-8 JSON and ~5 KB gzipped. An answer of at least ``MIN_BYTES`` is sent as ``br``
(brotli) or ``gzip`` when ``Accept-Encoding`` allows it, preferring brotli (smaller at
the same cost); a smaller one is sent as it is, since coding it saves less than a packet.

A coded answer is a different representation, so it has its own strong ``ETag``
(``coded_etag``: RFC 9110 §8.8.3 forbids one strong tag for two byte sequences) and every
answer says ``Vary: Accept-Encoding``. The coded forms of cached answers are kept here,
by their identity ETag, so a cache hit costs no compression; they live in this process
even when the response cache is in Redis (a second coding per instance, not per request).
"""

from __future__ import annotations

import gzip
import hashlib

import brotli  # type: ignore[import-untyped]
from cachetools import LRUCache

#: answers shorter than this go uncoded (Starlette's GZipMiddleware uses 500; a TCP
#: packet carries ~1400 bytes, so coding below ~1 KB rarely saves a round trip)
MIN_BYTES = 1024

#: codings served, most preferred first
CODINGS = ("br", "gzip")

#: fast levels: an uncached answer is coded on the request's path. Measured on the
#: 20-question page (bench/README.md "Bytes on the wire"): higher levels save a few
#: percent more for several times the CPU.
GZIP_LEVEL = 6
BROTLI_QUALITY = 5

#: the coded forms kept, by bytes (a fraction of the response cache's budget)
DEFAULT_CODED_BYTES = 16 * 1024 * 1024

VARY = "Accept-Encoding"


def accepted_coding(header: str | None) -> str | None:
    """The coding to send for an ``Accept-Encoding`` header, or None for identity.

    Follows RFC 9110 §12.5.3: codings with ``q=0`` are refused, ``*`` stands for any
    coding not named; among the acceptable ones the highest q wins, ties going to the
    server's preference (``CODINGS``).
    """
    if not header:
        return None
    weights: dict[str, float] = {}
    for part in header.split(","):
        name, _, params = part.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    best: str | None = None
    best_weight = 0.0
    for coding in CODINGS:
        weight = weights.get(coding, weights.get("*", 0.0))
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY))
    # mtime=0: the same answer gives the same bytes (and so the same coded ETag)
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def coded_etag(etag: str, coding: str) -> str:
    """The strong validator of ``coding``'s representation of the answer tagged ``etag``."""
    return '"' + hashlib.sha256(f"{etag}:{coding}".encode()).hexdigest()[:32] + '"'


class CodedAnswers:
    """Coded forms of answers by identity ETag and coding: an LRU bounded by bytes."""

    def __init__(self, max_bytes: int = DEFAULT_CODED_BYTES) -> None:
        self._items: LRUCache[tuple[str, str], bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)

    def __len__(self) -> int:
        return len(self._items)

    def encode(self, body: bytes, etag: str, coding: str, *, keep: bool) -> bytes:
        """``body`` coded; kept for the next request when ``keep`` (a cacheable answer)."""
        key = (etag, coding)
        coded = self._items.get(key)
        if coded is None:
            coded = compress(body, coding)
            if keep and len(coded) <= self._items.maxsize:
                self._items[key] = coded
        return coded
