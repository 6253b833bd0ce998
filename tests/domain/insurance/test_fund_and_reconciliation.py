from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from domain.insurance import fund, payments, reconciliation
from domain.insurance.models import ContributionMonth, PaymentStatus, Person
from domain.insurance.rates import PayerKind
from domain.shared import access
from domain.shared.bin import Bin
from domain.shared.errors import Forbidden
from domain.shared.money import Money
from domain.shared.months import YearMonth
from tests.domain.insurance.test_payments import ASKED, BANK, NOW, _pay, _person_iin, _registered

FUND = access.AuthorityUser("fund-1", access.AuthorityKind.INSURANCE_FUND, None)
OTHER_BANK = access.BankClient("other-app", Bin.parse("100340000020"), frozenset({payments.READ_SCOPE}))


async def _standing(session, iin):
    async with session.begin():
        return list(await session.scalars(
            select(ContributionMonth.standing).where(ContributionMonth.payer_iin == iin)))  # fmt: skip


async def test_a_returned_payment_frees_its_months_and_then_never_changes(session):
    iin = await _registered(session)
    payment_id = (await _pay(session, iin)).row.id

    returned = await fund.change_payment_status(
        FUND, session, payment_id=payment_id, status=PaymentStatus.RETURNED, reason="name mismatch",
        now=NOW + timedelta(days=1),
    )  # fmt: skip

    assert returned.status is PaymentStatus.RETURNED
    assert await _standing(session, iin) == [False, False, False]
    assert (await _pay(session, iin)).months == tuple(ASKED)  # the months may be paid again
    with pytest.raises(fund.PaymentTransitionRefused):
        await fund.change_payment_status(
            FUND, session, payment_id=payment_id, status=PaymentStatus.CREDITED, reason=None, now=NOW
        )


async def test_a_payment_is_returned_only_within_three_working_days(session):
    iin = await _registered(session)
    payment_id = (await _pay(session, iin)).row.id  # accepted on Tuesday 10 March 2026

    with pytest.raises(fund.ReturnWindowClosed) as refused:
        await fund.change_payment_status(
            FUND, session, payment_id=payment_id, status=PaymentStatus.RETURNED, reason="late",
            now=datetime(2026, 3, 16, 6, 0, tzinfo=UTC),
        )  # fmt: skip

    assert refused.value.details["last_day"] == date(2026, 3, 13)


async def test_crediting_books_accepted_payments_once(session):
    iin = await _registered(session)
    payment_id = (await _pay(session, iin)).row.id

    first = await fund.credit_payments(FUND, session, payment_ids=[payment_id], now=NOW)
    second = await fund.credit_payments(FUND, session, payment_ids=[payment_id], now=NOW)

    assert (first, second) == (1, 0)


async def test_the_minimum_wage_table_grows_from_a_coming_day_and_is_never_rewritten(session):
    row = await fund.set_minimum_wage(
        FUND, session, effective_from=date(2099, 1, 1), amount=Money.parse("150000"), now=NOW
    )

    assert row.amount_tiyn == 15_000_000
    with pytest.raises(fund.MinimumWageFixed):
        await fund.set_minimum_wage(FUND, session, effective_from=date(2099, 1, 1), amount=Money.parse("1"), now=NOW)
    with pytest.raises(fund.MinimumWageFixed):
        await fund.set_minimum_wage(FUND, session, effective_from=date(2026, 1, 1), amount=Money.parse("1"), now=NOW)


async def test_reconciliation_totals_equal_the_payments_listed_to_the_tiyn_for_a_day_of_thousands(session):
    day, at, count = date(2030, 1, 7), datetime(2030, 1, 7, 5, 0, tzinfo=UTC), 2_000  # a day of our own
    people = [_person_iin() for _ in range(count)]
    async with session.begin():
        await session.execute(
            insert(Person)
            .values([{"iin": iin, "full_name": "Асанов Ерлан"} for iin in people])
            .on_conflict_do_nothing()
        )
    for n, iin in enumerate(people):
        months = [YearMonth(2030, 1).plus(k) for k in range(1 + n % 3)]
        await payments.pay_contributions(
            BANK, session, idempotency_key=f"day-{iin}", payer_iin=iin, payer_name="Асанов Ерлан",
            kind=PayerKind.ENTREPRENEUR if n % 2 else PayerKind.INDEPENDENT, months=months,
            amount=Money.parse("5950" if n % 2 else "4250") * len(months), bank_reference=f"R{n}", now=at,
        )  # fmt: skip

    day_of_bank = await reconciliation.bank_reconciliation(BANK, session, day=day)

    listed = sum((Money(p.row.amount_tiyn) for p in day_of_bank.payments), Money.zero())
    assert day_of_bank.total.count == len(day_of_bank.payments) == count
    assert day_of_bank.total.amount == listed
    assert day_of_bank.by_knp["122"].amount == listed
    assert sum((t.amount for t in day_of_bank.by_month.values()), Money.zero()) == listed
    assert sum(t.count for t in day_of_bank.by_month.values()) == sum(1 + n % 3 for n in range(count))
    assert sum(len(p.months) for p in day_of_bank.payments) == sum(1 + n % 3 for n in range(count))


async def test_a_bank_reads_only_its_own_reconciliation(session):
    with pytest.raises(Forbidden):
        await reconciliation.bank_reconciliation(OTHER_BANK, session, day=NOW.date(), bank_bin="981240000041")


@pytest.mark.race
async def test_two_operators_entering_one_minimum_wage_at_once_get_one_row_and_one_typed_error(committing_sessions):
    day = date(2090, 1, 1) + timedelta(days=secrets.randbelow(3000))  # a day no other run enters

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(
            fund.set_minimum_wage(FUND, a, effective_from=day, amount=Money.parse("100000"), now=NOW),
            fund.set_minimum_wage(FUND, b, effective_from=day, amount=Money.parse("110000"), now=NOW),
            return_exceptions=True,
        )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["MinimumWageFixed", "MinimumWageRow"]
