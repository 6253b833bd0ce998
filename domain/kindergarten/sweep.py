from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.kindergarten import journal
from domain.kindergarten.allocation import SYSTEM, Group
from domain.kindergarten.eligibility import sixth_birthday
from domain.kindergarten.journal import EventKind
from domain.kindergarten.lifecycle import (
    Locked,
    close_offer,
    leave_orders,
    lock_application,
    refill,
    rules_of,
    set_status,
)
from domain.kindergarten.models import ApplicationStatus, ClosedReason, Language, OfferStatus
from domain.kindergarten.staff import drop_benefit
from domain.shared.calendar import local_date
from domain.shared.db import session_transaction

# Each item is settled in a transaction of its own, after locking it with SKIP LOCKED: two instances sweeping at
# once take different items, and an item settled by one is seen settled by the other when it re-checks.
_BATCH = 200


@dataclass(slots=True)
class SweepReport:
    lapsed: int = 0
    benefits_dropped: int = 0
    expired: int = 0
    closed_inactive: int = 0
    aged_out: int = 0
    warned: int = 0
    offered: int = 0


async def sweep(sessions: async_sessionmaker[AsyncSession], *, now: datetime) -> SweepReport:
    """Enforce every deadline that has passed by `now`, warn of those whose last day has begun, and offer places
    that waited for a child. Safe to run on several instances at once, and to run again."""
    report = SweepReport()
    report.lapsed = await _each(sessions, _DUE_CONFIRMATIONS, now, _lapse)
    report.benefits_dropped = await _each(sessions, _DUE_BENEFITS, now, _benefit_lapsed)
    report.expired = await _each(sessions, _DUE_CONTRACTS, now, _expire)
    report.closed_inactive = await _each(sessions, _DUE_REACTIVATIONS, now, _close_inactive)
    report.aged_out = await _each(sessions, _AGING_OUT, now, _age_out)
    report.warned = await _each(sessions, _NEAR_DEADLINES, now, _warn)
    report.warned += await _each(sessions, _NEAR_REACTIVATION_ENDS, now, _warn_inactive)
    report.offered = await _fill_open_places(sessions, now)
    return report


Settle = Callable[[AsyncSession, asyncpg.Connection, int, datetime], Awaitable[bool]]


async def _each(sessions: async_sessionmaker[AsyncSession], due: str, now: datetime, settle: Settle) -> int:
    done = 0
    skipped: set[int] = set()
    while True:
        async with sessions() as session, session_transaction(session) as connection:
            ids = [row[0] for row in await connection.fetch(due, now, list(skipped), _BATCH)]
        if not ids:
            return done
        for item in ids:
            async with sessions() as session, session_transaction(session) as connection:
                if await settle(session, connection, item, now):
                    done += 1
                else:
                    skipped.add(item)  # another instance holds it, or it no longer qualifies


_DUE_CONFIRMATIONS = """
SELECT id FROM kindergarten_offers WHERE status = 'OFFERED' AND confirm_by <= $1 AND NOT (id = ANY($2))
ORDER BY confirm_by LIMIT $3
"""
_DUE_BENEFITS = """
SELECT id FROM kindergarten_offers
WHERE status IN ('OFFERED', 'CONFIRMED') AND benefit_by <= $1 AND NOT (id = ANY($2))
ORDER BY benefit_by LIMIT $3
"""
_DUE_CONTRACTS = """
SELECT id FROM kindergarten_offers WHERE status = 'CONFIRMED' AND sign_by <= $1 AND NOT (id = ANY($2))
ORDER BY sign_by LIMIT $3
"""
_DUE_REACTIVATIONS = """
SELECT id FROM kindergarten_applications
WHERE status = 'INACTIVE' AND reactivate_by <= $1 AND NOT (id = ANY($2))
ORDER BY reactivate_by LIMIT $3
"""
# Turned 6 by the local day d: born on or before d - 6 years, or before (d + 1 day) - 6 years. PostgreSQL moves
# 29 February of a common year to the 28th, so the first misses a child born on 29 February on its 6th birthday
# (28 February) and the second one born on 28 February when d is 28 February of a leap year; together they are
# exact, and sixth_birthday still has the last word.
_AGING_OUT = """
WITH today AS (SELECT (($1::timestamptz AT TIME ZONE 'UTC') + interval '5 hours')::date AS d)
SELECT id FROM kindergarten_applications, today
WHERE status IN ('QUEUED', 'INACTIVE') AND NOT (id = ANY($2))
  AND (birth_date <= d - interval '6 years' OR birth_date < d + 1 - interval '6 years')
ORDER BY birth_date LIMIT $3
"""
# An open period's last day begins 24 hours before its deadline (00:00 local; the deadline is 24:00 of that day).
_NEAR_DEADLINES = """
SELECT id FROM kindergarten_offers
WHERE ((status = 'OFFERED' AND confirm_by - interval '1 day' <= $1 AND confirm_by > $1
        AND warned_for IS DISTINCT FROM confirm_by)
    OR (status = 'CONFIRMED' AND sign_by - interval '1 day' <= $1 AND sign_by > $1
        AND warned_for IS DISTINCT FROM sign_by))
  AND NOT (id = ANY($2))
ORDER BY id LIMIT $3
"""

_NEAR_REACTIVATION_ENDS = """
SELECT a.id FROM kindergarten_applications a
WHERE a.status = 'INACTIVE' AND a.reactivate_by - interval '1 day' <= $1 AND a.reactivate_by > $1
  AND NOT (a.id = ANY($2))
  AND NOT EXISTS (SELECT 1 FROM kindergarten_application_events e
                  WHERE e.application_id = a.id AND e.kind = 'DEADLINE_NEAR'
                    AND e.at >= a.reactivate_by - interval '1 day')
ORDER BY a.id LIMIT $3
"""

_LOCK_OFFER = """
SELECT application_id FROM kindergarten_offers WHERE id = $1 AND status IN ('OFFERED', 'CONFIRMED')
FOR UPDATE SKIP LOCKED
"""


async def _locked_offer(connection: asyncpg.Connection, offer_id: int) -> Locked | None:
    """The offer's application, locked, if no one else is settling it and the offer is still open."""
    application_id = await connection.fetchval(_LOCK_OFFER, offer_id)
    if application_id is None:
        return None
    locked = await _lock_application_skipping(connection, application_id)
    if locked is None or locked.offer is None or locked.offer["id"] != offer_id:
        return None
    return locked


async def _lapse(session: AsyncSession, connection: asyncpg.Connection, offer_id: int, now: datetime) -> bool:
    """Not confirmed in time: the place goes to the next child, the application becomes INACTIVE (reactivation
    possible once) or, if it was reactivated before, CLOSED."""
    locked = await _locked_offer(connection, offer_id)
    if locked is None or locked.status is not ApplicationStatus.OFFERED:
        return False
    offer = locked.offer
    assert offer is not None
    if offer["confirm_by"] > now:
        return False
    group = await close_offer(connection, offer, OfferStatus.LAPSED, now=now)
    if locked.row["reactivation_used"]:
        status = ApplicationStatus.CLOSED
        columns: dict[str, object] = {"closed_reason": ClosedReason.SECOND_LAPSE.value}
        details: dict[str, object] = {"closed_reason": ClosedReason.SECOND_LAPSE.value}
    else:
        rules = await rules_of(session, connection, offer["kindergarten_id"])
        reactivate_by = rules.reactivate_by(offer["confirm_by"])
        status, columns = ApplicationStatus.INACTIVE, {"reactivate_by": reactivate_by}
        details = {"reactivate_by": reactivate_by.isoformat()}
    await set_status(connection, locked.id, status, now=now, **columns)
    await journal.record(
        connection, application_id=locked.id, parent_iin=locked.parent_iin, kind=EventKind.OFFER_LAPSED,
        status=status, at=now, by=SYSTEM, kindergarten_id=offer["kindergarten_id"],
        details={"offer_id": offer["id"], **details},
    )  # fmt: skip
    await refill(session, connection, group, now=now, by=SYSTEM)
    return True


async def _benefit_lapsed(session: AsyncSession, connection: asyncpg.Connection, offer_id: int, now: datetime) -> bool:
    locked = await _locked_offer(connection, offer_id)
    if locked is None:
        return False
    offer = locked.offer
    assert offer is not None
    if offer["benefit_by"] is None or offer["benefit_by"] > now or locked.row["benefit_confirmed"]:
        return False
    await drop_benefit(session, connection, locked.id, locked.parent_iin, offer, kind=EventKind.OFFER_CANCELLED,
                       reason="BENEFIT_NOT_CONFIRMED_IN_TIME", now=now, by=SYSTEM)  # fmt: skip
    return True


async def _expire(session: AsyncSession, connection: asyncpg.Connection, offer_id: int, now: datetime) -> bool:
    """The contract was not signed in time: the offer expires, the place is released, the application closes."""
    locked = await _locked_offer(connection, offer_id)
    if locked is None or locked.status is not ApplicationStatus.CONFIRMED:
        return False
    offer = locked.offer
    assert offer is not None
    if offer["sign_by"] > now:
        return False
    group = await close_offer(connection, offer, OfferStatus.EXPIRED, now=now)
    await set_status(connection, locked.id, ApplicationStatus.CLOSED, now=now,
                     closed_reason=ClosedReason.CONTRACT_EXPIRED.value)  # fmt: skip
    await journal.record(
        connection, application_id=locked.id, parent_iin=locked.parent_iin, kind=EventKind.OFFER_EXPIRED,
        status=ApplicationStatus.CLOSED, at=now, by=SYSTEM, kindergarten_id=offer["kindergarten_id"],
        details={"offer_id": offer["id"]},
    )  # fmt: skip
    await refill(session, connection, group, now=now, by=SYSTEM)
    return True


async def _lock_application_skipping(connection: asyncpg.Connection, application_id: int) -> Locked | None:
    got = await connection.fetchval(
        "SELECT id FROM kindergarten_applications WHERE id = $1 FOR UPDATE SKIP LOCKED", application_id
    )
    return None if got is None else await lock_application(connection, application_id, parent_iin=None)


async def _close_inactive(session: AsyncSession, connection: asyncpg.Connection, app_id: int, now: datetime) -> bool:
    locked = await _lock_application_skipping(connection, app_id)
    if locked is None or locked.status is not ApplicationStatus.INACTIVE or locked.row["reactivate_by"] > now:
        return False
    await _close(connection, locked, ClosedReason.REACTIVATION_WINDOW_PASSED, now=now)
    return True


async def _age_out(session: AsyncSession, connection: asyncpg.Connection, app_id: int, now: datetime) -> bool:
    locked = await _lock_application_skipping(connection, app_id)
    if locked is None or locked.status not in (ApplicationStatus.QUEUED, ApplicationStatus.INACTIVE):
        return False
    if local_date(now) < sixth_birthday(locked.row["birth_date"]):
        return False
    await leave_orders(connection, locked.id, "AGED_OUT", now=now)
    await _close(connection, locked, ClosedReason.AGED_OUT, now=now)
    return True


async def _close(connection: asyncpg.Connection, locked: Locked, reason: ClosedReason, *, now: datetime) -> None:
    await set_status(connection, locked.id, ApplicationStatus.CLOSED, now=now, closed_reason=reason.value)
    await journal.record(
        connection, application_id=locked.id, parent_iin=locked.parent_iin, kind=EventKind.CLOSED,
        status=ApplicationStatus.CLOSED, at=now, by=SYSTEM, reason=reason.value,
    )  # fmt: skip


async def _warn(session: AsyncSession, connection: asyncpg.Connection, offer_id: int, now: datetime) -> bool:
    """The last day of an open period has begun: tell the parent once per deadline."""
    locked = await _locked_offer(connection, offer_id)
    if locked is None:
        return False
    offer = locked.offer
    assert offer is not None
    deadline = offer["confirm_by"] if locked.status is ApplicationStatus.OFFERED else offer["sign_by"]
    if deadline is None or offer["warned_for"] == deadline or not deadline - timedelta(days=1) <= now < deadline:
        return False
    await connection.execute("UPDATE kindergarten_offers SET warned_for = $2 WHERE id = $1", offer_id, deadline)
    await journal.record(
        connection, application_id=locked.id, parent_iin=locked.parent_iin, kind=EventKind.DEADLINE_NEAR,
        status=locked.status, at=now, by=SYSTEM, kindergarten_id=offer["kindergarten_id"],
        details={"offer_id": offer_id, "deadline": deadline.isoformat()},
    )  # fmt: skip
    return True


async def _warn_inactive(session: AsyncSession, connection: asyncpg.Connection, app_id: int, now: datetime) -> bool:
    """The last day to reactivate has begun (the window is a period of the parent's too)."""
    locked = await _lock_application_skipping(connection, app_id)
    if locked is None or locked.status is not ApplicationStatus.INACTIVE:
        return False
    deadline = locked.row["reactivate_by"]
    if not deadline - timedelta(days=1) <= now < deadline:
        return False
    warned = await connection.fetchval(
        "SELECT true FROM kindergarten_application_events WHERE application_id = $1 AND kind = 'DEADLINE_NEAR'"
        " AND at >= $2",
        app_id,
        deadline - timedelta(days=1),
    )
    if warned:
        return False
    await journal.record(
        connection, application_id=app_id, parent_iin=locked.parent_iin, kind=EventKind.DEADLINE_NEAR,
        status=locked.status, at=now, by=SYSTEM, details={"deadline": deadline.isoformat(), "reactivate_by": True},
    )  # fmt: skip
    return True


_GROUPS_WAITING = """
SELECT DISTINCT p.kindergarten_id, p.cohort, p.language::text AS language FROM kindergarten_places p
WHERE p.status = 'OPEN' AND EXISTS (
    SELECT 1 FROM kindergarten_choices c
    WHERE c.kindergarten_id = p.kindergarten_id AND c.cohort = p.cohort AND c.language = p.language AND c.waiting)
"""


async def _fill_open_places(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Places that found nobody and children who have appeared since: the latest moment they meet."""
    async with sessions() as session, session_transaction(session) as connection:
        groups = [Group(r["kindergarten_id"], r["cohort"], Language(r["language"]))
                  for r in await connection.fetch(_GROUPS_WAITING)]  # fmt: skip
    offered = 0
    for group in groups:
        async with sessions() as session, session_transaction(session) as connection:
            # Another instance filling the same order holds its counter: this one leaves it to it.
            busy = await connection.fetchval(
                "SELECT pg_try_advisory_xact_lock(hashtext('kindergarten-order:' || $1::text || ':' || $2::text"
                " || ':' || $3::text)) IS NOT TRUE",
                group.kindergarten_id, group.cohort, group.language.value,
            )  # fmt: skip
            if not busy:
                offered += len(await refill(session, connection, group, now=now, by=SYSTEM))
    return offered
