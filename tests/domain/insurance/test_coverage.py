from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.insurance import coverage
from domain.insurance.models import StateCategoryPeriod
from domain.insurance.status import CoverReason
from domain.shared import access
from domain.shared.bin import Bin
from domain.shared.errors import Forbidden, Unauthenticated
from domain.shared.iin import Iin
from domain.shared.months import YearMonth
from tests.domain.insurance.test_payments import _pay, _registered

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
FUND = access.AuthorityUser("fund-1", access.AuthorityKind.INSURANCE_FUND, None)


async def test_a_citizen_reads_their_own_cover_and_the_state_covers_a_pensioner(session):
    iin = await _registered(session)
    async with session.begin():
        session.add(StateCategoryPeriod(iin=iin, category="PENSIONER", valid_from=date(2026, 1, 1), valid_to=None))
    citizen = access.Citizen(Iin.parse(iin))

    status = await coverage.insurance_status(citizen, session, now=NOW)

    assert (status.current.month, status.current.reason) == (YearMonth(2026, 3), CoverReason.STATE)
    assert status.current.state_category == "PENSIONER"
    assert status.current.covered_until is None


async def test_paid_months_without_a_run_of_twelve_do_not_insure_and_are_listed(session):
    iin = await _registered(session)
    await _pay(session, iin)  # April–June 2026 only

    status = await coverage.insurance_status(FUND, session, iin=iin, now=NOW)

    assert not status.current.insured
    assert not any(cover.insured for cover in status.months)
    assert status.paid_last_12 == ()  # April to June lie ahead of March


@pytest.mark.parametrize(
    ("principal", "error"),
    [
        (access.ANONYMOUS, Unauthenticated),
        (access.BankClient("bank", Bin.parse("981240000041"), frozenset({"contributions:read"})), Forbidden),
    ],
)
async def test_only_the_citizen_or_the_fund_reads_a_persons_cover(session, principal, error):
    with pytest.raises(error):
        await coverage.insurance_status(principal, session, iin="850315400015", now=NOW)
