from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from types import MappingProxyType

import holidays

# The rules fix Asia/Almaty at UTC+5. Kazakhstan moved to a single UTC+5 zone on 1 March 2024, and tzdata before
# 2024a still puts Almaty at UTC+6, so ZoneInfo("Asia/Almaty") would let the host's tzdata move every deadline by
# an hour. The price: an instant before March 2024 is read at +5 too, an hour off; no deadline of ours lies there.
ALMATY = timezone(timedelta(hours=5), "Asia/Almaty")

_SATURDAY = 5


class DayKind(StrEnum):
    HOLIDAY = "HOLIDAY"  # a public holiday
    DAY_OFF = "DAY_OFF"  # a day off in place of a holiday on a weekend, or moved by a government decree
    WORKING_DAY = "WORKING_DAY"  # a Saturday or Sunday declared a working day


@dataclass(frozen=True, slots=True)
class CalendarException:
    """A day on which the Monday-to-Friday week does not hold."""

    day: date
    kind: DayKind
    name: str


class WorkingCalendar:
    """Kazakhstan's working days: Monday to Friday, except the dated exceptions it was built from."""

    __slots__ = ("_kinds",)

    def __init__(self, exceptions: Iterable[CalendarException] = ()) -> None:
        kinds: dict[date, DayKind] = {}
        for exception in exceptions:
            earlier = kinds.setdefault(exception.day, exception.kind)
            # Two days off of different kinds agree; a day both working and not is a table to fix, not to guess.
            if (earlier is DayKind.WORKING_DAY) != (exception.kind is DayKind.WORKING_DAY):
                raise ValueError(f"{exception.day} is listed both as {earlier} and as {exception.kind}")
        self._kinds: Mapping[date, DayKind] = MappingProxyType(kinds)

    def is_working_day(self, day: date) -> bool:
        kind = self._kinds.get(day)
        if kind is None:
            return day.weekday() < _SATURDAY
        return kind is DayKind.WORKING_DAY

    def add_business_days(self, start: date, n: int) -> date:
        """The `n`-th working day after `start`, not counting `start` itself."""
        if n < 1:
            raise ValueError(f"count at least one business day, not {n}")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def deadline_after(self, moment: datetime, business_days: int) -> datetime:
        """The end (24:00 in Almaty) of the `business_days`-th working day after the local day of `moment`."""
        # Kindergarten decisions, "Deadlines": the period starts the day after the event and ends at 24:00 of the
        # N-th business day, so an offer on Monday 10:00 with 2 days lapses as Thursday begins.
        last_day = self.add_business_days(local_date(moment), business_days)
        return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=ALMATY)


def local_date(moment: datetime) -> date:
    """The day in Almaty on which the aware instant `moment` falls."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no local day; pass an aware one")
    return moment.astimezone(ALMATY).date()


def end_of_local_day(moment: datetime) -> datetime:
    """24:00 in Almaty of the day on which `moment` falls, i.e. 00:00 local of the next day."""
    return datetime.combine(local_date(moment) + timedelta(days=1), time(0), tzinfo=ALMATY)


def national_exceptions(years: Iterable[int]) -> list[CalendarException]:
    """Kazakhstan's holidays, substitute and transferred days off, and transferred working days in `years`."""
    # Only as far as the holidays package knows them: a decree it has not caught up with is added by hand.
    wanted = sorted(set(years))
    if not wanted:
        return []
    with_days_off = holidays.country_holidays("KZ", years=wanted, categories=(holidays.PUBLIC,), language="en_US")
    holidays_only = holidays.country_holidays(
        "KZ", years=wanted, categories=(holidays.PUBLIC,), language="en_US", observed=False
    )
    exceptions = [
        CalendarException(day=day, kind=_kind_of(day, name, holidays_only), name=name)
        for day, name in with_days_off.items()
    ]
    # The package lists every working day moved across a new year (Saturday 28 December 2013, worked for Friday
    # 3 January 2014) whatever years were asked for, so keep only the years asked for.
    exceptions += [
        CalendarException(day=day, kind=DayKind.WORKING_DAY, name="Working day (transferred)")
        for day in with_days_off.weekend_workdays
        if day.year in wanted
    ]
    return sorted(exceptions, key=lambda exception: exception.day)


def _kind_of(day: date, name: str, holidays_only: Mapping[date, str]) -> DayKind:
    # A day off that holidays adds only when asked for observed days is the substitute for a holiday on a weekend.
    if day not in holidays_only:
        return DayKind.DAY_OFF
    # A day moved by decree the package marks only in its name ("Day off (substituted from 01/05/2025)"). Should
    # the label change, such a day is seeded as a HOLIDAY, which is still not a working day.
    if name.startswith("Day off"):
        return DayKind.DAY_OFF
    return DayKind.HOLIDAY
