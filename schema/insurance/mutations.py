from __future__ import annotations

from datetime import date

import strawberry

from domain.insurance import fund, payments
from domain.insurance.models import PaymentStatus
from domain.insurance.rates import PayerKind
from domain.shared.errors import DomainError
from domain.shared.iin import Iin
from domain.shared.money import Money
from domain.shared.months import YearMonth
from schema.context import Context
from schema.errors import UserError
from schema.insurance.types import ContributionPayment
from schema.relay import decode_global_id


@strawberry.input
class PayContributionsInput:
    idempotency_key: str = strawberry.field(description="The bank's own key: the same request sent again pays once.")
    payer_iin: Iin
    payer_name: str = strawberry.field(description="The payer's full name as the registry holds it.")
    payer_kind: PayerKind
    months: list[YearMonth]
    amount: Money = strawberry.field(description="Exactly the quoted total.")
    bank_reference: str


@strawberry.type
class PayContributionsPayload:
    payment: ContributionPayment | None
    replayed: bool = strawberry.field(description="The same request seen again: the payment made the first time.")
    errors: list[UserError]


async def pay_contributions(
    info: strawberry.Info[Context, None], input: PayContributionsInput
) -> PayContributionsPayload:
    ctx = info.context
    try:
        payment = await payments.pay_contributions(
            ctx.principal,
            ctx.session,
            idempotency_key=input.idempotency_key,
            payer_iin=str(input.payer_iin),
            payer_name=input.payer_name,
            kind=input.payer_kind,
            months=input.months,
            amount=input.amount,
            bank_reference=input.bank_reference,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return PayContributionsPayload(payment=None, replayed=False, errors=[UserError.from_domain(error, ctx.locale)])
    return PayContributionsPayload(
        payment=ContributionPayment.from_domain(payment), replayed=payment.replayed, errors=[]
    )


@strawberry.input
class ChangeContributionPaymentInput:
    payment_id: strawberry.ID
    reason: str


@strawberry.type
class ContributionPaymentPayload:
    status: PaymentStatus | None
    errors: list[UserError]


async def _change(
    info: strawberry.Info[Context, None], input: ChangeContributionPaymentInput, status: PaymentStatus
) -> ContributionPaymentPayload:
    ctx = info.context
    try:
        _, key = decode_global_id(str(input.payment_id), expected_type="ContributionPayment")
        payment = await fund.change_payment_status(
            ctx.principal,
            ctx.session,
            payment_id=int(key) if (key.isascii() and key.isdigit()) else -1,
            status=status,
            reason=input.reason,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return ContributionPaymentPayload(status=None, errors=[UserError.from_domain(error, ctx.locale)])
    return ContributionPaymentPayload(status=payment.status, errors=[])


async def mark_contribution_payment_returned(
    info: strawberry.Info[Context, None], input: ChangeContributionPaymentInput
) -> ContributionPaymentPayload:
    return await _change(info, input, PaymentStatus.RETURNED)


async def refund_contribution_payment(
    info: strawberry.Info[Context, None], input: ChangeContributionPaymentInput
) -> ContributionPaymentPayload:
    return await _change(info, input, PaymentStatus.REFUNDED)


@strawberry.input
class CreditContributionPaymentsInput:
    payment_ids: list[strawberry.ID]


@strawberry.type
class CreditContributionPaymentsPayload:
    credited: int | None
    errors: list[UserError]


async def credit_contribution_payments(
    info: strawberry.Info[Context, None], input: CreditContributionPaymentsInput
) -> CreditContributionPaymentsPayload:
    ctx = info.context
    try:
        keys = [decode_global_id(str(i), expected_type="ContributionPayment")[1] for i in input.payment_ids]
        credited = await fund.credit_payments(
            ctx.principal,
            ctx.session,
            payment_ids=[int(k) for k in keys if (k.isascii() and k.isdigit())],
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return CreditContributionPaymentsPayload(credited=None, errors=[UserError.from_domain(error, ctx.locale)])
    return CreditContributionPaymentsPayload(credited=credited, errors=[])


@strawberry.input
class SetMinimumWageInput:
    effective_from: date
    amount: Money


@strawberry.type
class SetMinimumWagePayload:
    effective_from: date | None
    amount: Money | None
    errors: list[UserError]


async def set_minimum_wage(info: strawberry.Info[Context, None], input: SetMinimumWageInput) -> SetMinimumWagePayload:
    ctx = info.context
    try:
        row = await fund.set_minimum_wage(
            ctx.principal, ctx.session, effective_from=input.effective_from, amount=input.amount, now=ctx.clock.now()
        )
    except DomainError as error:
        return SetMinimumWagePayload(
            effective_from=None, amount=None, errors=[UserError.from_domain(error, ctx.locale)]
        )
    return SetMinimumWagePayload(effective_from=row.effective_from, amount=Money(row.amount_tiyn), errors=[])


@strawberry.type
class InsuranceMutation:
    pay_contributions: PayContributionsPayload = strawberry.mutation(
        resolver=pay_contributions,
        description="A bank pays a payer's months (scope contributions:pay); idempotent by the bank's key.",
    )
    mark_contribution_payment_returned: ContributionPaymentPayload = strawberry.mutation(
        resolver=mark_contribution_payment_returned,
        description="The fund's operator returns a payment within 3 working days: its months are free again.",
    )
    refund_contribution_payment: ContributionPaymentPayload = strawberry.mutation(
        resolver=refund_contribution_payment, description="The fund's operator refunds an overpayment."
    )
    credit_contribution_payments: CreditContributionPaymentsPayload = strawberry.mutation(
        resolver=credit_contribution_payments, description="The fund's operator books accepted payments."
    )
    set_minimum_wage: SetMinimumWagePayload = strawberry.mutation(
        resolver=set_minimum_wage,
        description="The fund's operator enters the minimum wage from a coming day; history is never rewritten.",
    )
