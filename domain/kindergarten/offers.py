from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten import journal
from domain.kindergarten.errors import BenefitNotConfirmed, DeadlinePassed, ExtensionUsed, InvalidDays
from domain.kindergarten.journal import EventKind
from domain.kindergarten.lifecycle import (
    InvalidTransition,
    Locked,
    close_offer,
    fill_for,
    join_orders,
    lock_application,
    refill,
    retrying_deadlocks,
    rules_of,
    set_status,
)
from domain.kindergarten.models import ApplicationStatus, OfferStatus
from domain.shared.access import Principal, require_citizen
from domain.shared.db import session_transaction


def _open_offer(locked: Locked, *expected: ApplicationStatus, action: str) -> object:
    if locked.status not in expected or locked.offer is None:
        raise InvalidTransition(locked.status.value, action)
    return locked.offer


@retrying_deadlocks
async def confirm_offer(principal: Principal, session: AsyncSession, *, application_id: int, now: datetime) -> None:
    """The parent accepts the place, before the end of the 2nd business day; the contract's time starts."""
    parent = require_citizen(principal)
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        offer = locked.offer
        _open_offer(locked, ApplicationStatus.OFFERED, action="confirm an offer")
        assert offer is not None
        if now >= offer["confirm_by"]:
            raise DeadlinePassed(offer["confirm_by"])
        rules = await rules_of(session, connection, offer["kindergarten_id"])
        sign_by = rules.sign_by(now)
        await connection.execute(
            "UPDATE kindergarten_offers SET status = 'CONFIRMED', sign_by = $2 WHERE id = $1", offer["id"], sign_by
        )
        await set_status(connection, application_id, ApplicationStatus.CONFIRMED, now=now)
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin,
            kind=EventKind.OFFER_CONFIRMED, status=ApplicationStatus.CONFIRMED, at=now, by=str(parent.iin),
            kindergarten_id=offer["kindergarten_id"],
            details={"offer_id": offer["id"], "sign_by": sign_by.isoformat()},
        )  # fmt: skip


@retrying_deadlocks
async def refuse_offer(principal: Principal, session: AsyncSession, *, application_id: int, now: datetime) -> None:
    """The parent declines the place: that kindergarten and every lower choice are dropped, and the child waits for
    the higher ones at the same queue date; with none left the application ends as REFUSED."""
    parent = require_citizen(principal)
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        offer = locked.offer
        _open_offer(locked, ApplicationStatus.OFFERED, ApplicationStatus.CONFIRMED, action="refuse an offer")
        assert offer is not None
        deadline = offer["confirm_by"] if locked.status is ApplicationStatus.OFFERED else offer["sign_by"]
        if now >= deadline:
            raise DeadlinePassed(deadline)
        group = await close_offer(connection, offer, OfferStatus.REFUSED, now=now)
        await connection.execute(
            "DELETE FROM kindergarten_choices WHERE application_id = $1 AND rank >= $2", application_id, offer["rank"]
        )
        left = await connection.fetchval(
            "SELECT count(*) FROM kindergarten_choices WHERE application_id = $1", application_id
        )
        status = ApplicationStatus.QUEUED if left else ApplicationStatus.REFUSED
        await set_status(connection, application_id, status, now=now)
        if left:
            await join_orders(connection, application_id, "OFFER_REFUSED", now=now)
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin, kind=EventKind.OFFER_REFUSED,
            status=status, at=now, by=str(parent.iin), kindergarten_id=offer["kindergarten_id"],
            details={"offer_id": offer["id"], "choices_left": left},
        )  # fmt: skip
        await refill(session, connection, group, now=now, by=str(parent.iin))
        if left:
            await fill_for(session, connection, application_id, now=now, by=str(parent.iin))


_MAX_EXTENSION_DAYS = 30


@retrying_deadlocks
async def request_contract_extension(
    principal: Principal, session: AsyncSession, *, application_id: int, days: int, now: datetime
) -> datetime:
    """Once, before the contract's last day ends, the parent adds up to 30 calendar days to it; the new deadline."""
    parent = require_citizen(principal)
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        offer = locked.offer
        _open_offer(locked, ApplicationStatus.CONFIRMED, action="extend the contract period")
        assert offer is not None
        rules = await rules_of(session, connection, offer["kindergarten_id"])
        limit = min(_MAX_EXTENSION_DAYS, rules.policy.extension_days)
        if not 1 <= days <= limit:
            raise InvalidDays(days, limit)
        if offer["extended"]:
            raise ExtensionUsed()
        if now >= offer["sign_by"]:
            raise DeadlinePassed(offer["sign_by"])
        sign_by: datetime = offer["sign_by"] + timedelta(days=days)
        await connection.execute(
            "UPDATE kindergarten_offers SET sign_by = $2, extended = true WHERE id = $1", offer["id"], sign_by
        )
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin,
            kind=EventKind.CONTRACT_EXTENDED, status=locked.status, at=now, by=str(parent.iin),
            kindergarten_id=offer["kindergarten_id"], details={"offer_id": offer["id"], "sign_by": sign_by.isoformat()},
        )  # fmt: skip
    return sign_by


@retrying_deadlocks
async def sign_contract(principal: Principal, session: AsyncSession, *, application_id: int, now: datetime) -> None:
    """Signing enrols the child: the place is taken and the application ends as ENROLLED, in one transaction."""
    parent = require_citizen(principal)
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        offer = locked.offer
        _open_offer(locked, ApplicationStatus.CONFIRMED, action="sign the contract")
        assert offer is not None
        if now >= offer["sign_by"]:
            raise DeadlinePassed(offer["sign_by"])
        if locked.row["benefit"] is not None and not locked.row["benefit_confirmed"]:
            raise BenefitNotConfirmed()
        await close_offer(connection, offer, OfferStatus.ENROLLED, now=now)
        await set_status(connection, application_id, ApplicationStatus.ENROLLED, now=now)
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin, kind=EventKind.ENROLLED,
            status=ApplicationStatus.ENROLLED, at=now, by=str(parent.iin), kindergarten_id=offer["kindergarten_id"],
            details={"offer_id": offer["id"]},
        )  # fmt: skip
