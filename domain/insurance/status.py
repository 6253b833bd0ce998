from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.shared.months import YearMonth

# Insurance rules, "Insured status" and its decisions.
QUALIFYING_RUN_MONTHS = 12  # a payer counts as insured only once 12 consecutive months are paid
GRACE_MONTHS = 3
LONG_GRACE_MONTHS = 6  # after 60 gap-free paid months, for months from January 2026 on
LONG_RUN_MONTHS = 60
LONG_GRACE_FROM = YearMonth(2026, 1)
ADULT_AGE = 18
_HORIZON_MONTHS = 1200  # how far "until when" looks before it calls a covered run endless


class CoverReason(StrEnum):
    STATE = "STATE"  # a state-paid category: a child, a pensioner, another registered category
    PAID = "PAID"
    GRACE = "GRACE"


@dataclass(frozen=True, slots=True)
class StatePeriod:
    """A state-paid category of a person, valid from a day to a day (None: no end)."""

    category: str
    valid_from: date
    valid_to: date | None

    def covers(self, month: YearMonth) -> bool:
        # Decisions: a validity that covers part of a month covers the month.
        return self.valid_from <= month.last_day and (self.valid_to is None or self.valid_to >= month.first_day)


@dataclass(frozen=True, slots=True)
class PersonHistory:
    """What decides a person's cover: birth, state categories, and the months paid (pending ones apart)."""

    born: date
    state_periods: Sequence[StatePeriod]
    paid: Collection[YearMonth]  # months of ACCEPTED or CREDITED contributions
    pending: Collection[YearMonth] = ()  # of those, the ones accepted and not yet credited


@dataclass(frozen=True, slots=True)
class MonthCover:
    """Whether a person is insured for a month, why, and until when their continuous cover lasts."""

    month: YearMonth
    insured: bool
    reason: CoverReason | None
    state_category: str | None
    pending: bool  # covered by a month accepted but not yet credited
    covered_until: date | None  # the last day of the continuous covered run that holds the month; None: no end


def cover_for(history: PersonHistory, month: YearMonth) -> MonthCover:
    """The person's cover in `month`: state category first, then paid, then grace."""
    reason, category = _reason(history, month)
    if reason is None:
        return MonthCover(month, False, None, None, False, None)
    return MonthCover(
        month,
        True,
        reason,
        category,
        reason is CoverReason.PAID and month in history.pending,
        _covered_until(history, month),
    )


def covers_from(history: PersonHistory, first: YearMonth, count: int) -> list[MonthCover]:
    """The cover of `count` months from `first` on; months of one covered run share its end, found once."""
    covers: list[MonthCover] = []
    for month in (first.plus(n) for n in range(count)):
        previous = covers[-1] if covers else None
        reason, category = _reason(history, month)
        if reason is None:
            covers.append(MonthCover(month, False, None, None, False, None))
            continue
        same_run = previous is not None and previous.insured
        until = previous.covered_until if same_run and previous is not None else _covered_until(history, month)
        pending = reason is CoverReason.PAID and month in history.pending
        covers.append(MonthCover(month, True, reason, category, pending, until))
    return covers


def paid_months_of_last_year(history: PersonHistory, current: YearMonth) -> list[YearMonth]:
    """The paid months among the 12 that end with the current one, oldest first."""
    return [m for m in (current.plus(-offset) for offset in range(11, -1, -1)) if m in history.paid]


def _reason(history: PersonHistory, month: YearMonth) -> tuple[CoverReason | None, str | None]:
    if _is_child(history.born, month):
        return CoverReason.STATE, "CHILD"
    for period in history.state_periods:
        if period.covers(month):
            return CoverReason.STATE, period.category
    if not _qualified(history.paid, month):
        return None, None
    if month in history.paid:
        return CoverReason.PAID, None
    if _in_grace(history.paid, month):
        return CoverReason.GRACE, None
    return None, None


def _is_child(born: date, month: YearMonth) -> bool:
    # Decisions: a state month when the person is under 18 on the first day of the month.
    first = month.first_day
    age = first.year - born.year - ((first.month, first.day) < (born.month, born.day))
    return age < ADULT_AGE


def _qualified(paid: Collection[YearMonth], month: YearMonth) -> bool:
    """Whether the history holds a run of 12 consecutive paid months that began on or before `month`."""
    for start in paid:
        if start <= month and start.previous() not in paid and _run_from(paid, start) >= QUALIFYING_RUN_MONTHS:
            return True
    return False


def _run_from(paid: Collection[YearMonth], start: YearMonth) -> int:
    length, month = 0, start
    while month in paid:
        length, month = length + 1, month.next()
    return length


def _run_ending(paid: Collection[YearMonth], last: YearMonth) -> int:
    length, month = 0, last
    while month in paid:
        length, month = length + 1, month.previous()
    return length


def _in_grace(paid: Collection[YearMonth], month: YearMonth) -> bool:
    earlier = [m for m in paid if m < month]
    if not earlier:
        return False
    last = max(earlier)
    grace = GRACE_MONTHS
    if month >= LONG_GRACE_FROM and _run_ending(paid, last) >= LONG_RUN_MONTHS:
        grace = LONG_GRACE_MONTHS
    return last.months_until(month) <= grace


def _covered_until(history: PersonHistory, month: YearMonth) -> date | None:
    end = month
    for _ in range(_HORIZON_MONTHS):
        following = end.next()
        if _reason(history, following)[0] is None:
            return end.last_day
        end = following
    return None
