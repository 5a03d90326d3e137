"""Structured JSON logs (structlog): one line per request, one per unexpected error.

Every line is a JSON object with ``event``, ``level`` and an ISO ``timestamp``; request
lines carry ``request_id``, ``operation``, ``status``, ``duration_ms`` and ``cache``. An
unexpected error's line carries the same ``request_id`` as the error the client got, and
the traceback under ``exception``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import structlog


class _Stderr:
    """Standard error as it is when a line is written (test capture included)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _dumps(obj: Any, **kwargs: Any) -> str:
    # Vietnamese stays readable in the logs
    return json.dumps(obj, ensure_ascii=False, **kwargs)


def configure_logging() -> None:
    """Render every structlog event as one JSON line on standard error."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=_Stderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )


def get_logger() -> Any:
    return structlog.get_logger("dxgraph")
