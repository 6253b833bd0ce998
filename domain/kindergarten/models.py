from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kindergarten.order import Priority
from domain.shared.db import Base
from domain.shared.regions import Region


def _enum(enum: type[StrEnum], name: str, *, create_type: bool = True) -> Enum:
    return Enum(enum, name=name, values_callable=lambda members: [m.value for m in members], create_type=create_type)


class Language(StrEnum):
    """The language of a kindergarten group."""

    KK = "KK"
    RU = "RU"


class ApplicationStatus(StrEnum):
    QUEUED = "QUEUED"  # waiting in the order of each chosen kindergarten
    OFFERED = "OFFERED"  # holds an offer to answer
    CONFIRMED = "CONFIRMED"  # accepted an offer; the contract is to be signed
    ENROLLED = "ENROLLED"  # signed: the end of a successful path
    INACTIVE = "INACTIVE"  # let an offer lapse; may be reactivated once
    REFUSED = "REFUSED"  # refused an offer with no higher choice left
    WITHDRAWN = "WITHDRAWN"  # by the parent
    CLOSED = "CLOSED"  # a window ran out, a contract expired, or the child aged out


# Kindergarten rules, "Application": one active application per child nationwide, including an inactive one,
# which can still be reactivated.
ACTIVE_STATUSES = (
    ApplicationStatus.QUEUED,
    ApplicationStatus.OFFERED,
    ApplicationStatus.CONFIRMED,
    ApplicationStatus.INACTIVE,
)


class OfferStatus(StrEnum):
    OFFERED = "OFFERED"  # waiting for the parent's answer
    CONFIRMED = "CONFIRMED"  # the parent accepted; waiting for the contract
    ENROLLED = "ENROLLED"  # the contract is signed
    LAPSED = "LAPSED"  # not confirmed in time
    REFUSED = "REFUSED"  # the parent said no
    EXPIRED = "EXPIRED"  # the contract was not signed in time
    CANCELLED = "CANCELLED"  # the claimed benefit was not confirmed
    WITHDRAWN = "WITHDRAWN"  # the parent withdrew the application


class PlaceStatus(StrEnum):
    OPEN = "OPEN"  # published, waiting for an eligible child
    HELD = "HELD"  # offered to a child
    TAKEN = "TAKEN"  # a contract is signed


class ClosedReason(StrEnum):
    REACTIVATION_WINDOW_PASSED = "REACTIVATION_WINDOW_PASSED"
    SECOND_LAPSE = "SECOND_LAPSE"
    CONTRACT_EXPIRED = "CONTRACT_EXPIRED"
    AGED_OUT = "AGED_OUT"


class BenefitCategory(StrEnum):
    """The categories of the order (kindergarten rules, "Order"), each with its priority."""

    SERVICEMAN_CHILD = "SERVICEMAN_CHILD"
    SPECIAL_STATE_BODY_CHILD = "SPECIAL_STATE_BODY_CHILD"
    ORPHAN = "ORPHAN"
    WITHOUT_PARENTAL_CARE = "WITHOUT_PARENTAL_CARE"
    DISABLED_PARENT = "DISABLED_PARENT"
    LARGE_FAMILY = "LARGE_FAMILY"
    SPECIAL_EDUCATIONAL_NEEDS = "SPECIAL_EDUCATIONAL_NEEDS"
    DISABLED_CHILD_FAMILY = "DISABLED_CHILD_FAMILY"
    TEACHER_CHILD = "TEACHER_CHILD"

    @property
    def priority(self) -> Priority:
        if self in (BenefitCategory.SERVICEMAN_CHILD, BenefitCategory.SPECIAL_STATE_BODY_CHILD):
            return Priority.EXTRAORDINARY
        return Priority.FIRST


_REGION = _enum(Region, "region", create_type=False)
_LANGUAGE = _enum(Language, "kindergarten_language")
_PRIORITY = _enum(Priority, "kindergarten_priority")


class Kindergarten(Base):
    """A kindergarten of the registry: the organisation whose staff act for it, where it is, its groups."""

    __tablename__ = "kindergartens"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    bin: Mapped[str] = mapped_column(ForeignKey("organisations.bin"), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500))
    region: Mapped[Region] = mapped_column(_REGION, index=True)
    languages: Mapped[list[Language]] = mapped_column(ARRAY(_LANGUAGE))


class KindergartenCapacity(Base):
    """How many children of one birth cohort a kindergarten takes in all."""

    __tablename__ = "kindergarten_capacities"

    kindergarten_id: Mapped[int] = mapped_column(ForeignKey("kindergartens.id"), primary_key=True)
    cohort: Mapped[int] = mapped_column(Integer, primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)


class ParentChild(Base):
    """The registry's link of a parent (or legal representative) to a child: who may apply for whom."""

    __tablename__ = "parent_children"

    parent_iin: Mapped[str] = mapped_column(String(12), primary_key=True)
    child_iin: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)


class Application(Base):
    """A child's place in the national queue. `id` is the internal monotonic key that breaks ties of queue date."""

    __tablename__ = "kindergarten_applications"
    __table_args__ = (
        Index(
            "uq_kindergarten_applications_active",
            "child_iin",
            unique=True,
            postgresql_where=f"status IN ({', '.join(repr(s.value) for s in ACTIVE_STATUSES)})",
        ),
        # The sweep's scans: inactive applications by the end of their window, waiting ones by birth date (ageing
        # out). Partial, so that a sweep with nothing due reads nothing, however many closed applications the years
        # leave in the table.
        Index("ix_kindergarten_applications_reactivate_by", "reactivate_by", postgresql_where="status = 'INACTIVE'"),
        Index("ix_kindergarten_applications_birth_date", "birth_date",
              postgresql_where="status IN ('QUEUED', 'INACTIVE')"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    child_iin: Mapped[str] = mapped_column(String(12), index=True)
    parent_iin: Mapped[str] = mapped_column(String(12), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    cohort: Mapped[int] = mapped_column(Integer)
    region: Mapped[Region] = mapped_column(_REGION)
    language: Mapped[Language] = mapped_column(_LANGUAGE)
    desired_start: Mapped[date] = mapped_column(Date)
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus, "kindergarten_application_status"))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    benefit: Mapped[BenefitCategory | None] = mapped_column(_enum(BenefitCategory, "kindergarten_benefit"))
    benefit_document: Mapped[str | None] = mapped_column(String(100))
    benefit_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    reactivation_used: Mapped[bool] = mapped_column(Boolean, default=False)
    reactivate_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[ClosedReason | None] = mapped_column(_enum(ClosedReason, "kindergarten_closed_reason"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Choice(Base):
    """One ranked kindergarten of an application, carrying the order's keys so that a kindergarten's order is one
    index range: `waiting` is true while the application is queued."""

    __tablename__ = "kindergarten_choices"
    __table_args__ = (
        UniqueConstraint("application_id", "kindergarten_id"),
        Index(
            "ix_kindergarten_choices_order",
            "kindergarten_id",
            "cohort",
            "language",
            "priority",
            "queued_at",
            "application_id",
            postgresql_where="waiting",
        ),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("kindergarten_applications.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 1 is the first choice
    kindergarten_id: Mapped[int] = mapped_column(ForeignKey("kindergartens.id"))
    cohort: Mapped[int] = mapped_column(Integer)
    language: Mapped[Language] = mapped_column(_enum(Language, "kindergarten_language", create_type=False))
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "kindergarten_priority", create_type=False))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    waiting: Mapped[bool] = mapped_column(Boolean)


class QueueTurn(Base):
    """The running 1 : 3 counter of one order (kindergarten, cohort, language): 0 is first priority's turn.
    Its row is also the lock that makes offers in one order one at a time."""

    __tablename__ = "kindergarten_queue_turns"

    kindergarten_id: Mapped[int] = mapped_column(ForeignKey("kindergartens.id"), primary_key=True)
    cohort: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[Language] = mapped_column(
        _enum(Language, "kindergarten_language", create_type=False), primary_key=True
    )
    turn: Mapped[int] = mapped_column(SmallInteger)


class Place(Base):
    """A free place that staff published for one cohort and language group."""

    __tablename__ = "kindergarten_places"
    __table_args__ = (
        Index(
            "ix_kindergarten_places_open", "kindergarten_id", "cohort", "language", postgresql_where="status = 'OPEN'"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    kindergarten_id: Mapped[int] = mapped_column(ForeignKey("kindergartens.id"))
    cohort: Mapped[int] = mapped_column(Integer)
    language: Mapped[Language] = mapped_column(_enum(Language, "kindergarten_language", create_type=False))
    status: Mapped[PlaceStatus] = mapped_column(_enum(PlaceStatus, "kindergarten_place_status"))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(100))


class Offer(Base):
    """A place offered to one application. While an offer is open, neither its place nor its application can hold
    another open offer: two partial unique indexes say so, whatever the code above them does."""

    __tablename__ = "kindergarten_offers"
    __table_args__ = (
        Index("uq_kindergarten_offers_open_place", "place_id", unique=True,
              postgresql_where="status IN ('OFFERED', 'CONFIRMED')"),
        Index("uq_kindergarten_offers_open_application", "application_id", unique=True,
              postgresql_where="status IN ('OFFERED', 'CONFIRMED')"),
        Index("ix_kindergarten_offers_open_kindergarten", "kindergarten_id", "id",
              postgresql_where="status IN ('OFFERED', 'CONFIRMED')"),
        Index(None, "kindergarten_id", "offered_at"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("kindergarten_places.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("kindergarten_applications.id"), index=True)
    kindergarten_id: Mapped[int] = mapped_column(ForeignKey("kindergartens.id"))
    rank: Mapped[int] = mapped_column(SmallInteger)  # which of the application's choices it came from
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "kindergarten_priority", create_type=False))
    status: Mapped[OfferStatus] = mapped_column(_enum(OfferStatus, "kindergarten_offer_status"))
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirm_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sign_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    benefit_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # set while a benefit is unconfirmed
    warned_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the deadline last warned of
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApplicationEvent(Base):
    """Every change of an application, with who, when and why: the audit, and the parent's stored notifications.

    Events of one parent are written one transaction at a time (an advisory lock on the parent), so their ids
    grow in commit order and a subscriber that has read up to an id has missed nothing below it."""

    __tablename__ = "kindergarten_application_events"
    __table_args__ = (Index(None, "parent_iin", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("kindergarten_applications.id"), index=True)
    parent_iin: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus, "kindergarten_application_status", create_type=False)
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(300))
    kindergarten_id: Mapped[int | None] = mapped_column(ForeignKey("kindergartens.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class QueueLogEntry(Base):
    """What happened in one order: an application joined or left it, or took an offer (with the counter after).
    A child's position changes are read from here, not stored per child."""

    __tablename__ = "kindergarten_queue_log"
    __table_args__ = (Index(None, "kindergarten_id", "cohort", "language", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    kindergarten_id: Mapped[int] = mapped_column(ForeignKey("kindergartens.id"))
    cohort: Mapped[int] = mapped_column(Integer)
    language: Mapped[Language] = mapped_column(_enum(Language, "kindergarten_language", create_type=False))
    kind: Mapped[str] = mapped_column(String(20))  # JOINED, LEFT, OFFERED
    reason: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[int] = mapped_column(BigInteger)
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "kindergarten_priority", create_type=False))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    turn: Mapped[int | None] = mapped_column(SmallInteger)  # the counter after an offer
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegionPolicy(Base):
    """A region's own numbers for the rules; a region without a row follows the defaults."""

    __tablename__ = "kindergarten_policies"

    region: Mapped[Region] = mapped_column(_REGION, primary_key=True)
    confirm_business_days: Mapped[int] = mapped_column(SmallInteger)
    contract_business_days: Mapped[int] = mapped_column(SmallInteger)
    extension_days: Mapped[int] = mapped_column(SmallInteger)
    reactivation_days: Mapped[int] = mapped_column(SmallInteger)
    benefit_business_days: Mapped[int] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(100))
