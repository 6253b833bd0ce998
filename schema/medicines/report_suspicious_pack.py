from __future__ import annotations

import strawberry

from domain.medicines import reports
from domain.medicines.models import ReportKind
from domain.medicines.verification import Verdict
from domain.shared.bin import Bin
from domain.shared.errors import DomainError
from domain.shared.money import Money
from domain.shared.regions import Region
from schema.context import Context
from schema.errors import UserError


@strawberry.input(description="A suspected counterfeit or overcharge; nothing about the person who reports is kept.")
class ReportSuspiciousPackInput:
    code: str = strawberry.field(description="The pack's code as scanned or typed.")
    kind: ReportKind
    price_paid: Money | None = strawberry.field(default=None, description="Needed for an overcharge.")
    pharmacy_bin: Bin | None = None
    pharmacy_name: str | None = None
    region: Region | None = None
    comment: str | None = None


@strawberry.type
class ReportSuspiciousPackPayload:
    accepted: bool
    verdict: Verdict | None = strawberry.field(description="What verification says of the reported code.")
    errors: list[UserError]


async def report_suspicious_pack(
    info: strawberry.Info[Context, None], input: ReportSuspiciousPackInput
) -> ReportSuspiciousPackPayload:
    ctx = info.context
    complaint = reports.Complaint(
        code=input.code,
        kind=input.kind,
        price_paid=input.price_paid,
        pharmacy_bin=str(input.pharmacy_bin) if input.pharmacy_bin else None,
        pharmacy_name=input.pharmacy_name,
        region=input.region.value if input.region else None,
        comment=input.comment,
    )
    try:
        report = await reports.report_suspicious_pack(
            ctx.session, complaint=complaint, keys=ctx.code_keys, now=ctx.clock.now()
        )
    except DomainError as error:
        return ReportSuspiciousPackPayload(
            accepted=False, verdict=None, errors=[UserError.from_domain(error, ctx.locale)]
        )
    return ReportSuspiciousPackPayload(accepted=True, verdict=Verdict(report.verdict), errors=[])
