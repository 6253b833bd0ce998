from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.shared.money import Money


class PayerKind(StrEnum):
    INDEPENDENT = "INDEPENDENT"  # neither employed nor an entrepreneur
    ENTREPRENEUR = "ENTREPRENEUR"  # individual entrepreneurs, notaries, lawyers, mediators and the like: one rate


# Insurance rules, "Payer kinds and amounts": 5% of 1 minimum wage, or of 1.4 minimum wages.
_PERCENT_OF_MINIMUM_WAGE = {PayerKind.INDEPENDENT: Decimal("5"), PayerKind.ENTREPRENEUR: Decimal("7")}


@dataclass(frozen=True, slots=True)
class MinimumWage:
    """The minimum wage (МЗП) in force from a day on; a table of them is only ever added to."""

    effective_from: date
    amount: Money


# The history the service starts with (insurance rules, "МЗП"); the fund operator adds later ones.
MINIMUM_WAGE_HISTORY = (
    MinimumWage(date(2020, 1, 1), Money.from_tenge(42_500)),
    MinimumWage(date(2022, 1, 1), Money.from_tenge(60_000)),
    MinimumWage(date(2023, 1, 1), Money.from_tenge(70_000)),
    MinimumWage(date(2024, 1, 1), Money.from_tenge(85_000)),
)


def wage_on(table: Sequence[MinimumWage], day: date) -> MinimumWage | None:
    """The minimum wage in force on `day`, or None before the table begins."""
    in_force = [row for row in table if row.effective_from <= day]
    return max(in_force, key=lambda row: row.effective_from) if in_force else None


def monthly_contribution(kind: PayerKind, wage: Money) -> Money:
    """One month's contribution of a payer of `kind` at minimum wage `wage`, rounded half-up to the tiyn."""
    return wage.percent_of(_PERCENT_OF_MINIMUM_WAGE[kind])
