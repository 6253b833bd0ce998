from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.shared.errors import InvalidIin

# Kindergarten rules, "Identity": weights 1..11 mod 11; when that gives 10, weights 3..11,1,2 mod 11; when that
# gives 10 as well, no number is issued with these eleven digits. The BIN uses the same algorithm.
_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# str.isdigit() also accepts Arabic-Indic and superscript digits, which int() reads but no registry issues.
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")

# The 7th digit: 1, 2 for people born in the 1800s; 3, 4 in the 1900s; 5, 6 in the 2000s; odd for men.
_CENTURY_BY_DIGIT = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


class Sex(StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"


def iin_check_digit(first_eleven: str) -> int | None:
    """The twelfth digit that completes these eleven, or None when no number can begin with them."""
    if not _ELEVEN_DIGITS.fullmatch(first_eleven):
        raise ValueError(f"expected 11 ASCII digits, got {first_eleven!r}")
    digits = [int(char) for char in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        check = sum(digit * weight for digit, weight in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return check
    return None


def _birth_date(value: str) -> date | None:
    """The birth date written in a 12-digit value, or None when the century digit or the date is impossible."""
    century = _CENTURY_BY_DIGIT.get(value[6])
    if century is None:
        return None
    try:
        return date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None


def _invalidity(value: str) -> str | None:
    """Why `value` is not an IIN, or None when it is one (whatever today is)."""
    if not _TWELVE_DIGITS.fullmatch(value):
        return "must be 12 digits"
    if value[6] not in _CENTURY_BY_DIGIT:
        return "century digit must be 1 to 6"
    if _birth_date(value) is None:
        return "birth date is not a real date"
    if iin_check_digit(value[:11]) != int(value[11]):
        return "check digit does not match"
    return None


@dataclass(frozen=True, slots=True, repr=False)
class Iin:
    """A person's individual identification number, always valid: `YYMMDD G NNNN C`."""

    value: str

    def __post_init__(self) -> None:
        # Rows read back from the database come through here too, so an Iin in memory is always a valid one.
        if (reason := _invalidity(self.value)) is not None:
            raise InvalidIin(self.value, reason)

    @classmethod
    def parse(cls, text: str, *, today: date | None = None, field: Sequence[str] = ()) -> Iin:
        """The IIN written in `text`; with `today`, a birth date after it is refused too."""
        value = text.strip()
        if (reason := _invalidity(value)) is None:
            iin = cls(value)
            if today is None or iin.birth_date <= today:
                return iin
            reason = "birth date is in the future"
        raise InvalidIin(text, reason, field=field)

    @property
    def birth_date(self) -> date:
        born = _birth_date(self.value)
        assert born is not None  # checked in __post_init__
        return born

    @property
    def sex(self) -> Sex:
        return Sex.MALE if int(self.value[6]) % 2 == 1 else Sex.FEMALE

    def birthday_in(self, year: int) -> date:
        """The day the person's birthday falls on in `year`: 28 February for 29 February in a common year."""
        born = self.birth_date
        try:
            return born.replace(year=year)
        except ValueError:  # only 29 February lacks a twin, and only in a common year
            return date(year, 2, 28)

    def age_on(self, day: date) -> int:
        """Full years of age on `day`; a day before the birth date is a programming error."""
        born = self.birth_date
        if day < born:
            raise ValueError(f"{day} is before the birth date")
        years = day.year - born.year
        return years if day >= self.birthday_in(day.year) else years - 1

    def masked(self) -> str:
        """The IIN with all but the birth date hidden, for logs and for staff who may not see it in full."""
        return self.value[:6] + "*" * 6

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        # A repr ends up in logs and tracebacks, where a full IIN must not.
        return f"Iin({self.masked()!r})"
