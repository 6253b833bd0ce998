from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.shared.errors import InvalidYearMonth

_YEAR_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
# What a client may name: contributions start in 2020 and birth months go back a century or so; anything
# outside these years is a typo. Months computed in code may lie anywhere a `date` can.
_FIRST_YEAR, _LAST_YEAR = 1900, 2999


@dataclass(frozen=True, slots=True, order=True)
class YearMonth:
    """A calendar month, such as the one a contribution pays for."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"no month {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str, *, field: Sequence[str] = ()) -> YearMonth:
        """The month written in `text` as exactly `YYYY-MM`."""
        match = _YEAR_MONTH.fullmatch(text)
        if match is None:
            raise InvalidYearMonth(text, "must be written YYYY-MM", field=field)
        year, month = int(match["year"]), int(match["month"])
        if not 1 <= month <= 12:
            raise InvalidYearMonth(text, "month must be 01 to 12", field=field)
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise InvalidYearMonth(text, f"year must be {_FIRST_YEAR} to {_LAST_YEAR}", field=field)
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def plus(self, months: int) -> YearMonth:
        """The month `months` after this one; a negative count goes back."""
        year, month_index = divmod(self.year * 12 + self.month - 1 + months, 12)
        return YearMonth(year, month_index + 1)

    def next(self) -> YearMonth:
        return self.plus(1)

    def previous(self) -> YearMonth:
        return self.plus(-1)

    def months_until(self, other: YearMonth) -> int:
        """How many months `other` lies after this one: 1 for the next month, negative for an earlier one."""
        return (other.year - self.year) * 12 + other.month - self.month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
