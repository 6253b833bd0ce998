from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.codes import MAX_CODE_LENGTH
from domain.medicines.keys import CodeKeys
from domain.medicines.models import AlertKind, ReportKind, SuspiciousPackReport
from domain.medicines.signals import raise_alerts
from domain.medicines.verification import verify_pack
from domain.shared.access import AuthorityKind, Principal, require_authority
from domain.shared.db import SessionReads
from domain.shared.errors import MissingValue, TextTooLong
from domain.shared.money import Money

MAX_COMMENT_LENGTH = 2000
MAX_PHARMACY_NAME_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Complaint:
    """What a citizen tells of a suspicious pack: the code, what is wrong, and where it was bought."""

    code: str
    kind: ReportKind
    price_paid: Money | None = None
    pharmacy_bin: str | None = None
    pharmacy_name: str | None = None
    region: str | None = None
    comment: str | None = None


async def report_suspicious_pack(
    session: AsyncSession, *, complaint: Complaint, keys: CodeKeys, now: datetime
) -> SuspiciousPackReport:
    """Anyone reports a suspected counterfeit or overcharge; the regulator sees it, with an alert where it is one."""
    _check(complaint)
    async with session.begin():
        result = await verify_pack(SessionReads(session), text=complaint.code, keys=keys, now=now)
        code = result.code
        report = SuspiciousPackReport(
            kind=complaint.kind,
            code=complaint.code,
            gtin=code.gtin if code else None,
            serial=code.serial[:20] if code else None,
            verdict=result.verdict.value,
            price_paid_tiyn=complaint.price_paid.tiyn if complaint.price_paid else None,
            max_retail_price_tiyn=result.max_retail_price_tiyn,
            pharmacy_bin=complaint.pharmacy_bin,
            pharmacy_name=complaint.pharmacy_name,
            region=complaint.region,
            comment=complaint.comment,
            reported_at=now,
        )
        session.add(report)
        await session.flush()
        kind = _alert_kind(report)
        if kind is not None and code is not None:
            alert = {
                "kind": kind,
                "gtin": code.gtin,
                "serial": code.serial[:20],
                "pack_id": result.pack.id if result.pack else None,
                "region": complaint.region,
                "details": {"reportId": report.id, "verdict": result.verdict.value},
            }
            await raise_alerts(session, [alert], now)
    return report


def _check(complaint: Complaint) -> None:
    if not complaint.code.strip():
        raise MissingValue("the code of the pack is needed", field=("code",))
    if len(complaint.code) > MAX_CODE_LENGTH:
        raise TextTooLong(len(complaint.code), MAX_CODE_LENGTH, field=("code",))
    if complaint.kind is ReportKind.OVERCHARGE and complaint.price_paid is None:
        raise MissingValue("an overcharge is reported with the price paid", field=("price_paid",))
    for value, limit, field in (
        (complaint.comment, MAX_COMMENT_LENGTH, "comment"),
        (complaint.pharmacy_name, MAX_PHARMACY_NAME_LENGTH, "pharmacy_name"),
    ):
        if value is not None and len(value) > limit:
            raise TextTooLong(len(value), limit, field=(field,))


def _alert_kind(report: SuspiciousPackReport) -> AlertKind | None:
    if report.kind is ReportKind.COUNTERFEIT:
        return AlertKind.REPORTED_COUNTERFEIT
    paid, ceiling = report.price_paid_tiyn, report.max_retail_price_tiyn
    if paid is not None and ceiling is not None and paid > ceiling:
        return AlertKind.PRICE_ABOVE_MAXIMUM
    return None


async def reports_page(
    principal: Principal, session: AsyncSession, *, before_id: int | None, size: int
) -> tuple[list[SuspiciousPackReport], bool]:
    """The regulator reads citizens' reports, newest first; and whether more follow."""
    require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    query = select(SuspiciousPackReport).order_by(SuspiciousPackReport.id.desc()).limit(size + 1)
    if before_id is not None:
        query = query.where(SuspiciousPackReport.id < before_id)
    rows = list(await session.scalars(query))
    return rows[:size], len(rows) > size


async def reports_by_id(session: AsyncSession, ids: list[int]) -> list[SuspiciousPackReport]:
    """The reports with these ids that exist (callers decide who may see them)."""
    return list(await session.scalars(select(SuspiciousPackReport).where(SuspiciousPackReport.id.in_(ids))))
