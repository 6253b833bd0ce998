from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.shared.db import Base


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, values_callable=lambda members: [m.value for m in members])


class ProductStatus(StrEnum):
    REGISTERED = "REGISTERED"
    SUSPENDED = "SUSPENDED"  # registration suspended: no new codes, packs in circulation stay valid
    WITHDRAWN = "WITHDRAWN"  # cascades to every pack and is never undone


class Product(Base):
    """A medicinal product as registered by the regulator, identified by its GTIN."""

    __tablename__ = "products"

    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    trade_name: Mapped[str] = mapped_column(String(300))
    inn: Mapped[str] = mapped_column(String(300))  # international non-proprietary name: the active substance
    dosage_form: Mapped[str] = mapped_column(String(200))
    strength: Mapped[str] = mapped_column(String(100))
    units_per_pack: Mapped[int] = mapped_column(Integer)
    holder_name: Mapped[str] = mapped_column(String(300))  # the marketing-authorisation holder, often abroad
    registration_number: Mapped[str] = mapped_column(String(50), unique=True)
    manufacturer_bin: Mapped[str | None] = mapped_column(ForeignKey("organisations.bin"))
    importer_bin: Mapped[str | None] = mapped_column(ForeignKey("organisations.bin"))
    status: Mapped[ProductStatus] = mapped_column(_enum(ProductStatus, "product_status"))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def may_be_coded_by(self, organisation_bin: str) -> bool:
        """Only the product's own manufacturer or importer orders and commissions its codes."""
        return organisation_bin in (self.manufacturer_bin, self.importer_bin)


class MaxRetailPrice(Base):
    """The state's maximum retail price of a product from a date on; rows are only ever added, never changed."""

    __tablename__ = "max_retail_prices"
    __table_args__ = (UniqueConstraint("gtin", "effective_from"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    gtin: Mapped[str] = mapped_column(ForeignKey("products.gtin"))
    price_tiyn: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[date] = mapped_column(Date)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[str] = mapped_column(String(100))


class BatchStatus(StrEnum):
    RELEASED = "RELEASED"
    RECALLED = "RECALLED"  # cascades to every pack of the batch and is never undone


class Batch(Base):
    """A production batch (AI 10) of a product with its expiry (AI 17) and production date."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("gtin", "number"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    gtin: Mapped[str] = mapped_column(ForeignKey("products.gtin"))
    number: Mapped[str] = mapped_column(String(20))
    expiry: Mapped[date] = mapped_column(Date)
    produced_on: Mapped[date] = mapped_column(Date)
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus, "batch_status"))
    recalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CodeOrder(Base):
    """One order of pack codes by a manufacturer or importer: the serials it issued share its key id."""

    __tablename__ = "code_orders"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    gtin: Mapped[str] = mapped_column(ForeignKey("products.gtin"))
    organisation_bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"))
    quantity: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(4))
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ordered_by: Mapped[str] = mapped_column(String(100))


class PackState(StrEnum):
    ISSUED = "ISSUED"  # the code exists; no pack carries it yet
    ACTIVE = "ACTIVE"  # commissioned: a real pack with a batch and an owner
    IN_TRANSIT = "IN_TRANSIT"
    DISPENSED = "DISPENSED"
    PARTIALLY_DISPENSED = "PARTIALLY_DISPENSED"
    WRITTEN_OFF = "WRITTEN_OFF"
    EXPORTED = "EXPORTED"


class WriteOffReason(StrEnum):
    DAMAGED = "DAMAGED"
    DESTROYED = "DESTROYED"
    LOST = "LOST"
    STOLEN = "STOLEN"
    SAMPLE = "SAMPLE"  # taken as a quality sample
    EXPIRED = "EXPIRED"


class ShipmentStatus(StrEnum):
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"  # all of it, or part: what was not received stays in transit, under a discrepancy alert
    CANCELLED = "CANCELLED"  # by the sender before receipt: the packs are back in its stock


class Shipment(Base):
    """Packs on their way from one organisation to another; ownership moves only for what the receiver accepts."""

    __tablename__ = "shipments"
    __table_args__ = (Index(None, "receiver_bin", "status"), Index(None, "sender_bin", "status"))

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    sender_bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"))
    receiver_bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"))
    status: Mapped[ShipmentStatus] = mapped_column(_enum(ShipmentStatus, "shipment_status"))
    document: Mapped[str | None] = mapped_column(String(100))  # the sender's own waybill number
    packs: Mapped[int] = mapped_column(Integer)
    received: Mapped[int | None] = mapped_column(Integer)
    shipped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shipped_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(100))


class Container(Base):
    """A box or pallet (SSCC, AI 00) holding packs or other boxes; it moves as its contents."""

    __tablename__ = "containers"

    sscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    owner_bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"), index=True)
    parent_sscc: Mapped[str | None] = mapped_column(ForeignKey("containers.sscc"), index=True)
    packed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    emptied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # unpacked: the SSCC is spent


class Pack(Base):
    """One serialised pack (GTIN + serial): from an issued code to dispensing or write-off."""

    __tablename__ = "packs"
    __table_args__ = (UniqueConstraint("gtin", "serial"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    gtin: Mapped[str] = mapped_column(ForeignKey("products.gtin"))
    serial: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(4))
    order_id: Mapped[int] = mapped_column(ForeignKey("code_orders.id"), index=True)
    state: Mapped[PackState] = mapped_column(_enum(PackState, "pack_state"))
    owner_bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    state_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    units_remaining: Mapped[int | None] = mapped_column(SmallInteger)  # set once a hospital opens the pack
    write_off_reason: Mapped[WriteOffReason | None] = mapped_column(_enum(WriteOffReason, "write_off_reason"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)  # the last one
    container_sscc: Mapped[str | None] = mapped_column(ForeignKey("containers.sscc"), index=True)


# Maintained by PostgreSQL itself (migration 0004: statement triggers on packs), so that no operation, however
# written, can leave a balance that differs from the packs: a pack counts while it is ACTIVE or PARTIALLY_DISPENSED.
class StockBalance(Base):
    """What an organisation holds of one batch of one product: packs in stock and the units left in them."""

    __tablename__ = "stock_balances"

    owner_bin: Mapped[str] = mapped_column(String(12), primary_key=True)
    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    batch_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    packs: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(BigInteger)


class ShortageThreshold(Base):
    """The regulator's floor for one active substance in one region, in units; under it a shortage alert opens."""

    __tablename__ = "shortage_thresholds"

    region: Mapped[str] = mapped_column(String(5), primary_key=True)
    inn: Mapped[str] = mapped_column(String(300), primary_key=True)
    minimum_units: Mapped[int] = mapped_column(BigInteger)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[str] = mapped_column(String(100))


class BusinessStep(StrEnum):
    """GS1 CBV 2.0 business steps that our pack operations record."""

    COMMISSIONING = "commissioning"
    PACKING = "packing"
    UNPACKING = "unpacking"
    SHIPPING = "shipping"
    RECEIVING = "receiving"
    VOID_SHIPPING = "void_shipping"
    RETAIL_SELLING = "retail_selling"
    DISPENSING = "dispensing"
    DECOMMISSIONING = "decommissioning"
    DESTROYING = "destroying"


pack_event_packs = Table(
    "pack_event_packs",
    Base.metadata,
    Column("pack_id", ForeignKey("packs.id"), primary_key=True),
    Column("event_id", ForeignKey("pack_events.id"), primary_key=True),
)


class PackEvent(Base):
    """An immutable operation on packs, shaped as a GS1 EPCIS 2.0 event; a correction is a new event."""

    __tablename__ = "pack_events"
    __table_args__ = (Index(None, "organisation_bin", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    biz_step: Mapped[BusinessStep] = mapped_column(_enum(BusinessStep, "business_step"))
    disposition: Mapped[str] = mapped_column(String(50))  # CBV disposition: active, in_transit, dispensed …
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    organisation_bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"))
    actor: Mapped[str] = mapped_column(String(100))  # the user or client id that did it
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("pack_events.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # batch, expiry, reason, shipment …


class PackVerification(Base):
    """One scan by anyone: what was asked and answered, the coarse region if sent, and nothing about who asked."""

    __tablename__ = "pack_verifications"
    __table_args__ = (Index(None, "pack_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    gtin: Mapped[str | None] = mapped_column(String(14))
    serial: Mapped[str | None] = mapped_column(String(20))
    pack_id: Mapped[int | None] = mapped_column(BigInteger)  # no foreign key: the log is written in bulk, apart
    verdict: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(5))


class AlertKind(StrEnum):
    UNKNOWN_SERIAL = "UNKNOWN_SERIAL"  # a code of a registered product that we never issued (EMVS A3)
    INVALID_VERIFICATION_CODE = "INVALID_VERIFICATION_CODE"  # a registered product's code whose AI 92 is forged
    DATA_MISMATCH = "DATA_MISMATCH"  # batch or expiry in the code differ from the registry (EMVS A68)
    VERIFIED_AFTER_DISPENSING = "VERIFIED_AFTER_DISPENSING"  # a clone, or a pack sold twice
    VERIFIED_AFTER_WRITE_OFF = "VERIFIED_AFTER_WRITE_OFF"  # a clone, or a false write-off
    SEEN_IN_SEVERAL_REGIONS = "SEEN_IN_SEVERAL_REGIONS"  # one code scanned far apart within hours: a clone
    PRICE_ABOVE_MAXIMUM = "PRICE_ABOVE_MAXIMUM"
    REPORTED_COUNTERFEIT = "REPORTED_COUNTERFEIT"
    OPERATED_AFTER_WRITE_OFF = "OPERATED_AFTER_WRITE_OFF"  # a written-off pack turned up in an operation
    SHIPMENT_DISCREPANCY = "SHIPMENT_DISCREPANCY"  # received with missing, extra or foreign packs
    SHORTAGE = "SHORTAGE"  # a region's stock of a substance fell under the regulator's threshold


class AlertStatus(StrEnum):
    NEW = "NEW"
    INVESTIGATING = "INVESTIGATING"
    CLOSED = "CLOSED"


class MedicineAlert(Base):
    """A signal for the regulator about one code; one open alert per kind and code, however often it recurs."""

    __tablename__ = "medicine_alerts"
    __table_args__ = (
        Index(
            "uq_medicine_alerts_open",
            "kind",
            "gtin",
            "serial",
            unique=True,
            postgresql_where="status <> 'CLOSED'",
        ),
        Index(
            "uq_medicine_alerts_open_shortage",
            "region",
            "inn",
            unique=True,
            postgresql_where="inn IS NOT NULL AND status <> 'CLOSED'",
        ),
        Index(None, "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind, "alert_kind"))
    status: Mapped[AlertStatus] = mapped_column(_enum(AlertStatus, "alert_status"))
    gtin: Mapped[str | None] = mapped_column(String(14))  # None for alerts about no one pack (shortage, shipment)
    serial: Mapped[str | None] = mapped_column(String(20))
    pack_id: Mapped[int | None] = mapped_column(BigInteger)
    region: Mapped[str | None] = mapped_column(String(5))
    inn: Mapped[str | None] = mapped_column(String(300))  # the substance of a shortage
    shipment_id: Mapped[int | None] = mapped_column(BigInteger)
    organisation_bin: Mapped[str | None] = mapped_column(String(12))  # who did what raised it, where one did
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    closing_reason: Mapped[str | None] = mapped_column(String(1000))


class ReportKind(StrEnum):
    COUNTERFEIT = "COUNTERFEIT"
    OVERCHARGE = "OVERCHARGE"


class SuspiciousPackReport(Base):
    """A citizen's report of a suspected counterfeit or overcharge, kept for the regulator; no reporter identity."""

    __tablename__ = "suspicious_pack_reports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind, "report_kind"))
    code: Mapped[str] = mapped_column(String(512))  # as the citizen sent it, readable or not
    gtin: Mapped[str | None] = mapped_column(String(14))
    serial: Mapped[str | None] = mapped_column(String(20))
    verdict: Mapped[str] = mapped_column(String(20))  # what verification said of the code when it was reported
    price_paid_tiyn: Mapped[int | None] = mapped_column(BigInteger)
    max_retail_price_tiyn: Mapped[int | None] = mapped_column(BigInteger)
    pharmacy_bin: Mapped[str | None] = mapped_column(String(12))
    pharmacy_name: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(5))
    comment: Mapped[str | None] = mapped_column(String(2000))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
