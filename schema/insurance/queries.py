from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from domain.insurance import coverage, payments, reconciliation
from domain.insurance.rates import PayerKind
from domain.shared.bin import Bin
from domain.shared.calendar import end_of_local_day
from domain.shared.iin import Iin
from domain.shared.money import Money
from domain.shared.months import YearMonth
from schema.context import Context
from schema.insurance.types import (
    BankReconciliation,
    ContributionLine,
    ContributionPayment,
    ContributionQuote,
    InsuranceStatus,
    payment_details,
)
from schema.relay import PageRequest, connection_page, decode_global_id, encode_cursor


@strawberry.type
class InsuranceQuery:
    @strawberry.field(description="A bank asks what a payer's months cost today (scope contributions:read).")
    async def contribution_quote(
        self, info: strawberry.Info[Context, None], payer_iin: Iin, payer_kind: PayerKind, months: list[YearMonth]
    ) -> ContributionQuote:
        ctx = info.context
        now = ctx.clock.now()
        quote = await payments.quote_contributions(
            ctx.principal, ctx.session, payer_iin=str(payer_iin), kind=payer_kind, months=months, now=now
        )
        lines = [
            ContributionLine(month=line.month, amount=line.amount, minimum_wage=line.minimum_wage)
            for line in (quote.price.lines if quote.price else ())
        ]
        total = quote.price.total if quote.price else Money.zero()
        return ContributionQuote(
            lines=lines,
            total=total,
            covered=list(quote.covered),
            valid_until=end_of_local_day(now),
            payment_details=payment_details(quote.purpose),
            note="No penalty for late months is included in this version.",
        )

    @strawberry.field(description="A payment, for the bank that made it, the payer, or the fund's operator.")
    async def contribution_payment(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> ContributionPayment | None:
        [found] = await ContributionPayment.resolve_nodes(info=info, node_ids=[_key(id)])
        return found

    @strawberry.field(description="The calling bank's own payments, newest first.")
    async def contribution_payments(
        self, info: strawberry.Info[Context, None], first: int | None = None, after: str | None = None
    ) -> relay.Connection[ContributionPayment]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        found, more = await payments.payments_page(
            info.context.principal,
            info.context.session,
            before_id=int(page.after) if page.after and (page.after.isascii() and page.after.isdigit()) else None,
            size=page.size,
        )
        edges = [
            relay.Edge(cursor=encode_cursor(str(p.row.id)), node=ContributionPayment.from_domain(p)) for p in found
        ]
        return connection_page(edges, has_next_page=more, after=after)

    @strawberry.field(description="The signed-in citizen's insurance: this month, the next 12, and why.")
    async def my_insurance_status(self, info: strawberry.Info[Context, None]) -> InsuranceStatus:
        ctx = info.context
        status = await coverage.insurance_status(ctx.principal, ctx.session, now=ctx.clock.now())
        return InsuranceStatus.from_domain(status)

    @strawberry.field(description="The payments made for the signed-in citizen, newest first.")
    async def my_contribution_payments(self, info: strawberry.Info[Context, None]) -> list[ContributionPayment]:
        found = await payments.payments_of_citizen(info.context.principal, info.context.session)
        return [ContributionPayment.from_domain(p) for p in found]

    @strawberry.field(description="A bank's business day (its own; any bank's for the fund's operator).")
    async def bank_reconciliation(
        self, info: strawberry.Info[Context, None], day: date, bank_bin: Bin | None = None
    ) -> BankReconciliation:
        ctx = info.context
        found = await reconciliation.bank_reconciliation(
            ctx.principal, ctx.session, day=day, bank_bin=str(bank_bin) if bank_bin else None
        )
        return BankReconciliation.from_domain(found)


def _key(id: strawberry.ID) -> str:
    _, key = decode_global_id(str(id), expected_type="ContributionPayment")
    return key
