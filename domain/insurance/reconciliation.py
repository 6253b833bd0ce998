from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insurance.models import ContributionMonth, ContributionPayment
from domain.insurance.payments import Payment, with_months
from domain.shared.access import AuthorityKind, AuthorityUser, BankClient, Principal, require_bank
from domain.shared.errors import Forbidden
from domain.shared.money import Money
from domain.shared.months import YearMonth

MAX_LISTED = 10_000  # payments listed behind the totals of one day; the totals cover them all


@dataclass(frozen=True, slots=True)
class Total:
    count: int
    amount: Money


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """A bank's business day: the payments it made, totalled by payment purpose code and by month covered."""

    bank_bin: str
    day: date
    total: Total
    by_knp: dict[str, Total]
    by_month: dict[YearMonth, Total]
    payments: list[Payment]


async def bank_reconciliation(
    principal: Principal, session: AsyncSession, *, day: date, bank_bin: str | None = None
) -> Reconciliation:
    """A bank's own day (any bank's for the fund's operator), summed by PostgreSQL to the tiyn; every payment
    accepted that day counts, whatever became of it since."""
    bank = _bank_of(principal, bank_bin)
    of_day = (ContributionPayment.bank_bin == bank, ContributionPayment.business_day == day)
    async with session.begin():
        count, amount = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(ContributionPayment.amount_tiyn), 0)).where(*of_day)
            )
        ).one()
        by_knp = {
            knp: Total(int(n), Money(int(total)))
            for knp, n, total in await session.execute(
                select(ContributionPayment.knp, func.count(), func.sum(ContributionPayment.amount_tiyn))
                .where(*of_day)
                .group_by(ContributionPayment.knp)
            )
        }
        by_month = {
            YearMonth.of(month): Total(int(n), Money(int(total)))
            for month, n, total in await session.execute(
                select(ContributionMonth.month, func.count(), func.sum(ContributionMonth.amount_tiyn))
                .join(ContributionPayment, ContributionPayment.id == ContributionMonth.payment_id)
                .where(*of_day)
                .group_by(ContributionMonth.month)
                .order_by(ContributionMonth.month)
            )
        }
        rows = list(
            await session.scalars(
                select(ContributionPayment).where(*of_day).order_by(ContributionPayment.id).limit(MAX_LISTED)
            )
        )
        payments = await with_months(session, rows)
    return Reconciliation(bank, day, Total(int(count), Money(int(amount))), by_knp, by_month, payments)


def _bank_of(principal: Principal, bank_bin: str | None) -> str:
    if isinstance(principal, AuthorityUser) and principal.authority is AuthorityKind.INSURANCE_FUND:
        if bank_bin is None:
            raise Forbidden("reconcile without naming the bank")
        return bank_bin
    bank: BankClient = require_bank(principal, "contributions:read")
    if bank_bin is not None and bank_bin != str(bank.bank_bin):
        raise Forbidden("read another bank's reconciliation")
    return str(bank.bank_bin)
