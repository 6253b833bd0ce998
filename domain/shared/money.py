from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from domain.shared.errors import InvalidMoney

TIYN_PER_TENGE = 100

# Insurance rules, "Amounts and requests": a decimal string with at most two decimals and no sign, exponent,
# spaces or thousands separators; what a client sends is an amount it pays, never a negative one. Fifteen
# integer digits keep any amount inside a PostgreSQL bigint of tiyn (9.2e18).
_AMOUNT = re.compile(r"(?P<tenge>[0-9]{1,15})(?:\.(?P<fraction>[0-9]{1,2}))?")


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in tenge, held as whole tiyn so that sums are exact."""

    tiyn: int

    @classmethod
    def parse(cls, text: str, *, field: Sequence[str] = ()) -> Money:
        """The amount written in `text`, e.g. `4250`, `4250.5` or `4250.00`."""
        if not _AMOUNT.fullmatch(text):
            reason = "must be a number with at most two decimals, e.g. 4250.00"
            raise InvalidMoney(text, reason, field=field)
        return cls.from_tenge(Decimal(text))

    @classmethod
    def from_tenge(cls, amount: Decimal | int) -> Money:
        """The amount of `amount` tenge; a fraction of a tiyn is a programming error, not rounded away."""
        if isinstance(amount, int):
            return cls(amount * TIYN_PER_TENGE)
        if not amount.is_finite():
            raise ValueError(f"{amount} is not an amount")
        tiyn = amount.scaleb(2)
        if tiyn != tiyn.to_integral_value():
            raise ValueError(f"{amount} tenge is not a whole number of tiyn")
        return cls(int(tiyn))

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def percent_of(self, rate: Decimal) -> Money:
        """`rate` percent of this amount (Decimal("5") takes 5%), rounded half-up to the tiyn."""
        # The default precision of 28 digits would round a large amount times a long rate before we do.
        with localcontext() as context:
            context.prec = 60
            share = (Decimal(self.tiyn) * rate).scaleb(-2)
            return Money(int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP)))

    def to_decimal(self) -> Decimal:
        """The amount in tenge with exactly two decimals."""
        return Decimal(self.tiyn).scaleb(-2)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.tiyn + other.tiyn)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.tiyn - other.tiyn)

    def __mul__(self, times: int) -> Money:
        # bool is an int, but three-times-True is a bug; a Decimal would need a rounding rule (see percent_of).
        if not isinstance(times, int) or isinstance(times, bool):
            return NotImplemented
        return Money(self.tiyn * times)

    __rmul__ = __mul__

    def __str__(self) -> str:
        return f"{self.to_decimal():f}"
