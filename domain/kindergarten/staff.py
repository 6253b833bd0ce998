from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten import journal
from domain.kindergarten.allocation import Group, Offered, lock_order, offer_open_places
from domain.kindergarten.errors import InvalidCount, LanguageNotOffered, NoCapacity
from domain.kindergarten.journal import EventKind
from domain.kindergarten.lifecycle import (
    InvalidTransition,
    close_offer,
    fill_for,
    join_orders,
    lock_application,
    refill,
    retrying_deadlocks,
    rules_of,
    set_status,
)
from domain.kindergarten.models import ApplicationStatus, Language, OfferStatus
from domain.shared.access import OrganisationKind, OrganisationUser, Principal, require_organisation
from domain.shared.db import driver, session_transaction
from domain.shared.errors import MissingValue, NotFound, TextTooLong

MAX_PLACES_PER_PUBLICATION = 1_000
_REASON_LIMIT = 300


@dataclass(frozen=True, slots=True)
class StaffKindergarten:
    id: int
    languages: tuple[Language, ...]


async def staff_kindergarten(principal: Principal, connection: asyncpg.Connection) -> StaffKindergarten:
    """The kindergarten the caller's organisation token acts for."""
    staff = require_organisation(principal, OrganisationKind.KINDERGARTEN)
    row = await connection.fetchrow(
        "SELECT id, languages::text[] AS languages FROM kindergartens WHERE bin = $1", str(staff.organisation_bin)
    )
    if row is None:
        raise NotFound("kindergarten", str(staff.organisation_bin))
    return StaffKindergarten(row["id"], tuple(Language(language) for language in row["languages"]))


def _staff_id(principal: Principal) -> str:
    staff = require_organisation(principal, OrganisationKind.KINDERGARTEN)
    return f"{staff.organisation_bin}/{staff.user_id}"


@dataclass(frozen=True, slots=True)
class Publication:
    place_ids: list[int]
    offers: list[Offered]


@retrying_deadlocks
async def publish_places(
    principal: Principal, session: AsyncSession, *, cohort: int, language: Language, count: int, now: datetime
) -> Publication:
    """Staff publish free places of one cohort and language group; each goes at once to the first child of the
    order who holds no offer. Places nobody waits for stay open for the next child who does."""
    by = _staff_id(principal)
    if not 1 <= count <= MAX_PLACES_PER_PUBLICATION:
        raise InvalidCount(count, MAX_PLACES_PER_PUBLICATION)
    async with session_transaction(session) as connection:
        kindergarten = await staff_kindergarten(principal, connection)
        if language not in kindergarten.languages:
            raise LanguageNotOffered(("language",))
        group = Group(kindergarten.id, cohort, language)
        rules = await rules_of(session, connection, kindergarten.id)
        # The order's counter is locked first, so two publications for one group count the capacity one at a time.
        await lock_order(connection, group)
        # Enrolled children leave without the registry hearing of it, so capacity bounds what is on offer at once:
        # never more open or offered places than the cohort holds, whatever a mistyped count asks for.
        free = await connection.fetchval(
            """
            SELECT coalesce((SELECT capacity FROM kindergarten_capacities
                             WHERE kindergarten_id = $1 AND cohort = $2), 0)
                 - (SELECT count(*) FROM kindergarten_places WHERE kindergarten_id = $1 AND cohort = $2
                    AND status IN ('OPEN', 'HELD'))
            """,
            kindergarten.id,
            cohort,
        )
        if count > free:
            raise NoCapacity(max(free, 0))
        place_ids = await connection.fetch(
            "INSERT INTO kindergarten_places (kindergarten_id, cohort, language, status, published_at, published_by)"
            " SELECT $1, $2, $3, 'OPEN', $4, $5 FROM generate_series(1, $6) RETURNING id",
            kindergarten.id, cohort, language.value, now, by, count,
        )  # fmt: skip
        offers = await offer_open_places(connection, group, rules, now=now, by=by)
    return Publication([row["id"] for row in place_ids], offers)


async def _lock_offer_of(principal: Principal, connection: asyncpg.Connection, offer_id: int) -> tuple[Any, Any]:
    """An open offer of the caller's kindergarten with its application, both locked; another's is not found."""
    kindergarten = await staff_kindergarten(principal, connection)
    application_id = await connection.fetchval(
        "SELECT application_id FROM kindergarten_offers WHERE id = $1 AND kindergarten_id = $2",
        offer_id,
        kindergarten.id,
    )
    if application_id is None:
        raise NotFound("offer", offer_id, field=("offer_id",))
    locked = await lock_application(connection, application_id, parent_iin=None)
    if locked.offer is None or locked.offer["id"] != offer_id:
        raise InvalidTransition(locked.status.value, "decide on the benefit of a closed offer")
    if locked.row["benefit"] is None:
        raise MissingValue("an offer whose application claims a benefit", field=("offer_id",))
    return locked, locked.offer


@retrying_deadlocks
async def confirm_benefit(principal: Principal, session: AsyncSession, *, offer_id: int, now: datetime) -> None:
    """Staff confirm the benefit an offered child's application claims, after seeing its document."""
    by = _staff_id(principal)
    async with session_transaction(session) as connection:
        locked, offer = await _lock_offer_of(principal, connection, offer_id)
        await connection.execute(
            "UPDATE kindergarten_applications SET benefit_confirmed = true, updated_at = $2 WHERE id = $1",
            locked.id,
            now,
        )
        await connection.execute("UPDATE kindergarten_offers SET benefit_by = NULL WHERE id = $1", offer_id)
        await journal.record(
            connection, application_id=locked.id, parent_iin=locked.parent_iin, kind=EventKind.BENEFIT_CONFIRMED,
            status=locked.status, at=now, by=by, kindergarten_id=offer["kindergarten_id"],
        )  # fmt: skip


@retrying_deadlocks
async def reject_benefit(
    principal: Principal, session: AsyncSession, *, offer_id: int, reason: str, now: datetime
) -> None:
    """Staff reject a claimed benefit: the offer is cancelled, the benefit dropped, and the place goes at once to the
    next child in order, which may be the same child, now in the general order."""
    by = _staff_id(principal)
    if not reason.strip():
        raise MissingValue("why the benefit is rejected", field=("reason",))
    if len(reason) > _REASON_LIMIT:
        raise TextTooLong(len(reason), _REASON_LIMIT, field=("reason",))
    async with session_transaction(session) as connection:
        locked, offer = await _lock_offer_of(principal, connection, offer_id)
        await drop_benefit(session, connection, locked.id, locked.parent_iin, offer, kind=EventKind.BENEFIT_REJECTED,
                           reason=reason, now=now, by=by)  # fmt: skip


async def drop_benefit(
    session: AsyncSession,
    connection: asyncpg.Connection,
    application_id: int,
    parent_iin: str,
    offer: Any,
    *,
    kind: EventKind,
    reason: str,
    now: datetime,
    by: str,
) -> None:
    """Cancel an offer made on a benefit that was not confirmed; the child returns to the general order."""
    group = await close_offer(connection, offer, OfferStatus.CANCELLED, now=now)
    await connection.execute(
        "UPDATE kindergarten_choices SET priority = 'GENERAL' WHERE application_id = $1", application_id
    )
    await set_status(connection, application_id, ApplicationStatus.QUEUED, now=now, benefit=None,
                     benefit_document=None, benefit_confirmed=False)  # fmt: skip
    await join_orders(connection, application_id, "BENEFIT_DROPPED", now=now)
    await journal.record(
        connection, application_id=application_id, parent_iin=parent_iin, kind=kind,
        status=ApplicationStatus.QUEUED, at=now, by=by, reason=reason, kindergarten_id=offer["kindergarten_id"],
        details={"offer_id": offer["id"]},
    )  # fmt: skip
    await refill(session, connection, group, now=now, by=by)
    await fill_for(session, connection, application_id, now=now, by=by)


@dataclass(frozen=True, slots=True)
class OpenOffer:
    """An offer as staff see it: the child's IIN masked, the benefit to check, the deadlines."""

    id: int
    kindergarten_id: int
    child_iin_masked: str
    cohort: int
    language: Language
    status: OfferStatus
    offered_at: datetime
    confirm_by: datetime
    sign_by: datetime | None
    benefit: str | None
    benefit_document: str | None
    benefit_confirmed: bool
    benefit_by: datetime | None
    desired_start: date


def mask_iin(iin: str) -> str:
    """Staff never see a parent's or child's IIN in full: the birth date part and the last two digits."""
    return iin[:6] + "****" + iin[-2:]


_OFFERS = """
SELECT o.id, o.kindergarten_id, a.child_iin, p.cohort, p.language::text AS language, o.status::text AS status,
       o.offered_at, o.confirm_by, o.sign_by, a.benefit::text AS benefit, a.benefit_document, a.benefit_confirmed,
       o.benefit_by, a.desired_start
FROM kindergarten_offers o
JOIN kindergarten_places p ON p.id = o.place_id
JOIN kindergarten_applications a ON a.id = o.application_id
"""


async def open_offers(
    principal: Principal, session: AsyncSession, *, after_id: int | None, limit: int
) -> list[OpenOffer]:
    """The caller's kindergarten's open offers, oldest first, from after `after_id`."""
    connection = await driver(session)
    kindergarten = await staff_kindergarten(principal, connection)
    rows = await connection.fetch(
        _OFFERS + "WHERE o.kindergarten_id = $1 AND o.status IN ('OFFERED', 'CONFIRMED') AND o.id > $2"
        " ORDER BY o.id LIMIT $3",
        kindergarten.id,
        after_id or 0,
        limit,
    )
    return [_open_offer(row) for row in rows]


async def offers_by_id(principal: Principal, session: AsyncSession, ids: Sequence[int]) -> list[OpenOffer | None]:
    """One answer per id, in order, open or closed: the offer for staff of its kindergarten; to anyone else None,
    so that another kindergarten's offers are not revealed."""
    staff = principal if isinstance(principal, OrganisationUser) else None
    if staff is None or staff.organisation_kind is not OrganisationKind.KINDERGARTEN or not ids:
        return [None] * len(ids)
    connection = await driver(session)
    rows = await connection.fetch(
        _OFFERS + "JOIN kindergartens k ON k.id = o.kindergarten_id WHERE k.bin = $1 AND o.id = ANY($2)",
        str(staff.organisation_bin),
        list(ids),
    )
    found = {row["id"]: _open_offer(row) for row in rows}
    return [found.get(offer_id) for offer_id in ids]


def _open_offer(row: Any) -> OpenOffer:
    return OpenOffer(
        id=row["id"], kindergarten_id=row["kindergarten_id"], child_iin_masked=mask_iin(row["child_iin"]),
        cohort=row["cohort"], language=Language(row["language"]), status=OfferStatus(row["status"]),
        offered_at=row["offered_at"], confirm_by=row["confirm_by"], sign_by=row["sign_by"], benefit=row["benefit"],
        benefit_document=row["benefit_document"], benefit_confirmed=row["benefit_confirmed"],
        benefit_by=row["benefit_by"], desired_start=row["desired_start"],
    )  # fmt: skip
