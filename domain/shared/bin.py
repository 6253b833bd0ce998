from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.shared.errors import InvalidBin
from domain.shared.iin import iin_check_digit

# `YYMM K D NNNNN C`: year and month of registration, kind of entity, its division, a serial, the check digit.
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


class EntityKind(StrEnum):
    RESIDENT = "RESIDENT"  # a legal entity registered in Kazakhstan
    NON_RESIDENT = "NON_RESIDENT"
    JOINT_VENTURE_ENTREPRENEUR = "JOINT_VENTURE_ENTREPRENEUR"  # individual entrepreneurs in joint venture form


class Division(StrEnum):
    HEAD_OFFICE = "HEAD_OFFICE"
    BRANCH = "BRANCH"
    REPRESENTATIVE_OFFICE = "REPRESENTATIVE_OFFICE"
    PEASANT_FARM = "PEASANT_FARM"


_KIND_BY_DIGIT = {"4": EntityKind.RESIDENT, "5": EntityKind.NON_RESIDENT, "6": EntityKind.JOINT_VENTURE_ENTREPRENEUR}
_DIVISION_BY_DIGIT = {
    "0": Division.HEAD_OFFICE,
    "1": Division.BRANCH,
    "2": Division.REPRESENTATIVE_OFFICE,
    "3": Division.PEASANT_FARM,
}


def _invalidity(value: str) -> str | None:
    """Why `value` is not a BIN, or None when it is one."""
    if not _TWELVE_DIGITS.fullmatch(value):
        return "must be 12 digits"
    if not 1 <= int(value[2:4]) <= 12:
        return "registration month must be 01 to 12"
    if value[4] not in _KIND_BY_DIGIT:
        return "entity kind digit must be 4, 5 or 6"
    if value[5] not in _DIVISION_BY_DIGIT:
        return "division digit must be 0 to 3"
    if iin_check_digit(value[:11]) != int(value[11]):
        return "check digit does not match"
    return None


@dataclass(frozen=True, slots=True)
class Bin:
    """A legal entity's business identification number, always valid."""

    value: str

    def __post_init__(self) -> None:
        # Rows read back from the database come through here too, so a Bin in memory is always a valid one.
        if (reason := _invalidity(self.value)) is not None:
            raise InvalidBin(self.value, reason)

    @classmethod
    def parse(cls, text: str, *, field: Sequence[str] = ()) -> Bin:
        """The BIN written in `text`, surrounding whitespace ignored."""
        value = text.strip()
        if (reason := _invalidity(value)) is not None:
            raise InvalidBin(text, reason, field=field)
        return cls(value)

    @property
    def kind(self) -> EntityKind:
        return _KIND_BY_DIGIT[self.value[4]]

    @property
    def division(self) -> Division:
        return _DIVISION_BY_DIGIT[self.value[5]]

    def __str__(self) -> str:
        return self.value
