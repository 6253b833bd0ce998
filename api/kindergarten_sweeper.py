from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.kindergarten.sweep import SweepReport, sweep
from domain.shared.clock import Clock

log = logging.getLogger("govgraph.sweep")


class KindergartenSweeper:
    """Runs the kindergarten sweep on a timer in this process. Every instance runs one: the sweep is safe to run
    on several at once, so no instance has to be the one that remembers the deadlines."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        interval_s: float,
        observe: Callable[[SweepReport | None, float], None] = lambda report, seconds: None,
    ) -> None:
        self._sessions, self._clock, self._interval_s, self._observe = sessions, clock, interval_s, observe
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._interval_s > 0:
            self._task = asyncio.create_task(self._run(), name="kindergarten-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self.run_once()

    async def run_once(self) -> SweepReport | None:
        started = time.perf_counter()
        try:
            report = await sweep(self._sessions, now=self._clock.now())
        except Exception:  # a database away for a while: log, and try again at the next tick
            log.exception("kindergarten sweep failed")
            self._observe(None, time.perf_counter() - started)
            return None
        self._observe(report, time.perf_counter() - started)
        if any((report.lapsed, report.expired, report.benefits_dropped, report.closed_inactive, report.aged_out,
                report.warned, report.offered)):  # fmt: skip
            log.info("kindergarten sweep: %s", report)
        return report
