"""Prometheus metrics of one app: requests, durations, SQL statements, cache, rate limits.

Each app owns its registry (two apps in one process, as in tests, never share counters).
``GET /metrics`` renders it in the Prometheus text format.

``dxgraph serve --workers N`` (N > 1) runs prometheus_client's documented multiprocess
mode: every worker writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (a
temporary directory per serve, ``multiprocess_directory``), and whichever worker answers
``/metrics`` renders all of them summed, so the page is whole across workers. A live
collector cannot run there, so the SQL statement count becomes a counter each worker
brings up to date after every request and before rendering.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

#: operation names are chosen by clients: only this many distinct ones get their own label
MAX_OPERATION_LABELS = 200
_OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")

#: prometheus_client's switch to multiprocess mode, read when it is first imported
MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR_ENV))


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[str]:
    """Multiprocess mode for the worker processes started inside the block.

    An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is used as it is (they own wiping it);
    otherwise a fresh temporary directory, removed when the block ends: files left from
    an earlier serve would be summed into this one's counters.
    """
    given = os.environ.get(MULTIPROCESS_DIR_ENV)
    if given:
        yield given
        return
    directory = tempfile.mkdtemp(prefix="dxgraph-metrics-")
    os.environ[MULTIPROCESS_DIR_ENV] = directory
    try:
        yield directory
    finally:
        os.environ.pop(MULTIPROCESS_DIR_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)


class _StatementCollector(Collector):
    """Exposes a live statement count (``db.session.StatementCounter``) as a counter."""

    def __init__(self, count: Callable[[], int]) -> None:
        self._count = count

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "dxgraph_db_statements", "SQL statements sent to the database by this process"
        )
        family.add_metric([], self._count())
        yield family


class Metrics:
    """The counters and histograms of one app."""

    CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "dxgraph_requests",
            "HTTP requests answered, by operation (GraphQL operation name or path) and status",
            ["operation", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "dxgraph_request_duration_seconds",
            "Time to answer a request, by operation",
            ["operation"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.cache_hits = Counter(
            "dxgraph_cache_hits", "GraphQL responses served from the cache", registry=self.registry
        )
        self.cache_misses = Counter(
            "dxgraph_cache_misses",
            "Cacheable GraphQL requests that had to be executed",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "dxgraph_rate_limit_rejections",
            "Requests refused with 429, by caller kind (key or anonymous)",
            ["caller"],
            registry=self.registry,
        )
        self.rate_limit_unavailable = Counter(
            "dxgraph_rate_limit_unavailable",
            "Requests admitted without a rate-limit decision: the limiter failed or timed out",
            registry=self.registry,
        )
        self._operations: set[str] = set()
        self._series: dict[tuple[str, int], tuple[Counter, Histogram]] = {}
        self._multiprocess = multiprocess_mode()
        self._statement_count: Callable[[], int] | None = None
        self._statements_synced = 0
        self._statements: Counter | None = None

    def count_statements(self, count: Callable[[], int]) -> None:
        """Expose ``dxgraph_db_statements_total`` from a live counter."""
        if not self._multiprocess:
            self.registry.register(_StatementCollector(count))
            return
        self._statement_count = count
        self._statements = Counter(
            "dxgraph_db_statements",
            "SQL statements sent to the database by every worker",
            registry=self.registry,
        )

    def _sync_statements(self) -> None:
        if self._statement_count is None or self._statements is None:
            return
        count = self._statement_count()
        if count > self._statements_synced:
            self._statements.inc(count - self._statements_synced)
            self._statements_synced = count

    def operation_label(self, name: str | None) -> str:
        """A bounded label for a client-chosen operation name."""
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.match(name):
            return "invalid"
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATION_LABELS:
                return "other"
            self._operations.add(name)
        return name

    def observe(self, operation: str, status: int, seconds: float) -> None:
        # the labelled series of each (operation, status), looked up once: ``labels()``
        # validates and locks on every call; operations are bounded (operation_label)
        series = self._series.get((operation, status))
        if series is None:
            series = self._series[(operation, status)] = (
                self.requests.labels(operation, str(status)),
                self.duration.labels(operation),
            )
        series[0].inc()
        series[1].observe(seconds)
        if self._multiprocess:
            self._sync_statements()

    def render(self) -> bytes:
        if not self._multiprocess:
            return generate_latest(self.registry)
        self._sync_statements()
        # every worker's files, summed (prometheus_client's multiprocess recipe)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
