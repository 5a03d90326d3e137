"""Prometheus metrics of one app: requests, durations, SQL statements, cache, rate limits.

Each app owns its registry (two apps in one process, as in tests, never share counters).
``GET /metrics`` renders it in the Prometheus text format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

#: operation names are chosen by clients: only this many distinct ones get their own label
MAX_OPERATION_LABELS = 200
_OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")


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

    def count_statements(self, count: Callable[[], int]) -> None:
        """Expose ``dxgraph_db_statements_total`` from a live counter."""
        self.registry.register(_StatementCollector(count))

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
        self.requests.labels(operation, str(status)).inc()
        self.duration.labels(operation).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
