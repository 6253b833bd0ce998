from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Enum, ForeignKey, Identity, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.insurance.rates import PayerKind
from domain.shared.db import Base


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, values_callable=lambda members: [m.value for m in members])


class MinimumWageRow(Base):
    """The minimum wage (МЗП) from a day on, as the law set it; rows are only ever added."""

    __tablename__ = "minimum_wages"

    effective_from: Mapped[date] = mapped_column(Date, primary_key=True)
    amount_tiyn: Mapped[int] = mapped_column(BigInteger)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[str] = mapped_column(String(100))


class Person(Base):
    """The population registry as far as payments need it: an IIN and the full name that goes with it."""

    __tablename__ = "people"

    iin: Mapped[str] = mapped_column(String(12), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(300))


class StateCategoryPeriod(Base):
    """A period in which the state pays a person's contributions (pensioner, disability, a mother on leave …)."""

    __tablename__ = "state_category_periods"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), index=True)
    category: Mapped[str] = mapped_column(String(50))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class PaymentStatus(StrEnum):
    ACCEPTED = "ACCEPTED"  # the bank took the money
    CREDITED = "CREDITED"  # the fund booked the months
    RETURNED = "RETURNED"  # IIN or name did not match: the months are free again
    REFUNDED = "REFUNDED"  # an overpayment given back


class ContributionPayment(Base):
    """One payment a bank made for a payer, for some months, under the bank's idempotency key."""

    __tablename__ = "contribution_payments"
    __table_args__ = (
        UniqueConstraint("bank_bin", "idempotency_key"),
        Index(None, "bank_bin", "business_day"),
        Index(None, "payer_iin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    bank_bin: Mapped[str] = mapped_column(String(12))
    client_id: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the request, to tell a retry from a reuse
    payer_iin: Mapped[str] = mapped_column(String(12))
    payer_name: Mapped[str] = mapped_column(String(300))
    payer_kind: Mapped[PayerKind] = mapped_column(_enum(PayerKind, "payer_kind"))
    amount_tiyn: Mapped[int] = mapped_column(BigInteger)
    knp: Mapped[str] = mapped_column(String(3))  # payment purpose code: 122 for contributions
    purpose: Mapped[str] = mapped_column(String(500))
    bank_reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus, "contribution_payment_status"))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    business_day: Mapped[date] = mapped_column(Date)  # the Almaty day it was accepted: what reconciliation groups by
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContributionMonth(Base):
    """One month a payment covers. While its payment stands (accepted or credited) no other payment may cover the
    same person's month: a partial unique index says so, so that two concurrent payments cannot both win."""

    __tablename__ = "contribution_months"
    __table_args__ = (
        Index(
            "uq_contribution_months_standing",
            "payer_iin",
            "month",
            unique=True,
            postgresql_where="standing",
        ),
    )

    payment_id: Mapped[int] = mapped_column(ForeignKey("contribution_payments.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the month's first day
    payer_iin: Mapped[str] = mapped_column(String(12))
    amount_tiyn: Mapped[int] = mapped_column(BigInteger)
    minimum_wage_tiyn: Mapped[int] = mapped_column(BigInteger)
    standing: Mapped[bool] = mapped_column(Boolean)  # false once its payment is returned or refunded


class PaymentTransition(Base):
    """Every change of a payment's status, with who made it and why: terminal states never change again."""

    __tablename__ = "contribution_payment_transitions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("contribution_payments.id"), index=True)
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus, "contribution_payment_status"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(1000))
