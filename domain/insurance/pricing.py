from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from domain.insurance.errors import (
    DuplicateMonth,
    MonthAlreadyPaid,
    MonthBeforeBirth,
    MonthTooFarAhead,
    NoMonths,
    NoRateForMonth,
)
from domain.insurance.rates import MinimumWage, PayerKind, monthly_contribution, wage_on
from domain.shared.money import Money
from domain.shared.months import YearMonth

# Insurance rules, "Paying": at most 12 months after the current one.
MAX_MONTHS_AHEAD = 12


@dataclass(frozen=True, slots=True)
class MonthPrice:
    """One month of a payment and its contribution."""

    month: YearMonth
    amount: Money
    minimum_wage: Money  # the minimum wage the amount was taken from


@dataclass(frozen=True, slots=True)
class Price:
    """What a list of months costs a payer of one kind on one day: a line a month, oldest first, and the total."""

    kind: PayerKind
    lines: tuple[MonthPrice, ...]

    @property
    def total(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero())


def price_months(
    table: Sequence[MinimumWage],
    kind: PayerKind,
    months: Sequence[YearMonth],
    *,
    today: date,
    born: date,
    taken: Collection[YearMonth] = (),
) -> Price:
    """The price of `months` for a payer born on `born`, paying on `today` (Almaty), whose months `taken` are already
    paid or in flight; the first month the rules refuse is the error.

    A month from the current one on is priced at the minimum wage in force today; an earlier one at the minimum wage
    of that month (decisions, "Amounts and requests"). No penalty for late months in this version.
    """
    if not months:
        raise NoMonths()
    current = YearMonth.of(today)
    last = current.plus(MAX_MONTHS_AHEAD)
    today_wage = wage_on(table, today)
    seen: set[YearMonth] = set()
    lines: list[MonthPrice] = []
    for index, month in enumerate(months):
        if month in seen:
            raise DuplicateMonth(month, index=index)
        seen.add(month)
        if month > last:
            raise MonthTooFarAhead(month, last=last, index=index)
        if month < YearMonth.of(born):
            raise MonthBeforeBirth(month, index=index)
        wage = today_wage if month >= current else wage_on(table, month.first_day)
        if wage is None:
            raise NoRateForMonth(month, index=index)
        if month in taken:
            raise MonthAlreadyPaid(month, index=index)
        lines.append(MonthPrice(month, monthly_contribution(kind, wage.amount), wage.amount))
    return Price(kind, tuple(sorted(lines, key=lambda line: line.month)))
