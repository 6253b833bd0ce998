from __future__ import annotations

from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money
from domain.shared.months import YearMonth

# DomainError
#  ├── NoMonths, DuplicateMonth            a payment that names no month, or one month twice
#  ├── MonthTooFarAhead, NoRateForMonth, MonthBeforeBirth
#  │                                       a month the rules do not let anyone pay
#  ├── MonthAlreadyPaid                    a month the person has paid, or is paying, already
#  ├── NameMismatch, AmountMismatch        a payer the registry does not know by that name; a sum not the price
#  └── IdempotencyKeyReused, IdempotencyInProgress
#                                          a key sent again with another payment, or while its first is running


class NoMonths(DomainError):
    """A payment or quote names no month."""

    code = ErrorCode.NO_MONTHS

    def __init__(self) -> None:
        super().__init__("name at least one month", field=("months",))


class DuplicateMonth(DomainError):
    """The same month is named twice in one payment."""

    code = ErrorCode.DUPLICATE_MONTH

    def __init__(self, month: YearMonth, *, index: int) -> None:
        super().__init__(f"{month} is named twice", field=("months", str(index)), month=str(month))


class MonthTooFarAhead(DomainError):
    """A month more than 12 months after the current one."""

    code = ErrorCode.MONTH_TOO_FAR_AHEAD

    def __init__(self, month: YearMonth, *, last: YearMonth, index: int) -> None:
        super().__init__(f"{month} is past {last}", field=("months", str(index)), month=str(month), last=str(last))


class NoRateForMonth(DomainError):
    """A month before the minimum-wage table begins (January 2020)."""

    code = ErrorCode.NO_RATE_FOR_MONTH

    def __init__(self, month: YearMonth, *, index: int) -> None:
        super().__init__(f"no rate for {month}", field=("months", str(index)), month=str(month))


class MonthBeforeBirth(DomainError):
    """A month before the payer was born."""

    code = ErrorCode.MONTH_BEFORE_BIRTH

    def __init__(self, month: YearMonth, *, index: int) -> None:
        super().__init__(f"{month} is before the payer's birth", field=("months", str(index)), month=str(month))


class MonthAlreadyPaid(DomainError):
    """A month the person has already paid, or is paying in a payment not yet settled, under any payer kind."""

    code = ErrorCode.MONTH_ALREADY_PAID

    def __init__(self, month: YearMonth, *, index: int) -> None:
        super().__init__(f"{month} is already paid", field=("months", str(index)), month=str(month))


class NameMismatch(DomainError):
    """The payer's name is not the one the population registry holds for the IIN (or the IIN is not in it)."""

    code = ErrorCode.NAME_MISMATCH

    def __init__(self) -> None:
        super().__init__("the name does not match the registry for this IIN", field=("payer_name",))


class AmountMismatch(DomainError):
    """The amount the bank sends is not exactly the price of the months at the moment of payment."""

    code = ErrorCode.AMOUNT_MISMATCH

    def __init__(self, sent: Money, price: Money) -> None:
        super().__init__(f"sent {sent}, the price is {price}", field=("amount",), sent=str(sent), price=str(price))


class IdempotencyKeyReused(DomainError):
    """The bank's idempotency key already names another payment: a retry must repeat the request exactly."""

    code = ErrorCode.IDEMPOTENCY_KEY_REUSED

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key[:40]!r} names another payment", field=("idempotency_key",))


class IdempotencyInProgress(DomainError):
    """A payment under the same idempotency key is still being made: retry in a moment."""

    code = ErrorCode.IDEMPOTENCY_IN_PROGRESS

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key[:40]!r} is in flight", field=("idempotency_key",))
