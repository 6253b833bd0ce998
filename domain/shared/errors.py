from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import ClassVar

# DomainError
#  ├── Unauthenticated        the caller must sign in for this
#  ├── Forbidden              signed in, but this principal may not do it
#  ├── NotFound               no such record, or one the caller may not know exists
#  └── InvalidIin, InvalidBin, InvalidMoney, InvalidYearMonth, InvalidDate, InvalidId, InvalidPage
#                             a value with rules that the caller wrote wrong
# Each service adds its own branch in domain/<service>/errors.py.


class ErrorCode(StrEnum):
    # Append only. A code is never renamed, reused or given a new meaning; clients switch on it.
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_IIN = "INVALID_IIN"
    INVALID_BIN = "INVALID_BIN"
    INVALID_MONEY = "INVALID_MONEY"
    INVALID_YEAR_MONTH = "INVALID_YEAR_MONTH"
    INVALID_DATE = "INVALID_DATE"
    INVALID_ID = "INVALID_ID"
    INVALID_PAGE = "INVALID_PAGE"
    # medicines
    INVALID_GTIN = "INVALID_GTIN"
    UNKNOWN_GTIN = "UNKNOWN_GTIN"
    PRODUCT_EXISTS = "PRODUCT_EXISTS"
    PRODUCT_WITHDRAWN = "PRODUCT_WITHDRAWN"
    PRICE_HISTORY_FIXED = "PRICE_HISTORY_FIXED"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    PACK_NOT_FOUND = "PACK_NOT_FOUND"
    NOT_OWNER = "NOT_OWNER"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    BATCH_RECALLED = "BATCH_RECALLED"
    BATCH_MISMATCH = "BATCH_MISMATCH"
    PACK_EXPIRED = "PACK_EXPIRED"
    INVALID_CODE = "INVALID_CODE"
    DUPLICATE_CODE = "DUPLICATE_CODE"
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    MISSING_VALUE = "MISSING_VALUE"
    NOT_AN_IMAGE = "NOT_AN_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    NO_CODE_FOUND = "NO_CODE_FOUND"
    INVALID_BATCH = "INVALID_BATCH"
    ALREADY_AGGREGATED = "ALREADY_AGGREGATED"
    SHIPMENT_NOT_OPEN = "SHIPMENT_NOT_OPEN"
    UNDO_WINDOW_CLOSED = "UNDO_WINDOW_CLOSED"
    UNKNOWN_ORGANISATION = "UNKNOWN_ORGANISATION"
    CONTAINER_NOT_FOUND = "CONTAINER_NOT_FOUND"
    INVALID_RECEIVER = "INVALID_RECEIVER"
    NOTHING_TO_UNDO = "NOTHING_TO_UNDO"
    INVALID_CUSTOMS_ENTRY = "INVALID_CUSTOMS_ENTRY"
    PATIENT_IDENTIFIED = "PATIENT_IDENTIFIED"
    # insurance
    NO_MONTHS = "NO_MONTHS"
    DUPLICATE_MONTH = "DUPLICATE_MONTH"
    MONTH_TOO_FAR_AHEAD = "MONTH_TOO_FAR_AHEAD"
    NO_RATE_FOR_MONTH = "NO_RATE_FOR_MONTH"
    MONTH_BEFORE_BIRTH = "MONTH_BEFORE_BIRTH"
    MONTH_ALREADY_PAID = "MONTH_ALREADY_PAID"
    NAME_MISMATCH = "NAME_MISMATCH"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"
    RETURN_WINDOW_CLOSED = "RETURN_WINDOW_CLOSED"
    # kindergarten
    CHILD_TOO_OLD = "CHILD_TOO_OLD"
    NO_CHOICES = "NO_CHOICES"
    TOO_MANY_CHOICES = "TOO_MANY_CHOICES"
    DUPLICATE_CHOICE = "DUPLICATE_CHOICE"
    ALREADY_QUEUED = "ALREADY_QUEUED"
    NOT_YOUR_CHILD = "NOT_YOUR_CHILD"
    CHOICES_IN_DIFFERENT_REGIONS = "CHOICES_IN_DIFFERENT_REGIONS"
    UNKNOWN_KINDERGARTEN = "UNKNOWN_KINDERGARTEN"
    LANGUAGE_NOT_OFFERED = "LANGUAGE_NOT_OFFERED"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    REACTIVATION_USED = "REACTIVATION_USED"
    REACTIVATION_WINDOW_CLOSED = "REACTIVATION_WINDOW_CLOSED"
    EXTENSION_USED = "EXTENSION_USED"
    BENEFIT_NOT_CONFIRMED = "BENEFIT_NOT_CONFIRMED"
    NO_CAPACITY = "NO_CAPACITY"


class DomainError(Exception):
    """An expected failure the caller can act on; the schema shows it as a UserError."""

    code: ClassVar[ErrorCode]

    def __init__(self, message: str, *, field: Sequence[str] = (), **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = tuple(field)  # names of use-case arguments, e.g. ("child_iin",)
        self.details = details  # values a translated message may quote

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r}, details={self.details!r})"


class Unauthenticated(DomainError):
    """The operation needs a signed-in principal and the caller is anonymous."""

    code = ErrorCode.UNAUTHENTICATED

    def __init__(self) -> None:
        super().__init__("sign in to do this")


class Forbidden(DomainError):
    """The principal is signed in but may not perform this operation."""

    code = ErrorCode.FORBIDDEN

    def __init__(self, action: str) -> None:
        super().__init__(f"not allowed to {action}", action=action)


class NotFound(DomainError):
    """No such record, or one the caller must not learn exists."""

    code = ErrorCode.NOT_FOUND

    def __init__(self, kind: str, key: object, *, field: Sequence[str] = ()) -> None:
        super().__init__(f"{kind} {key} not found", field=field, kind=kind)


class InvalidValue(DomainError):
    """Base of the errors for a value with rules that the caller wrote wrong."""

    def __init__(self, value: str, reason: str, *, field: Sequence[str] = ()) -> None:
        # Only a prefix of the value is kept: an error must not echo a 10 kB input back into logs.
        super().__init__(f"{value[:40]!r}: {reason}", field=field, value=value[:40], reason=reason)


class InvalidIin(InvalidValue):
    """An individual identification number is malformed, has a wrong check digit or an impossible birth date."""

    code = ErrorCode.INVALID_IIN


class InvalidBin(InvalidValue):
    """A business identification number is malformed or has a wrong check digit."""

    code = ErrorCode.INVALID_BIN


class InvalidMoney(InvalidValue):
    """An amount is not a non-negative decimal with at most two places."""

    code = ErrorCode.INVALID_MONEY


class InvalidYearMonth(InvalidValue):
    """A month is not written as YYYY-MM or lies outside the supported years."""

    code = ErrorCode.INVALID_YEAR_MONTH


class InvalidDate(InvalidValue):
    """A date or time is not ISO 8601, or a time lacks its UTC offset."""

    code = ErrorCode.INVALID_DATE


class InvalidId(InvalidValue):
    """A global ID is not one this service issued, or names another type than expected."""

    code = ErrorCode.INVALID_ID


class InvalidPage(InvalidValue):
    """A page of a list asks for too many items, for both ends at once, or names a foreign cursor."""

    code = ErrorCode.INVALID_PAGE


class TextTooLong(DomainError):
    """A free-text value is longer than its field allows."""

    code = ErrorCode.TEXT_TOO_LONG

    def __init__(self, length: int, limit: int, *, field: Sequence[str]) -> None:
        super().__init__(f"{length} characters, at most {limit}", field=field, length=length, limit=limit)


class MissingValue(DomainError):
    """A value the operation needs in this case was not given."""

    code = ErrorCode.MISSING_VALUE

    def __init__(self, reason: str, *, field: Sequence[str]) -> None:
        super().__init__(reason, field=field, reason=reason)
