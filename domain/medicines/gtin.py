from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain.medicines.errors import InvalidGtin

_DIGITS = re.compile(r"[0-9]{8}|[0-9]{12,14}")


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of a GTIN's other digits: weights 3, 1, 3 … from the right, (10 − sum mod 10) mod 10."""
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


@dataclass(frozen=True, slots=True, order=True)
class Gtin:
    """A Global Trade Item Number, kept as GTIN-14 (shorter forms are zero-padded on the left)."""

    value: str

    def __post_init__(self) -> None:
        if not (len(self.value) == 14 and self.value.isascii() and self.value.isdigit()):
            raise ValueError(f"not a GTIN-14: {self.value!r}")

    @classmethod
    def parse(cls, text: str, *, field: Sequence[str] = ()) -> Gtin:
        value = text.strip()
        if not _DIGITS.fullmatch(value):
            raise InvalidGtin(text, "write 8, 12, 13 or 14 digits", field=field)
        padded = value.zfill(14)
        if gtin_check_digit(padded[:13]) != int(padded[13]):
            raise InvalidGtin(text, "the check digit does not match", field=field)
        return cls(padded)

    def __str__(self) -> str:
        return self.value
