from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insurance.models import ContributionMonth, ContributionPayment, PaymentStatus, StateCategoryPeriod
from domain.insurance.status import MonthCover, PersonHistory, StatePeriod, covers_from, paid_months_of_last_year
from domain.shared.access import AuthorityKind, AuthorityUser, Citizen, Principal, require_citizen
from domain.shared.calendar import local_date
from domain.shared.iin import Iin
from domain.shared.months import YearMonth

# How many months from the current one on an answer shows: enough to see where paid cover and grace end.
MONTHS_SHOWN = 13


@dataclass(frozen=True, slots=True)
class InsuranceStatus:
    """A person's cover this month and in the months after it, and the months paid of the last 12."""

    iin: Iin
    months: tuple[MonthCover, ...]  # the current month first
    paid_last_12: tuple[YearMonth, ...]

    @property
    def current(self) -> MonthCover:
        return self.months[0]


async def person_history(session: AsyncSession, iin: Iin) -> PersonHistory:
    """Everything the cover of a person depends on, in two indexed reads."""
    periods = await session.scalars(select(StateCategoryPeriod).where(StateCategoryPeriod.iin == str(iin)))
    rows = await session.execute(
        select(ContributionMonth.month, ContributionPayment.status)
        .join(ContributionPayment, ContributionPayment.id == ContributionMonth.payment_id)
        .where(ContributionMonth.payer_iin == str(iin), ContributionMonth.standing)
    )
    paid, pending = set(), set()
    for month, status in rows:
        paid.add(YearMonth.of(month))
        if status is PaymentStatus.ACCEPTED:
            pending.add(YearMonth.of(month))
    return PersonHistory(
        born=iin.birth_date,
        state_periods=[StatePeriod(p.category, p.valid_from, p.valid_to) for p in periods],
        paid=paid,
        pending=pending,
    )


async def insurance_status(
    principal: Principal, session: AsyncSession, *, iin: str | None = None, now: datetime
) -> InsuranceStatus:
    """A citizen's own cover (or anyone's for the insurance fund's operator): insured or not, why, until when."""
    if isinstance(principal, AuthorityUser) and principal.authority is AuthorityKind.INSURANCE_FUND and iin:
        person = Iin.parse(iin, today=local_date(now), field=("iin",))
    else:
        citizen: Citizen = require_citizen(principal)
        person = citizen.iin
    async with session.begin():
        history = await person_history(session, person)
    current = YearMonth.of(local_date(now))
    months = tuple(covers_from(history, current, MONTHS_SHOWN))
    return InsuranceStatus(person, months, tuple(paid_months_of_last_year(history, current)))
