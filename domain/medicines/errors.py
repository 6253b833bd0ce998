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
#  ├── InvalidCode              a pack code that cannot be read
#  ├── AlreadyAggregated        a pack or box already inside a box, operated on alone
#  ├── ContainerNotFound        no box or pallet with this SSCC in the caller's hands
#  ├── ShipmentNotOpen          receiving or cancelling a shipment that is no longer in transit
#  ├── UnknownOrganisation, InvalidReceiver   a shipment to nobody, to oneself, or to a kindergarten
#  ├── UndoWindowClosed, NothingToUndo        reversing an operation too late, or one that is not there
#  ├── PatientIdentified        an IIN given where the hospital's own patient record number belongs
#  └── InvalidCustomsEntry      an import's or export's declaration number or country that cannot be right


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

    def __init__(self, gtin: str, status: str, *, field: tuple[str, ...] = ("gtin",)) -> None:
        super().__init__(f"product {gtin} is {status.lower()}", field=field, gtin=gtin, status=status)


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

    def __init__(self, gtin: str, batch: str, *, field: tuple[str, ...] = ("batch",)) -> None:
        super().__init__(f"batch {batch} of {gtin} is recalled", field=field, batch=batch)


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


class AlreadyAggregated(DomainError):
    """A pack or box inside a box is operated on alone: unpack the box first, or name the box."""

    code = ErrorCode.ALREADY_AGGREGATED

    def __init__(self, name: str, container: str, *, index: int) -> None:
        super().__init__(f"{name} is inside box {container}", field=("codes", str(index)), container=container)


class ContainerNotFound(DomainError):
    """No box or pallet with this SSCC is held by the caller (or it has been unpacked)."""

    code = ErrorCode.CONTAINER_NOT_FOUND

    def __init__(self, sscc: str, *, index: int | None = None) -> None:
        field = ("codes", str(index)) if index is not None else ("container",)
        super().__init__(f"no box or pallet {sscc}", field=field, sscc=sscc)


class ShipmentNotOpen(DomainError):
    """The shipment is no longer in transit: it was received or cancelled."""

    code = ErrorCode.SHIPMENT_NOT_OPEN

    def __init__(self, shipment_id: int, status: str) -> None:
        super().__init__(f"shipment {shipment_id} is {status}", field=("shipment_id",), status=status)


class UnknownOrganisation(DomainError):
    """No organisation with this BIN is registered."""

    code = ErrorCode.UNKNOWN_ORGANISATION

    def __init__(self, bin_: str, *, field: tuple[str, ...] = ("receiver_bin",)) -> None:
        super().__init__(f"no organisation {bin_}", field=field, bin=bin_)


class InvalidReceiver(DomainError):
    """Packs are shipped to another organisation of the medicines supply chain, not to oneself."""

    code = ErrorCode.INVALID_RECEIVER

    def __init__(self, bin_: str, reason: str) -> None:
        super().__init__(f"cannot ship to {bin_}: {reason}", field=("receiver_bin",), bin=bin_, reason=reason)


class UndoWindowClosed(DomainError):
    """The operation is older than the window in which its organisation may reverse it, or may never be reversed."""

    code = ErrorCode.UNDO_WINDOW_CLOSED

    def __init__(self, gtin: str, serial: str, *, done_at: object, window_days: int) -> None:
        super().__init__(
            f"the last operation on {gtin}/{serial} can no longer be reversed",
            field=("code",),
            done_at=done_at,
            days=window_days,
        )


class NothingToUndo(DomainError):
    """The pack's last operation is not one the caller did and may reverse."""

    code = ErrorCode.NOTHING_TO_UNDO

    def __init__(self, gtin: str, serial: str) -> None:
        super().__init__(f"nothing of yours to reverse on {gtin}/{serial}", field=("code",), gtin=gtin, serial=serial)


class InvalidCustomsEntry(DomainError):
    """A customs declaration number or a country code of an import or export breaks its format."""

    code = ErrorCode.INVALID_CUSTOMS_ENTRY

    def __init__(self, reason: str, *, field: str) -> None:
        super().__init__(reason, field=(field,), reason=reason)


class PatientIdentified(DomainError):
    """A patient is named by an IIN where the hospital's own record number belongs: no IIN enters a pack's history."""

    code = ErrorCode.PATIENT_IDENTIFIED

    def __init__(self) -> None:
        super().__init__("give the hospital's patient record number, not an IIN", field=("patient_record",))
