from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry import relay
from strawberry.relay.utils import to_base64
from strawberry.scalars import JSON

from domain.medicines import alerts, models, reports
from domain.medicines.models import AlertKind, AlertStatus, ReportKind
from domain.shared.access import AuthorityKind, AuthorityUser
from domain.shared.errors import DomainError, InvalidPage
from domain.shared.money import Money
from schema.context import Context
from schema.errors import UserError
from schema.relay import PageRequest, connection_page, decode_global_id, encode_cursor

strawberry.enum(AlertKind, name="MedicineAlertKind")
strawberry.enum(AlertStatus, name="MedicineAlertStatus")
strawberry.enum(ReportKind, name="SuspiciousPackReportKind")


@strawberry.type(
    description="A signal for the regulator about a pack, a shipment or a region's stock; repeats are counted."
)
class MedicineAlert(relay.Node):
    key: relay.NodeID[int]
    kind: AlertKind
    status: AlertStatus
    gtin: str | None = strawberry.field(description="The pack's GTIN, for an alert about one pack.")
    serial: str | None
    region: str | None
    substance: str | None = strawberry.field(description="The active substance (INN) of a shortage.")
    shipment_id: strawberry.ID | None = strawberry.field(description="The global ID of the shipment of a discrepancy.")
    organisation_bin: str | None = strawberry.field(description="The organisation whose operation raised it.")
    details: JSON = strawberry.field(
        description="What was seen: prices, counts and codes of a discrepancy, the stock against its threshold."
    )
    occurrences: int
    raised_at: datetime
    updated_at: datetime
    closing_reason: str | None

    @classmethod
    def from_domain(cls, alert: models.MedicineAlert) -> MedicineAlert:
        return cls(
            key=alert.id,
            kind=alert.kind,
            status=alert.status,
            gtin=alert.gtin,
            serial=alert.serial,
            region=alert.region,
            substance=alert.inn,
            shipment_id=strawberry.ID(to_base64("Shipment", alert.shipment_id)) if alert.shipment_id else None,
            organisation_bin=alert.organisation_bin,
            details=cast(JSON, alert.details),
            occurrences=alert.occurrences,
            raised_at=alert.raised_at,
            updated_at=alert.updated_at,
            closing_reason=alert.closing_reason,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[MedicineAlert | None]:
        wanted = list(node_ids)
        if not _is_regulator(info):
            return [None] * len(wanted)  # alerts exist only for the regulator
        async with info.context.sessions() as session:
            found = {a.id: a for a in await alerts.alerts_by_id(session, [_int_key(k) for k in wanted])}
        return [cls.from_domain(found[_int_key(k)]) if _int_key(k) in found else None for k in wanted]


@strawberry.type(description="A citizen's report of a suspicious pack, as the regulator reads it.")
class SuspiciousPackReport(relay.Node):
    key: relay.NodeID[int]
    kind: ReportKind
    code: str
    gtin: str | None
    serial: str | None
    verdict: str = strawberry.field(description="What verification said of the code when it was reported.")
    price_paid: Money | None
    max_retail_price: Money | None
    pharmacy_bin: str | None
    pharmacy_name: str | None
    region: str | None
    comment: str | None
    reported_at: datetime

    @classmethod
    def from_domain(cls, report: models.SuspiciousPackReport) -> SuspiciousPackReport:
        return cls(
            key=report.id,
            kind=report.kind,
            code=report.code,
            gtin=report.gtin,
            serial=report.serial,
            verdict=report.verdict,
            price_paid=Money(report.price_paid_tiyn) if report.price_paid_tiyn is not None else None,
            max_retail_price=Money(report.max_retail_price_tiyn) if report.max_retail_price_tiyn is not None else None,
            pharmacy_bin=report.pharmacy_bin,
            pharmacy_name=report.pharmacy_name,
            region=report.region,
            comment=report.comment,
            reported_at=report.reported_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[SuspiciousPackReport | None]:
        wanted = list(node_ids)
        if not _is_regulator(info):
            return [None] * len(wanted)  # reports exist only for the regulator
        async with info.context.sessions() as session:
            found = {r.id: r for r in await reports.reports_by_id(session, [_int_key(k) for k in wanted])}
        return [cls.from_domain(found[_int_key(k)]) if _int_key(k) in found else None for k in wanted]


def _is_regulator(info: strawberry.Info[Context, None]) -> bool:
    principal = info.context.principal
    return isinstance(principal, AuthorityUser) and principal.authority is AuthorityKind.MEDICINES_REGULATOR


def _int_key(key: str) -> int:
    if not (key.isascii() and key.isdigit()):
        raise InvalidPage(key, "not a key of this list")
    return int(key)


@strawberry.type
class AlertQueries:
    @strawberry.field(description="The regulator's alerts, newest first.")
    async def medicine_alerts(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        status: AlertStatus | None = None,
        kind: AlertKind | None = None,
    ) -> relay.Connection[MedicineAlert]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        rows, more = await alerts.alerts_page(
            info.context.principal,
            info.context.session,
            status=status,
            kind=kind,
            before_id=_int_key(page.after) if page.after else None,
            size=page.size,
        )
        edges = [relay.Edge(cursor=encode_cursor(str(r.id)), node=MedicineAlert.from_domain(r)) for r in rows]
        return connection_page(edges, has_next_page=more, after=after)

    @strawberry.field(description="Citizens' reports of suspicious packs, newest first; the regulator's.")
    async def suspicious_pack_reports(
        self, info: strawberry.Info[Context, None], first: int | None = None, after: str | None = None
    ) -> relay.Connection[SuspiciousPackReport]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        rows, more = await reports.reports_page(
            info.context.principal,
            info.context.session,
            before_id=_int_key(page.after) if page.after else None,
            size=page.size,
        )
        edges = [relay.Edge(cursor=encode_cursor(str(r.id)), node=SuspiciousPackReport.from_domain(r)) for r in rows]
        return connection_page(edges, has_next_page=more, after=after)


@strawberry.input
class UpdateMedicineAlertInput:
    id: strawberry.ID
    status: AlertStatus
    reason: Annotated[str | None, strawberry.argument(description="Why it is closed; needed to close.")] = None


@strawberry.type
class UpdateMedicineAlertPayload:
    alert: MedicineAlert | None
    errors: list[UserError]


async def update_medicine_alert(
    info: strawberry.Info[Context, None], input: UpdateMedicineAlertInput
) -> UpdateMedicineAlertPayload:
    ctx = info.context
    try:
        _, key = decode_global_id(str(input.id), expected_type="MedicineAlert")
        alert = await alerts.update_alert(
            ctx.principal,
            ctx.session,
            alert_id=_int_key(key),
            status=input.status,
            reason=input.reason,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return UpdateMedicineAlertPayload(alert=None, errors=[UserError.from_domain(error, ctx.locale)])
    return UpdateMedicineAlertPayload(alert=MedicineAlert.from_domain(alert), errors=[])
