from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

import asyncpg

log = logging.getLogger("govgraph.listeners")


class PostgresListener:
    """One connection that LISTENs on some channels for this instance and hands each payload to its handler.

    It reconnects after a lost connection; `on_connect` runs after every (re)connection, so a handler can read
    the state it may have missed while the connection was down.
    """

    def __init__(
        self,
        database_url: str,
        handlers: Mapping[str, Callable[[str], None]],
        *,
        on_connect: Callable[[], object] | None = None,
        retry_s: float = 1.0,
    ) -> None:
        self._url = database_url
        self._handlers = handlers
        self._on_connect = on_connect
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self, *, wait_s: float = 5.0) -> None:
        """Start listening; wait a little for the first connection, but never fail the service for want of it."""
        self._task = asyncio.create_task(self._run(), name="postgres-listener")
        try:
            await asyncio.wait_for(self.connected.wait(), timeout=wait_s)
        except TimeoutError:
            log.warning("not listening yet: the database does not answer; /readyz says so, and we keep trying")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                connection = await asyncpg.connect(self._url)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("cannot listen yet (%s); retrying", error)
                await asyncio.sleep(self._retry_s)
                continue
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _, lost=lost: lost.set())
            try:
                for channel, handler in self._handlers.items():
                    await connection.add_listener(channel, _callback(handler))
                if self._on_connect is not None:
                    try:
                        result = self._on_connect()
                        if asyncio.iscoroutine(result):
                            await result
                    except Exception:  # e.g. a database not migrated yet: keep listening, readyz tells the rest
                        log.exception("catching up after connecting failed")
                self.connected.set()
                await lost.wait()
                log.warning("listener connection lost; reconnecting")
            finally:
                self.connected.clear()
                if not connection.is_closed():
                    await connection.close()


def _callback(handler: Callable[[str], None]) -> Callable[..., None]:
    def on_notification(connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            handler(payload)
        except Exception:  # a bad payload must not kill the listener for every other message
            log.exception("handler for %s failed", channel)

    return on_notification
