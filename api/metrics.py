from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response

from domain.kindergarten.live import KindergartenHub
from domain.kindergarten.sweep import SweepReport

# Latency buckets around our targets: p99 under 30 ms for the scan, seconds for a large code order.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's Prometheus metrics, in a registry of its own so that every app instance counts apart."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "graphql_requests",
            "GraphQL requests by operation and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "graphql_request_duration_seconds",
            "Time to answer a GraphQL request",
            ["operation"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("graphql_errors", "Errors in GraphQL responses by code", ["code"], registry=self.registry)
        self.registry.register(_PoolCollector(engine))
        self.swept = Counter(
            "kindergarten_sweep_items",
            "Deadlines the kindergarten sweep of this instance settled, by what it did",
            ["action"],
            registry=self.registry,
        )
        self.sweep_duration = Histogram(
            "kindergarten_sweep_duration_seconds", "Time of one sweep", buckets=_BUCKETS, registry=self.registry
        )
        self.sweep_failures = Counter("kindergarten_sweep_failures", "Sweeps that failed", registry=self.registry)
        self._latency: dict[str, Any] = {}
        self._requests: dict[tuple[str, str], Any] = {}

    def observe(self, operation: str, seconds: float, errors: Iterable[dict[str, Any]] | None) -> None:
        # `operation` is "<type> <root fields>" from a validated document (or "invalid"): bounded by the schema,
        # never the client's free-text operation name.
        latency = self._latency.get(operation)
        if latency is None:  # prometheus_client's labels() hashes and locks on every call; the child is kept
            latency = self._latency[operation] = self.latency.labels(operation)
        latency.observe(seconds)
        outcome = "ok"
        for error in errors or ():
            outcome = "error"
            self.errors.labels(error.get("extensions", {}).get("code", "UNKNOWN")).inc()
        counter = self._requests.get((operation, outcome))
        if counter is None:
            counter = self._requests[(operation, outcome)] = self.requests.labels(operation, outcome)
        counter.inc()

    def follow_subscriptions(self, hub: KindergartenHub) -> None:
        """Report how many kindergarten subscriptions this instance serves."""
        self.registry.register(_SubscriptionsCollector(hub))

    def observe_sweep(self, report: SweepReport | None, seconds: float) -> None:
        """A sweep's outcome: None when it failed."""
        if report is None:
            self.sweep_failures.inc()
            return
        self.sweep_duration.observe(seconds)
        for action in ("lapsed", "benefits_dropped", "expired", "closed_inactive", "aged_out", "warned", "offered"):
            if count := getattr(report, action):
                self.swept.labels(action).inc(count)

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type="text/plain; version=0.0.4; charset=utf-8")


class _PoolCollector(Collector):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self._engine.sync_engine.pool
        if not isinstance(pool, QueuePool):
            return
        for name, help_text, value in (
            ("db_pool_size", "Connections the pool keeps", pool.size()),
            ("db_pool_checked_out", "Connections in use", pool.checkedout()),
            ("db_pool_overflow", "Connections above the pool size", max(pool.overflow(), 0)),
            ("db_pool_idle", "Idle connections in the pool", pool.checkedin()),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)


class _SubscriptionsCollector(Collector):
    def __init__(self, hub: KindergartenHub) -> None:
        self._hub = hub

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "kindergarten_subscriptions",
            "Live kindergarten subscriptions on this instance",
            value=self._hub.subscribers,
        )
