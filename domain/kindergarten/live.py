from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.kindergarten import queries
from domain.kindergarten.allocation import Group
from domain.kindergarten.journal import EventKind
from domain.kindergarten.models import ApplicationStatus
from domain.shared.access import Principal, require_citizen
from domain.shared.db import driver


class Watch:
    """One subscriber's wake-up: set when its parent has a new event or an order it waits in has moved."""

    __slots__ = ("groups", "parent_iin", "woken")

    def __init__(self, parent_iin: str) -> None:
        self.parent_iin = parent_iin
        self.groups: frozenset[str] = frozenset()
        self.woken = asyncio.Event()


class KindergartenHub:
    """What this process knows of kindergarten events committed by any process: PostgreSQL NOTIFY tells it (at
    commit, never before), and it wakes the subscriptions concerned, which then read the stored events themselves.
    A wake-up carries no data, so a missed or doubled one loses or repeats nothing."""

    def __init__(self) -> None:
        self._by_parent: dict[str, set[Watch]] = defaultdict(set)
        self._by_group: dict[str, set[Watch]] = defaultdict(set)

    @contextlib.contextmanager
    def watch(self, parent_iin: str) -> Iterator[Watch]:
        """Register before the first read, so that nothing committed between the read and the wait is missed."""
        watch = Watch(parent_iin)
        self._by_parent[parent_iin].add(watch)
        try:
            yield watch
        finally:
            self.follow(watch, ())
            self._by_parent[parent_iin].discard(watch)
            if not self._by_parent[parent_iin]:
                del self._by_parent[parent_iin]

    def follow(self, watch: Watch, groups: Iterable[Group]) -> None:
        """The orders whose moves change the subscriber's positions."""
        keys = frozenset(group_key(group) for group in groups)
        for key in watch.groups - keys:
            self._by_group[key].discard(watch)
            if not self._by_group[key]:
                del self._by_group[key]
        for key in keys - watch.groups:
            self._by_group[key].add(watch)
        watch.groups = keys

    def on_notify(self, payload: str) -> None:
        """`e:<parent IIN>:<event id>` for a stored event, `q:<kindergarten>:<cohort>:<language>` for an order."""
        kind, _, rest = payload.partition(":")
        if kind == "e":
            watches = self._by_parent.get(rest.partition(":")[0], ())
        elif kind == "q":
            watches = self._by_group.get(rest, ())
        else:
            return
        for watch in watches:
            watch.woken.set()

    def wake_all(self) -> None:
        """After the listening connection was lost, anything may have been missed: every subscriber reads again."""
        for watches in self._by_parent.values():
            for watch in watches:
                watch.woken.set()

    @property
    def subscribers(self) -> int:
        return sum(len(watches) for watches in self._by_parent.values())


def group_key(group: Group) -> str:
    return f"{group.kindergarten_id}:{group.cohort}:{group.language.value}"


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A change of one of the parent's applications, as a subscriber receives it. Stored events carry their id (a
    reconnecting parent passes the last one to read what was missed); a position change is computed, not stored."""

    id: int | None
    application_id: int
    kind: EventKind
    status: ApplicationStatus
    at: datetime
    reason: str | None = None
    kindergarten_id: int | None = None
    position: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


async def application_events(
    principal: Principal,
    sessions: async_sessionmaker[AsyncSession],
    hub: KindergartenHub,
    *,
    after_id: int | None,
    now: Callable[[], datetime],
) -> AsyncIterator[LiveEvent]:
    """Every change of the caller's applications from `after_id` on (from now when None), for as long as the caller
    listens. No connection is held while waiting: each wake-up reads the stored events and the positions anew."""
    parent = require_citizen(principal)
    with hub.watch(str(parent.iin)) as watch:
        async with sessions() as session:
            cursor = after_id if after_id is not None else await _last_event_id(session, str(parent.iin))
            positions = await _positions(principal, session, hub, watch)
        while True:
            # Read, let the connection go, then deliver: a slow subscriber never holds a connection of the pool.
            async with sessions() as session:
                batch = await queries.notifications_after(session, str(parent.iin), cursor, limit=_BATCH)
                moved = await _positions(principal, session, hub, watch) if len(batch) < _BATCH else None
            for stored in batch:
                cursor = stored.id
                yield _delivered(stored)
            if moved is None:
                continue  # more stored events than one batch: read on before waiting
            for key, (place, status) in moved.items():
                before = positions.get(key)
                if place is not None and before is not None and before[0] is not None and before[0] != place:
                    yield LiveEvent(None, key[0], EventKind.POSITION_CHANGED, status, now(), kindergarten_id=key[1],
                                    position=place)  # fmt: skip
            positions = moved
            await watch.woken.wait()
            watch.woken.clear()


_BATCH = 100


def _delivered(stored: queries.Notification) -> LiveEvent:
    return LiveEvent(
        stored.id, stored.application_id, EventKind(stored.kind), stored.status, stored.at, stored.reason,
        stored.kindergarten_id, details=stored.details,
    )  # fmt: skip


async def _last_event_id(session: AsyncSession, parent_iin: str) -> int:
    connection = await driver(session)
    last = await connection.fetchval(
        "SELECT coalesce(max(id), 0) FROM kindergarten_application_events WHERE parent_iin = $1", parent_iin
    )
    return int(last)


async def _positions(
    principal: Principal, session: AsyncSession, hub: KindergartenHub, watch: Watch
) -> dict[tuple[int, int], tuple[int | None, ApplicationStatus]]:
    """The caller's current positions; the orders they are in become the ones the subscriber follows."""
    views = await queries.my_applications(principal, session, with_changes=False)
    hub.follow(watch, [Group(choice.kindergarten_id, view.cohort, view.language)
                       for view in views for choice in view.choices if choice.position is not None])  # fmt: skip
    return {(view.id, choice.kindergarten_id): (choice.position, view.status)
            for view in views for choice in view.choices}  # fmt: skip
