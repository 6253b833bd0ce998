from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten import journal
from domain.kindergarten.eligibility import check_age, check_choices, cohort
from domain.kindergarten.errors import (
    AlreadyQueued,
    ChoicesInDifferentRegions,
    LanguageNotOffered,
    NotYourChild,
    ReactivationUsed,
    ReactivationWindowClosed,
    UnknownKindergarten,
)
from domain.kindergarten.journal import EventKind, QueueChange
from domain.kindergarten.lifecycle import (
    InvalidTransition,
    close_offer,
    fill_for,
    join_orders,
    leave_orders,
    lock_application,
    refill,
    retrying_deadlocks,
    set_status,
)
from domain.kindergarten.models import (
    ACTIVE_STATUSES,
    ApplicationStatus,
    BenefitCategory,
    ClosedReason,
    Language,
    OfferStatus,
)
from domain.kindergarten.order import Priority
from domain.shared.access import Principal, require_citizen
from domain.shared.calendar import local_date
from domain.shared.db import session_transaction
from domain.shared.errors import InvalidDate, MissingValue, TextTooLong
from domain.shared.iin import Iin
from domain.shared.regions import Region

_DOCUMENT_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Benefit:
    """A claimed category of the order, with the reference of the document that proves it."""

    category: BenefitCategory
    document: str


def _check_benefit(benefit: Benefit | None) -> None:
    if benefit is None:
        return
    if not benefit.document.strip():
        raise MissingValue("the reference of the document proving the benefit", field=("benefit", "document"))
    if len(benefit.document) > _DOCUMENT_LIMIT:
        raise TextTooLong(len(benefit.document), _DOCUMENT_LIMIT, field=("benefit", "document"))


async def _check_kindergartens(connection: asyncpg.Connection, choices: Sequence[int], language: Language) -> Region:
    """All chosen kindergartens exist, lie in one region and have a group in the language; their region."""
    rows = await connection.fetch(
        "SELECT id, region::text AS region, languages::text[] AS languages FROM kindergartens WHERE id = ANY($1)",
        list(choices),
    )
    found = {row["id"]: row for row in rows}
    region: str | None = None
    for index, choice in enumerate(choices):
        row = found.get(choice)
        if row is None:
            raise UnknownKindergarten(("choices", str(index)))
        if region is not None and row["region"] != region:
            raise ChoicesInDifferentRegions(index)
        region = row["region"]
        if language.value not in row["languages"]:
            raise LanguageNotOffered(("choices", str(index)))
    assert region is not None  # check_choices saw at least one
    return Region(region)


async def _insert_choices(
    connection: asyncpg.Connection,
    application_id: int,
    choices: Sequence[int],
    *,
    born: date,
    language: Language,
    priority: Priority,
    queued_at: datetime,
    waiting: bool,
) -> None:
    await connection.executemany(
        "INSERT INTO kindergarten_choices"
        " (application_id, rank, kindergarten_id, cohort, language, priority, queued_at, waiting)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [(application_id, rank, choice, cohort(born), language.value, priority.value, queued_at, waiting)
         for rank, choice in enumerate(choices, start=1)],
    )  # fmt: skip


def _priority(benefit: Benefit | BenefitCategory | None) -> Priority:
    if benefit is None:
        return Priority.GENERAL
    category = benefit.category if isinstance(benefit, Benefit) else benefit
    return category.priority


@retrying_deadlocks
async def submit_application(
    principal: Principal,
    session: AsyncSession,
    *,
    child_iin: str,
    choices: Sequence[int],
    language: Language,
    desired_start: date,
    benefit: Benefit | None,
    now: datetime,
) -> int:
    """A parent queues a child: one active application per child in the whole country, which the database's unique
    index decides, so two submissions at once give one application and one ALREADY_QUEUED."""
    parent = require_citizen(principal)
    today = local_date(now)
    child = Iin.parse(child_iin, today=today, field=("child_iin",))
    check_age(child.birth_date, today)
    check_choices(choices)
    _check_benefit(benefit)
    if desired_start < today:
        raise InvalidDate(desired_start.isoformat(), "the desired start lies in the past", field=("desired_start",))
    async with session_transaction(session) as connection:
        linked = await connection.fetchval(
            "SELECT true FROM parent_children WHERE parent_iin = $1 AND child_iin = $2", str(parent.iin), str(child)
        )
        if not linked:
            raise NotYourChild()
        region = await _check_kindergartens(connection, choices, language)
        try:
            async with connection.transaction():  # a savepoint: a lost race leaves the transaction usable
                application_id = await connection.fetchval(
                    """
                    INSERT INTO kindergarten_applications
                        (child_iin, parent_iin, birth_date, cohort, region, language, desired_start, status,
                         queued_at, benefit, benefit_document, benefit_confirmed, reactivation_used, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, 'QUEUED', $8, $9, $10, false, false, $8)
                    RETURNING id
                    """,
                    str(child), str(parent.iin), child.birth_date, cohort(child.birth_date), region.value,
                    language.value, desired_start, now, benefit.category.value if benefit else None,
                    benefit.document if benefit else None,
                )  # fmt: skip
        except asyncpg.UniqueViolationError:
            existing = await connection.fetchval(
                "SELECT id FROM kindergarten_applications WHERE child_iin = $1 AND status::text = ANY($2::text[])",
                str(child),
                [status.value for status in ACTIVE_STATUSES],
            )
            raise AlreadyQueued(existing) from None
        await _insert_choices(connection, application_id, choices, born=child.birth_date, language=language,
                              priority=_priority(benefit), queued_at=now, waiting=True)  # fmt: skip
        await journal.record(
            connection, application_id=application_id, parent_iin=str(parent.iin), kind=EventKind.SUBMITTED,
            status=ApplicationStatus.QUEUED, at=now, by=str(parent.iin),
        )  # fmt: skip
        await journal.log_queue(connection, QueueChange.JOINED, "NEW", application_id=application_id, at=now)
        await fill_for(session, connection, application_id, now=now, by=str(parent.iin))
    return int(application_id)


_UNSET = object()


@retrying_deadlocks
async def update_application(
    principal: Principal,
    session: AsyncSession,
    *,
    application_id: int,
    choices: Sequence[int] | None,
    benefit: Benefit | object | None = _UNSET,
    now: datetime,
) -> None:
    """A parent changes the choices or the benefit of a queued (or inactive) application; the queue date stays.
    Choices may move to another region, all together."""
    parent = require_citizen(principal)
    if choices is not None:
        check_choices(choices)
    if benefit is not _UNSET:
        _check_benefit(benefit)  # type: ignore[arg-type]
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        if locked.status not in (ApplicationStatus.QUEUED, ApplicationStatus.INACTIVE):
            raise InvalidTransition(locked.status.value, "change the application")
        row = locked.row
        language = Language(row["language"])
        if choices is not None:
            region = await _check_kindergartens(connection, choices, language)
        else:
            region = locked.region
            choices = [
                r["kindergarten_id"]
                for r in await connection.fetch(
                    "SELECT kindergarten_id FROM kindergarten_choices WHERE application_id = $1 ORDER BY rank",
                    application_id,
                )
            ]
        old_category = BenefitCategory(row["benefit"]) if row["benefit"] else None
        new_benefit: Benefit | None = (
            (Benefit(old_category, row["benefit_document"]) if old_category else None) if benefit is _UNSET else benefit  # type: ignore[assignment]
        )
        waiting = locked.status is ApplicationStatus.QUEUED
        reason = "BENEFIT_CLAIMED" if _rank(_priority(new_benefit)) < _rank(_priority(old_category)) else "UPDATED"
        await leave_orders(connection, application_id, "UPDATED", now=now)
        await connection.execute("DELETE FROM kindergarten_choices WHERE application_id = $1", application_id)
        await _insert_choices(connection, application_id, choices, born=row["birth_date"], language=language,
                              priority=_priority(new_benefit), queued_at=row["queued_at"], waiting=False)  # fmt: skip
        same_benefit = new_benefit is not None and old_category is new_benefit.category
        await connection.execute(
            "UPDATE kindergarten_applications SET region = $2, benefit = $3, benefit_document = $4,"
            " benefit_confirmed = benefit_confirmed AND $5, updated_at = $6 WHERE id = $1",
            application_id, region.value, new_benefit.category.value if new_benefit else None,
            new_benefit.document if new_benefit else None, same_benefit, now,
        )  # fmt: skip
        if waiting:
            await join_orders(connection, application_id, reason, now=now)
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin, kind=EventKind.UPDATED,
            status=locked.status, at=now, by=str(parent.iin),
        )  # fmt: skip
        if waiting:
            await fill_for(session, connection, application_id, now=now, by=str(parent.iin))


def _rank(priority: Priority) -> int:
    return list(Priority).index(priority)


@retrying_deadlocks
async def withdraw_application(principal: Principal, session: AsyncSession, *, application_id: int,
                               now: datetime) -> None:  # fmt: skip
    """A parent withdraws an active application; a place it held goes to the next child at once."""
    parent = require_citizen(principal)
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        if locked.status not in ACTIVE_STATUSES:
            raise InvalidTransition(locked.status.value, "withdraw the application")
        group = None
        if locked.offer is not None:
            group = await close_offer(connection, locked.offer, OfferStatus.WITHDRAWN, now=now)
        await leave_orders(connection, application_id, "WITHDRAWN", now=now)
        await set_status(connection, application_id, ApplicationStatus.WITHDRAWN, now=now, reactivate_by=None)
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin, kind=EventKind.WITHDRAWN,
            status=ApplicationStatus.WITHDRAWN, at=now, by=str(parent.iin),
        )  # fmt: skip
        if group is not None:
            await refill(session, connection, group, now=now, by=str(parent.iin))


@retrying_deadlocks
async def reactivate_application(principal: Principal, session: AsyncSession, *, application_id: int,
                                 now: datetime) -> None:  # fmt: skip
    """A parent brings an inactive application back to the queue, once, within the window, at its queue date."""
    parent = require_citizen(principal)
    async with session_transaction(session) as connection:
        locked = await lock_application(connection, application_id, parent_iin=str(parent.iin))
        row = locked.row
        if locked.status is ApplicationStatus.CLOSED and row["closed_reason"] == ClosedReason.SECOND_LAPSE:
            raise ReactivationUsed()
        if (
            locked.status is ApplicationStatus.CLOSED
            and row["closed_reason"] == ClosedReason.REACTIVATION_WINDOW_PASSED
        ):
            raise ReactivationWindowClosed()
        if locked.status is not ApplicationStatus.INACTIVE:
            raise InvalidTransition(locked.status.value, "reactivate the application")
        if row["reactivation_used"]:
            raise ReactivationUsed()
        if now >= row["reactivate_by"]:
            raise ReactivationWindowClosed()  # the window decides, even before the sweep closes the application
        check_age(row["birth_date"], local_date(now))
        await set_status(connection, application_id, ApplicationStatus.QUEUED, now=now, reactivation_used=True,
                         reactivate_by=None)  # fmt: skip
        await join_orders(connection, application_id, "REACTIVATED", now=now)
        await journal.record(
            connection, application_id=application_id, parent_iin=locked.parent_iin, kind=EventKind.REACTIVATED,
            status=ApplicationStatus.QUEUED, at=now, by=str(parent.iin),
        )  # fmt: skip
        await fill_for(session, connection, application_id, now=now, by=str(parent.iin))
