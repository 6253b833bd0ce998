from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from biip.checksums import gs1_standard_check_digit

from domain.medicines.errors import InvalidGtin

_DIGITS = re.compile(r"[0-9]{8}|[0-9]{12,14}")


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
        if gs1_standard_check_digit(padded[:13]) != int(padded[13]):
            raise InvalidGtin(text, "the check digit does not match", field=field)
        return cls(padded)

    def __str__(self) -> str:
        return self.value
