from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.medicines import alerts, reports
from domain.medicines.alerts import AlertTransitionRefused
from domain.medicines.models import AlertKind, AlertStatus, MedicineAlert, ReportKind
from domain.medicines.reports import Complaint
from domain.medicines.signals import VerificationRecord, save_verifications
from domain.medicines.verification import Verdict
from domain.shared.errors import Forbidden, MissingValue, TextTooLong
from domain.shared.money import Money
from tests.domain.medicines.conftest import MANUFACTURER, NOW, PHARMACY_BIN, REGULATOR, new_gtin
from tests.domain.medicines.test_verification import KEYS, at_pharmacy, commissioned, pack  # noqa: F401  (fixtures)


async def an_alert(session) -> MedicineAlert:
    gtin = new_gtin()
    record = VerificationRecord(occurred_at=NOW, verdict=Verdict.ALREADY_DISPENSED, gtin=gtin, serial="Serial0000001")
    await save_verifications(session, [record], now=NOW)
    async with session.begin():  # a read in a use case's manner, so the next use case can begin its own
        alert = await session.scalar(select(MedicineAlert).where(MedicineAlert.gtin == gtin))
    assert alert is not None
    return alert


async def test_the_regulator_investigates_then_closes_an_alert_with_a_reason(session):
    alert_id = (await an_alert(session)).id

    await alerts.update_alert(
        REGULATOR, session, alert_id=alert_id, status=AlertStatus.INVESTIGATING, reason=None, now=NOW
    )
    closed = await alerts.update_alert(
        REGULATOR,
        session,
        alert_id=alert_id,
        status=AlertStatus.CLOSED,
        reason="pharmacy rescanned a sold pack",
        now=NOW,
    )

    assert (closed.status, closed.closing_reason, closed.updated_by) == (
        AlertStatus.CLOSED,
        "pharmacy rescanned a sold pack",
        "regulator-1",
    )


async def test_a_closed_alert_stays_closed(session):
    alert_id = (await an_alert(session)).id
    await alerts.update_alert(REGULATOR, session, alert_id=alert_id, status=AlertStatus.CLOSED, reason="ok", now=NOW)

    with pytest.raises(AlertTransitionRefused):
        await alerts.update_alert(
            REGULATOR, session, alert_id=alert_id, status=AlertStatus.INVESTIGATING, reason=None, now=NOW
        )


async def test_closing_needs_a_reason(session):
    alert_id = (await an_alert(session)).id

    with pytest.raises(MissingValue):
        await alerts.update_alert(
            REGULATOR, session, alert_id=alert_id, status=AlertStatus.CLOSED, reason="  ", now=NOW
        )


async def test_only_the_regulator_sees_and_handles_alerts(session):
    alert_id = (await an_alert(session)).id

    with pytest.raises(Forbidden):
        await alerts.alerts_page(MANUFACTURER, session, status=None, kind=None, before_id=None, size=10)
    with pytest.raises(Forbidden):
        await alerts.update_alert(
            MANUFACTURER, session, alert_id=alert_id, status=AlertStatus.CLOSED, reason="x", now=NOW
        )


async def test_alerts_are_listed_newest_first_by_status(session):
    first, second = await an_alert(session), await an_alert(session)

    page, more = await alerts.alerts_page(REGULATOR, session, status=AlertStatus.NEW, kind=None, before_id=None, size=2)

    assert [a.id for a in page] == [second.id, first.id]
    assert more in (True, False)


async def test_an_overcharge_above_the_maximum_price_is_reported_and_alerted(session, at_pharmacy):  # noqa: F811
    complaint = Complaint(
        code=at_pharmacy.element_string(),
        kind=ReportKind.OVERCHARGE,
        price_paid=Money.parse("1800"),
        pharmacy_bin=PHARMACY_BIN,
        region="KZ-71",
    )
    later = NOW.replace(day=28)  # the maximum price of 1,500 is in force from the 26th

    report = await reports.report_suspicious_pack(session, complaint=complaint, keys=KEYS, now=later)

    alert = await session.scalar(select(MedicineAlert).where(MedicineAlert.gtin == at_pharmacy.gtin))
    assert (report.price_paid_tiyn, report.max_retail_price_tiyn, report.verdict) == (180_000, 150_000, "GENUINE")
    assert alert is not None
    assert alert.kind is AlertKind.PRICE_ABOVE_MAXIMUM


async def test_a_price_within_the_maximum_is_reported_but_not_alerted(session, at_pharmacy):  # noqa: F811
    complaint = Complaint(code=at_pharmacy.element_string(), kind=ReportKind.OVERCHARGE, price_paid=Money.parse("1400"))

    await reports.report_suspicious_pack(session, complaint=complaint, keys=KEYS, now=NOW.replace(day=28))

    assert await session.scalar(select(MedicineAlert).where(MedicineAlert.gtin == at_pharmacy.gtin)) is None


async def test_a_suspected_counterfeit_is_alerted_even_with_an_unreadable_code_kept_for_the_record(session):
    readable = Complaint(code=f"01{new_gtin()}21ABCDEFGHIJKLMNOPQRST", kind=ReportKind.COUNTERFEIT)
    garbage = Complaint(code="not a code at all", kind=ReportKind.COUNTERFEIT)

    kept = await reports.report_suspicious_pack(session, complaint=readable, keys=KEYS, now=NOW)
    unreadable = await reports.report_suspicious_pack(session, complaint=garbage, keys=KEYS, now=NOW)

    alert = await session.scalar(select(MedicineAlert).where(MedicineAlert.gtin == kept.gtin))
    assert alert is not None
    assert alert.kind is AlertKind.REPORTED_COUNTERFEIT
    assert (unreadable.verdict, unreadable.gtin) == ("INVALID_CODE", None)


@pytest.mark.parametrize(
    ("complaint", "error"),
    [
        (Complaint(code="x", kind=ReportKind.OVERCHARGE), MissingValue),
        (Complaint(code="", kind=ReportKind.COUNTERFEIT), MissingValue),
        (Complaint(code="x", kind=ReportKind.COUNTERFEIT, comment="c" * 2001), TextTooLong),
        (Complaint(code="x" * 513, kind=ReportKind.COUNTERFEIT), TextTooLong),
    ],
    ids=["overcharge without price", "no code", "long comment", "long code"],
)
async def test_a_report_that_breaks_the_rules_is_refused(session, complaint, error):
    with pytest.raises(error):
        await reports.report_suspicious_pack(session, complaint=complaint, keys=KEYS, now=NOW)


async def test_only_the_regulator_reads_the_reports(session):
    with pytest.raises(Forbidden):
        await reports.reports_page(MANUFACTURER, session, before_id=None, size=10)

    page, _ = await reports.reports_page(REGULATOR, session, before_id=None, size=10)
    assert isinstance(page, list)
