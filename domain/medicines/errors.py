from __future__ import annotations

from datetime import date

from domain.shared.errors import DomainError, ErrorCode, InvalidValue

# DomainError
#  ├── InvalidGtin              a GTIN with the wrong length or check digit
#  ├── UnknownGtin              no registered product has this GTIN
#  ├── ProductExists            registering a GTIN or registration number twice
#  ├── ProductWithdrawn         the product's registration is withdrawn (or suspended, for new codes)
#  ├── PriceHistoryFixed        a maximum retail price for a day that has begun or is already set
#  ├── InvalidQuantity          a code order outside 1 … 100,000
#  ├── PackNotFound             no issued code with this GTIN and serial (or not the caller's to see)
#  ├── NotOwner                 a pack operation by an organisation that does not hold the pack
#  ├── InvalidTransition        a pack operation not allowed in the pack's state
#  ├── BatchRecalled, BatchMismatch, PackExpired
#  ├── DuplicateCode, InvalidBatch
#  ├── NotAnImage, ImageTooLarge, NoCodeFound   a photo that gives no code
#  └── InvalidCode              a pack code that cannot be read


class InvalidGtin(InvalidValue):
    """A GTIN is not 8, 12, 13 or 14 digits, or its check digit does not match."""

    code = ErrorCode.INVALID_GTIN


class UnknownGtin(DomainError):
    """No registered product has this GTIN."""

    code = ErrorCode.UNKNOWN_GTIN

    def __init__(self, gtin: str, *, field: tuple[str, ...] = ("gtin",)) -> None:
        super().__init__(f"no product with GTIN {gtin}", field=field, gtin=gtin)


class ProductExists(DomainError):
    """A product with this GTIN or registration number is already in the registry."""

    code = ErrorCode.PRODUCT_EXISTS

    def __init__(self, what: str, value: str) -> None:
        super().__init__(f"a product with {what} {value} is already registered", field=(what,), value=value)


class ProductWithdrawn(DomainError):
    """The product is withdrawn (or suspended, where new codes are asked for): the operation is refused."""

    code = ErrorCode.PRODUCT_WITHDRAWN

    def __init__(self, gtin: str, status: str) -> None:
        super().__init__(f"product {gtin} is {status.lower()}", field=("gtin",), gtin=gtin, status=status)


class PriceHistoryFixed(DomainError):
    """A maximum retail price may only be set for a day that has not begun and has no price yet."""

    code = ErrorCode.PRICE_HISTORY_FIXED

    def __init__(self, gtin: str, effective_from: date, reason: str) -> None:
        super().__init__(
            f"price of {gtin} from {effective_from}: {reason}", field=("effective_from",), day=effective_from
        )


class InvalidQuantity(DomainError):
    """A number of codes or units outside what the operation allows."""

    code = ErrorCode.INVALID_QUANTITY

    def __init__(self, quantity: int, *, minimum: int, maximum: int, field: tuple[str, ...] = ("count",)) -> None:
        super().__init__(
            f"{quantity} is not between {minimum} and {maximum}",
            field=field,
            quantity=quantity,
            minimum=minimum,
            maximum=maximum,
        )


class PackNotFound(DomainError):
    """No issued code has this GTIN and serial, or the caller may not see it."""

    code = ErrorCode.PACK_NOT_FOUND

    def __init__(self, gtin: str, serial: str, *, field: tuple[str, ...] = ("codes",)) -> None:
        super().__init__(f"no pack {gtin}/{serial}", field=field, gtin=gtin, serial=serial)


class NotOwner(DomainError):
    """The organisation does not hold the pack it tries to operate on."""

    code = ErrorCode.NOT_OWNER

    def __init__(self, gtin: str, serial: str, *, field: tuple[str, ...] = ("codes",)) -> None:
        super().__init__(f"pack {gtin}/{serial} is not yours", field=field, gtin=gtin, serial=serial)


class InvalidTransition(DomainError):
    """The pack's state does not allow this operation; the message names the state."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(
        self, gtin: str, serial: str, state: str, operation: str, *, field: tuple[str, ...] = ("codes",)
    ) -> None:
        super().__init__(
            f"cannot {operation} pack {gtin}/{serial}: it is {state}",
            field=field,
            gtin=gtin,
            serial=serial,
            state=state,
            operation=operation,
        )


class BatchMismatch(DomainError):
    """A batch number already registered for the product with another expiry or production date."""

    code = ErrorCode.BATCH_MISMATCH

    def __init__(self, gtin: str, batch: str) -> None:
        super().__init__(f"batch {batch} of {gtin} exists with other dates", field=("batch",), batch=batch)


class BatchRecalled(DomainError):
    """The pack's batch is recalled: nothing but destruction is accepted."""

    code = ErrorCode.BATCH_RECALLED

    def __init__(self, gtin: str, batch: str) -> None:
        super().__init__(f"batch {batch} of {gtin} is recalled", field=("batch",), batch=batch)


class PackExpired(DomainError):
    """The pack (or the batch being commissioned) is past its expiry date."""

    code = ErrorCode.PACK_EXPIRED

    def __init__(self, expiry: date, *, field: tuple[str, ...] = ("expiry",)) -> None:
        super().__init__(f"expired on {expiry}", field=field, expiry=expiry)


class InvalidCode(DomainError):
    """A pack code in an operation cannot be read; the message says what was expected where."""

    code = ErrorCode.INVALID_CODE

    def __init__(self, problem: str, message: str, *, index: int | None = None, field: str = "codes") -> None:
        path = (field,) if index is None else (field, str(index))
        super().__init__(message, field=path, problem=problem, reason=message)


class DuplicateCode(DomainError):
    """The same pack is named twice in one operation."""

    code = ErrorCode.DUPLICATE_CODE

    def __init__(self, serial: str, *, index: int, field: str = "serials") -> None:
        super().__init__(f"{serial} is named twice", field=(field, str(index)), serial=serial)


class InvalidBatch(DomainError):
    """A batch number or its dates break the rules: 1–20 GS1 characters, produced before it expires."""

    code = ErrorCode.INVALID_BATCH

    def __init__(self, reason: str, *, field: str) -> None:
        super().__init__(reason, field=(field,), reason=reason)


class NotAnImage(DomainError):
    """An uploaded photo is not a JPEG, PNG, WebP, GIF or BMP image."""

    code = ErrorCode.NOT_AN_IMAGE

    def __init__(self) -> None:
        super().__init__("the upload is not an image", field=("image",))


class ImageTooLarge(DomainError):
    """An uploaded photo has more pixels than are decoded."""

    code = ErrorCode.IMAGE_TOO_LARGE

    def __init__(self, limit_megapixels: int) -> None:
        super().__init__(f"over {limit_megapixels} megapixels", field=("image",), limit=limit_megapixels)


class NoCodeFound(DomainError):
    """No Data Matrix could be read from a photo in the time allowed."""

    code = ErrorCode.NO_CODE_FOUND

    def __init__(self) -> None:
        super().__init__("no Data Matrix found in the photo", field=("image",))
