from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten import journal
from domain.kindergarten.allocation import Group, Offered, groups_with_open_places, offer_open_places
from domain.kindergarten.journal import QueueChange
from domain.kindergarten.models import ApplicationStatus, Language, OfferStatus
from domain.kindergarten.policy import Rules, load_rules
from domain.shared.errors import DomainError, ErrorCode, NotFound
from domain.shared.regions import Region

P = ParamSpec("P")
T = TypeVar("T")
_ATTEMPTS = 3


class InvalidTransition(DomainError):
    """The application's status (or its offer's) does not allow this; the message names the status."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"cannot {action} while the application is {status}", state=status, action=action)


def retrying_deadlocks(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run the use case again when PostgreSQL broke a deadlock by failing it: two orders offering at once may each
    hold a child the other wants next. The transaction was rolled back whole, so running it again is safe."""

    @functools.wraps(use_case)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(_ATTEMPTS):
            try:
                return await use_case(*args, **kwargs)
            except asyncpg.DeadlockDetectedError:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    return run


@dataclass(frozen=True, slots=True)
class Locked:
    """An application locked for the rest of the transaction, with its open offer if it holds one."""

    id: int
    parent_iin: str
    child_iin: str
    status: ApplicationStatus
    region: Region
    row: Any
    offer: Any | None


_LOCK_OWN = """
SELECT a.*, a.status::text AS status_text, a.region::text AS region_text
FROM kindergarten_applications a WHERE a.id = $1 AND ($2::text IS NULL OR a.parent_iin = $2)
FOR UPDATE
"""

_OPEN_OFFER = """
SELECT o.*, o.status::text AS status_text, p.cohort, p.language::text AS language_text
FROM kindergarten_offers o JOIN kindergarten_places p ON p.id = o.place_id
WHERE o.application_id = $1 AND o.status IN ('OFFERED', 'CONFIRMED')
FOR UPDATE OF o
"""


async def lock_application(connection: asyncpg.Connection, application_id: int, *, parent_iin: str | None) -> Locked:
    """The application, locked; another family's is not found, never forbidden, so its existence is not revealed."""
    row = await connection.fetchrow(_LOCK_OWN, application_id, parent_iin)
    if row is None:
        raise NotFound("application", application_id, field=("application_id",))
    offer = await connection.fetchrow(_OPEN_OFFER, application_id)
    return Locked(
        id=row["id"],
        parent_iin=row["parent_iin"],
        child_iin=row["child_iin"],
        status=ApplicationStatus(row["status_text"]),
        region=Region(row["region_text"]),
        row=row,
        offer=offer,
    )


def offer_group(offer: Any) -> Group:
    return Group(offer["kindergarten_id"], offer["cohort"], Language(offer["language_text"]))


async def close_offer(connection: asyncpg.Connection, offer: Any, status: OfferStatus, *, now: datetime) -> Group:
    """End an open offer; its place opens again unless the child enrolled in it. The caller refills the place once
    the application has its new status."""
    await connection.execute(
        "UPDATE kindergarten_offers SET status = $2, closed_at = $3 WHERE id = $1", offer["id"], status.value, now
    )
    place_status = "TAKEN" if status is OfferStatus.ENROLLED else "OPEN"
    await connection.execute(
        "UPDATE kindergarten_places SET status = $2 WHERE id = $1", offer["place_id"], place_status
    )
    return offer_group(offer)


async def set_status(
    connection: asyncpg.Connection, application_id: int, status: ApplicationStatus, *, now: datetime, **columns: Any
) -> None:
    sets = "".join(f", {name} = ${index}" for index, name in enumerate(columns, start=4))
    await connection.execute(
        f"UPDATE kindergarten_applications SET status = $2, updated_at = $3{sets} WHERE id = $1",
        application_id,
        status.value,
        now,
        *columns.values(),
    )


async def join_orders(connection: asyncpg.Connection, application_id: int, reason: str, *, now: datetime) -> None:
    """Put a queued application (back) into the order of each of its choices, at its own queue date."""
    await connection.execute("UPDATE kindergarten_choices SET waiting = true WHERE application_id = $1", application_id)
    await journal.log_queue(connection, QueueChange.JOINED, reason, application_id=application_id, at=now)


async def leave_orders(connection: asyncpg.Connection, application_id: int, reason: str, *, now: datetime) -> None:
    """Take a waiting application out of every order it is in."""
    waiting = [
        row["kindergarten_id"]
        for row in await connection.fetch(
            "UPDATE kindergarten_choices SET waiting = false WHERE application_id = $1 AND waiting"
            " RETURNING kindergarten_id",
            application_id,
        )
    ]
    if waiting:
        await journal.log_queue(
            connection, QueueChange.LEFT, reason, application_id=application_id, at=now, kindergartens=waiting
        )


async def rules_of(session: AsyncSession, connection: asyncpg.Connection, kindergarten_id: int) -> Rules:
    region = await connection.fetchval("SELECT region::text FROM kindergartens WHERE id = $1", kindergarten_id)
    return await load_rules(session, Region(region))


async def refill(
    session: AsyncSession, connection: asyncpg.Connection, group: Group, *, now: datetime, by: str
) -> list[Offered]:
    """Offer the open places of one order again, to whoever is now first in it."""
    return await offer_open_places(connection, group, await rules_of(session, connection, group.kindergarten_id),
                                   now=now, by=by)  # fmt: skip


async def fill_for(
    session: AsyncSession, connection: asyncpg.Connection, application_id: int, *, now: datetime, by: str
) -> None:
    """A child (back) in the orders may be the one an open place has waited for: offer it now, not at the sweep."""
    for group in await groups_with_open_places(connection, application_id):
        status = await connection.fetchval(
            "SELECT status::text FROM kindergarten_applications WHERE id = $1", application_id
        )
        if status != ApplicationStatus.QUEUED:
            return  # offered in an earlier order of the loop: it waits nowhere else
        await refill(session, connection, group, now=now, by=by)
