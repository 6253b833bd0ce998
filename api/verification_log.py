from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.medicines.signals import VerificationRecord, save_verifications
from domain.shared.clock import Clock

log = logging.getLogger("govgraph.verifications")


class BufferedVerificationLog:
    """Scans wait here for a fraction of a second and reach the database in batches; a scan never waits for them.

    What is lost if the process dies is at most one interval of scans (they are statistics and alert triggers,
    not anyone's rights); a clean stop writes them all. When the database is down the buffer keeps the newest
    `max_pending` and drops the oldest rather than grow without bound.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        flush_every_s: float = 0.2,
        max_pending: int = 200_000,
    ) -> None:
        self._sessions, self._clock = sessions, clock
        self._flush_every_s, self._max_pending = flush_every_s, max_pending
        self._pending: list[VerificationRecord] = []
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.dropped = 0

    def record(self, record: VerificationRecord) -> None:
        self._pending.append(record)
        self._bound()

    async def flush(self) -> None:
        """Write what is pending now; on failure it goes back to the front of the queue."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                async with self._sessions() as session:
                    await save_verifications(session, batch, now=self._clock.now())
            except Exception:  # the database may be away; keep the scans and try again next interval
                log.exception("writing %d verifications failed; kept for the next try", len(batch))
                self._pending[:0] = batch
                self._bound()

    def _bound(self) -> None:
        if len(self._pending) > self._max_pending:
            overflow = len(self._pending) - self._max_pending
            del self._pending[:overflow]
            self.dropped += overflow

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="verification-log")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every_s)
            await self.flush()
