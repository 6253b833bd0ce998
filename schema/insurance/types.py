from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import strawberry
from strawberry import relay

from domain.insurance import coverage, payments, reconciliation
from domain.insurance.models import PaymentStatus
from domain.insurance.rates import PayerKind
from domain.insurance.status import CoverReason, MonthCover
from domain.shared.errors import InvalidPage
from domain.shared.iin import Iin
from domain.shared.money import Money
from domain.shared.months import YearMonth
from schema.context import Context

strawberry.enum(PayerKind, name="PayerKind")
strawberry.enum(PaymentStatus, name="ContributionPaymentStatus")
strawberry.enum(CoverReason, name="InsuranceCoverReason")


@strawberry.type(description="Where the money of contributions goes, and its payment purpose code.")
class PaymentDetails:
    iban: str
    bin: str
    bic: str
    knp: str = strawberry.field(description="Payment purpose code (КНП): 122 for contributions.")
    purpose: str


def payment_details(purpose: str) -> PaymentDetails:
    return PaymentDetails(**payments.RECIPIENT, knp=payments.KNP, purpose=purpose)


@strawberry.type(description="One month and its contribution.")
class ContributionLine:
    month: YearMonth
    amount: Money
    minimum_wage: Money = strawberry.field(description="The minimum wage the amount is taken from.")


@strawberry.type(description="What a payer's months cost today, and which are covered already.")
class ContributionQuote:
    lines: list[ContributionLine]
    total: Money
    covered: list[YearMonth] = strawberry.field(description="Months already paid or being paid: not priced.")
    valid_until: datetime = strawberry.field(description="The quote holds until the end of this day in Almaty.")
    payment_details: PaymentDetails
    note: str = strawberry.field(description="What the amount does not include.")


@strawberry.type(description="A contribution payment a bank made for a payer.")
class ContributionPayment(relay.Node):
    key: relay.NodeID[int]
    status: PaymentStatus
    payer_iin: Iin
    payer_name: str
    payer_kind: PayerKind
    months: list[YearMonth]
    amount: Money
    bank_reference: str
    accepted_at: datetime
    business_day: date
    receipt: PaymentDetails

    @classmethod
    def from_domain(cls, payment: payments.Payment) -> ContributionPayment:
        row = payment.row
        return cls(
            key=row.id,
            status=row.status,
            payer_iin=Iin(row.payer_iin),
            payer_name=row.payer_name,
            payer_kind=row.payer_kind,
            months=list(payment.months),
            amount=Money(row.amount_tiyn),
            bank_reference=row.bank_reference,
            accepted_at=row.accepted_at,
            business_day=row.business_day,
            receipt=payment_details(row.purpose),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[ContributionPayment | None]:
        keys = list(node_ids)
        for key in keys:
            if not (key.isascii() and key.isdigit()):
                raise InvalidPage(key, "not a key of this list")
        async with info.context.sessions() as session:
            found = await payments.payments_by_id(info.context.principal, session, [int(key) for key in keys])
        return [cls.from_domain(payment) if payment is not None else None for payment in found]


@strawberry.type(description="Whether a person is insured for a month, why, and until when the cover lasts.")
class MonthInsurance:
    month: YearMonth
    insured: bool
    reason: CoverReason | None
    state_category: str | None
    pending: bool = strawberry.field(description="Covered by a payment accepted and not yet credited by the fund.")
    covered_until: date | None = strawberry.field(description="Last day of the continuous cover; null: no end.")

    @classmethod
    def from_domain(cls, cover: MonthCover) -> MonthInsurance:
        return cls(
            month=cover.month,
            insured=cover.insured,
            reason=cover.reason,
            state_category=cover.state_category,
            pending=cover.pending,
            covered_until=cover.covered_until,
        )


@strawberry.type(description="A person's insurance: this month, the months after it, and the months paid lately.")
class InsuranceStatus:
    insured: bool = strawberry.field(description="Insured in the current month.")
    current: MonthInsurance
    months: list[MonthInsurance] = strawberry.field(description="The current month and the 12 after it.")
    paid_months_of_last_12: list[YearMonth]

    @classmethod
    def from_domain(cls, status: coverage.InsuranceStatus) -> InsuranceStatus:
        months = [MonthInsurance.from_domain(cover) for cover in status.months]
        return cls(
            insured=status.current.insured,
            current=months[0],
            months=months,
            paid_months_of_last_12=list(status.paid_last_12),
        )


@strawberry.type
class ReconciliationTotal:
    count: int
    amount: Money


@strawberry.type
class KnpTotal:
    knp: str
    count: int
    amount: Money


@strawberry.type
class MonthTotal:
    month: YearMonth
    count: int
    amount: Money


@strawberry.type(description="A bank's business day: its payments' totals by KNP and by month, and the payments.")
class BankReconciliation:
    bank_bin: str
    day: date
    total: ReconciliationTotal
    by_knp: list[KnpTotal]
    by_month: list[MonthTotal]
    payments: list[ContributionPayment]

    @classmethod
    def from_domain(cls, day: reconciliation.Reconciliation) -> BankReconciliation:
        return cls(
            bank_bin=day.bank_bin,
            day=day.day,
            total=ReconciliationTotal(count=day.total.count, amount=day.total.amount),
            by_knp=[KnpTotal(knp=k, count=t.count, amount=t.amount) for k, t in sorted(day.by_knp.items())],
            by_month=[MonthTotal(month=m, count=t.count, amount=t.amount) for m, t in sorted(day.by_month.items())],
            payments=[ContributionPayment.from_domain(payment) for payment in day.payments],
        )
