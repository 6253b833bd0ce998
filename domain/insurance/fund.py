from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insurance.models import (
    ContributionMonth,
    ContributionPayment,
    MinimumWageRow,
    PaymentStatus,
    PaymentTransition,
)
from domain.shared.access import AuthorityKind, Principal, require_authority
from domain.shared.calendar import local_date
from domain.shared.calendar_days import load_calendar
from domain.shared.errors import DomainError, ErrorCode, MissingValue, NotFound, TextTooLong
from domain.shared.money import Money

# Decisions: a payment may be returned within 3 working days of its acceptance.
RETURN_WITHIN_WORKING_DAYS = 3
MAX_REASON_LENGTH = 1000
# Terminal states never change (insurance rules, "Lifecycle").
_NEXT = {
    PaymentStatus.ACCEPTED: {PaymentStatus.CREDITED, PaymentStatus.RETURNED, PaymentStatus.REFUNDED},
    PaymentStatus.CREDITED: {PaymentStatus.REFUNDED},
    PaymentStatus.RETURNED: set(),
    PaymentStatus.REFUNDED: set(),
}


class PaymentTransitionRefused(DomainError):
    """A payment cannot move from its status to the one asked for (terminal states never change)."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, payment_id: int, status: PaymentStatus, wanted: PaymentStatus) -> None:
        super().__init__(
            f"payment {payment_id} is {status.value}, it cannot become {wanted.value}",
            field=("payment_id",),
            state=status.value,
            operation=wanted.value,
        )


class ReturnWindowClosed(DomainError):
    """A payment is returned later than 3 working days after its acceptance."""

    code = ErrorCode.RETURN_WINDOW_CLOSED

    def __init__(self, payment_id: int, last_day: date) -> None:
        super().__init__(f"payment {payment_id} could be returned until {last_day}", field=("payment_id",),
                         last_day=last_day)  # fmt: skip


class MinimumWageFixed(DomainError):
    """A minimum wage from a day that has begun, or one already set for that day: history is never rewritten."""

    code = ErrorCode.PRICE_HISTORY_FIXED

    def __init__(self, day: date, reason: str) -> None:
        super().__init__(f"minimum wage from {day}: {reason}", field=("effective_from",), day=day)


async def change_payment_status(
    principal: Principal,
    session: AsyncSession,
    *,
    payment_id: int,
    status: PaymentStatus,
    reason: str | None,
    now: datetime,
) -> ContributionPayment:
    """The fund's operator credits a payment, marks it returned (the payer's IIN or name did not match: its months
    are free again) or refunds it; every change is recorded, and a returned or refunded payment stays so."""
    operator = require_authority(principal, AuthorityKind.INSURANCE_FUND)
    if status is not PaymentStatus.CREDITED and not (reason or "").strip():
        raise MissingValue("the reason for a return or a refund", field=("reason",))
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise TextTooLong(len(reason), MAX_REASON_LENGTH, field=("reason",))
    async with session.begin():
        payment = await session.scalar(
            select(ContributionPayment).where(ContributionPayment.id == payment_id).with_for_update()
        )
        if payment is None:
            raise NotFound("payment", payment_id, field=("payment_id",))
        if status not in _NEXT[payment.status]:
            raise PaymentTransitionRefused(payment_id, payment.status, status)
        if status is PaymentStatus.RETURNED:
            calendar = await load_calendar(session)
            last_day = calendar.add_business_days(local_date(payment.accepted_at), RETURN_WITHIN_WORKING_DAYS)
            if local_date(now) > last_day:
                raise ReturnWindowClosed(payment_id, last_day)
        if status in (PaymentStatus.RETURNED, PaymentStatus.REFUNDED):
            await session.execute(
                update(ContributionMonth).where(ContributionMonth.payment_id == payment_id).values(standing=False)
            )
        payment.status, payment.status_changed_at = status, now
        session.add(PaymentTransition(payment_id=payment_id, status=status, at=now, by=operator.user_id, reason=reason))
    return payment


async def credit_payments(
    principal: Principal, session: AsyncSession, *, payment_ids: Sequence[int], now: datetime
) -> int:
    """The fund books accepted payments: how many it credited (those no longer accepted are left as they are)."""
    operator = require_authority(principal, AuthorityKind.INSURANCE_FUND)
    async with session.begin():
        credited = list(
            await session.scalars(
                update(ContributionPayment)
                .where(ContributionPayment.id.in_(payment_ids), ContributionPayment.status == PaymentStatus.ACCEPTED)
                .values(status=PaymentStatus.CREDITED, status_changed_at=now)
                .returning(ContributionPayment.id)
            )
        )
        session.add_all(
            PaymentTransition(payment_id=payment_id, status=PaymentStatus.CREDITED, at=now, by=operator.user_id)
            for payment_id in credited
        )
    return len(credited)


async def set_minimum_wage(
    principal: Principal, session: AsyncSession, *, effective_from: date, amount: Money, now: datetime
) -> MinimumWageRow:
    """The fund's operator enters a new minimum wage from a coming day; the table's past is never rewritten."""
    operator = require_authority(principal, AuthorityKind.INSURANCE_FUND)
    if effective_from <= local_date(now):
        raise MinimumWageFixed(effective_from, "that day has begun; a new minimum wage takes effect from tomorrow on")
    if amount.tiyn <= 0:
        raise MinimumWageFixed(effective_from, "a minimum wage is more than zero")
    async with session.begin():
        # One statement: of two operators entering the same day at once, the second is told it is set.
        added: MinimumWageRow | None = await session.scalar(
            insert(MinimumWageRow)
            .values(effective_from=effective_from, amount_tiyn=amount.tiyn, set_at=now, set_by=operator.user_id)
            .on_conflict_do_nothing()
            .returning(MinimumWageRow)
        )
        if added is None:
            raise MinimumWageFixed(effective_from, "a minimum wage is already set from that day")
    return added
