from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insurance import payments
from domain.insurance.errors import (
    AmountMismatch,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    MonthAlreadyPaid,
    MonthTooFarAhead,
    NameMismatch,
)
from domain.insurance.models import ContributionMonth, ContributionPayment, Person
from domain.insurance.rates import PayerKind
from domain.shared import access
from domain.shared.bin import Bin
from domain.shared.errors import Forbidden, InvalidIin
from domain.shared.iin import iin_check_digit
from domain.shared.money import Money
from domain.shared.months import YearMonth

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 11:00 in Almaty
BANK = access.BankClient("bank-app-1", Bin.parse("981240000041"), frozenset({payments.PAY_SCOPE, payments.READ_SCOPE}))
READ_ONLY = access.BankClient("bank-app-2", Bin.parse("981240000041"), frozenset({payments.READ_SCOPE}))
ASKED = [YearMonth(2026, 4), YearMonth(2026, 5), YearMonth(2026, 6)]


def _person_iin() -> str:
    """A fresh valid IIN of an adult (born 1970–1999), so that tests on a shared database never meet."""
    while True:
        born = date(1970, 1, 1) + timedelta(days=secrets.randbelow(30 * 365))
        first = f"{born:%y%m%d}3" + "".join(secrets.choice("0123456789") for _ in range(4))
        digit = iin_check_digit(first)
        if digit is not None:
            return first + str(digit)


async def _registered(session, name="Асанов Ерлан Болатович") -> str:
    iin = _person_iin()
    async with session.begin():
        session.add(Person(iin=iin, full_name=name))
    return iin


async def _pay(session, iin, *, key=None, months=ASKED, amount="12750", name="Асанов Ерлан Болатович", who=BANK):
    return await payments.pay_contributions(
        who, session, idempotency_key=key or secrets.token_hex(8), payer_iin=iin, payer_name=name,
        kind=PayerKind.INDEPENDENT, months=months, amount=Money.parse(amount), bank_reference="REF-1", now=NOW,
    )  # fmt: skip


async def _count(session, iin):
    async with session.begin():
        return await session.scalar(select(func.count()).select_from(ContributionPayment).where(
            ContributionPayment.payer_iin == iin))  # fmt: skip


async def test_a_payment_of_three_months_is_accepted_with_its_months_and_details(session):
    iin = await _registered(session)

    payment = await _pay(session, iin)

    assert payment.months == tuple(ASKED)
    assert (payment.row.status, payment.row.amount_tiyn, payment.row.knp) == ("ACCEPTED", 1_275_000, "122")
    assert "2026-04, 2026-05, 2026-06" in payment.row.purpose
    assert not payment.replayed


async def test_the_same_key_and_request_give_back_the_same_payment_and_another_request_is_refused(session):
    iin = await _registered(session)
    first = (await _pay(session, iin, key="k-1")).row.id

    again = await _pay(session, iin, key="k-1")
    seen_again = (again.row.id, again.replayed)
    with pytest.raises(IdempotencyKeyReused):
        await _pay(session, iin, key="k-1", months=[YearMonth(2026, 7)], amount="4250")

    assert seen_again == (first, True)
    assert await _count(session, iin) == 1


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"months": [YearMonth(2027, 4)], "amount": "4250"}, MonthTooFarAhead),
        ({"amount": "12749.99"}, AmountMismatch),
        ({"name": "Асанов Ерлан"}, NameMismatch),
        ({"who": READ_ONLY}, Forbidden),
    ],
    ids=["13th month ahead", "wrong amount", "name not in the registry", "a token without the payment scope"],
)
async def test_a_payment_the_rules_refuse_is_a_typed_error_and_writes_nothing(session, given, error):
    iin = await _registered(session)

    with pytest.raises(error):
        await _pay(session, iin, **given)

    assert await _count(session, iin) == 0


async def test_a_month_already_paid_is_refused(session):
    iin = await _registered(session)
    await _pay(session, iin)

    with pytest.raises(MonthAlreadyPaid) as refused:
        await _pay(session, iin, months=[YearMonth(2026, 7), YearMonth(2026, 5)], amount="8500")

    assert refused.value.field == ("months", "1")


async def test_an_invalid_iin_is_refused(session):
    with pytest.raises(InvalidIin):
        await _pay(session, "850315400016")


async def test_names_match_whatever_their_case_spaces_and_yo(session):
    iin = await _registered(session, name="Сёмин  Пётр")

    payment = await _pay(session, iin, name="СЕМИН ПЕТР")

    assert payment.row.payer_name == "СЕМИН ПЕТР"


async def test_a_quote_prices_the_free_months_and_lists_the_covered_ones(session):
    iin = await _registered(session)
    await _pay(session, iin)

    quote = await payments.quote_contributions(
        READ_ONLY, session, payer_iin=iin, kind=PayerKind.ENTREPRENEUR, months=[*ASKED, YearMonth(2026, 7)], now=NOW
    )

    assert quote.covered == tuple(ASKED)
    assert quote.price is not None
    assert quote.price.total == Money.parse("5950")


@pytest.mark.race
async def test_two_concurrent_requests_with_one_key_make_one_payment(committing_sessions):
    async with committing_sessions() as setup:
        iin = await _registered(setup)

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(_pay(a, iin, key=f"race-{iin}"), _pay(b, iin, key=f"race-{iin}"))

    assert outcomes[0].row.id == outcomes[1].row.id
    assert sorted(outcome.replayed for outcome in outcomes) == [False, True]


@pytest.mark.race
async def test_a_request_that_finds_its_key_still_being_paid_says_so_after_waiting_and_writes_nothing(
    committing_sessions, engine
):
    async with committing_sessions() as setup:
        iin = await _registered(setup)
    key = f"slow-{iin}"

    # The first request with this key is accepted inside a transaction that has not committed yet.
    async with engine.connect() as connection:
        outer = await connection.begin()
        holder = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
        first = await _pay(holder, iin, key=key)
        async with committing_sessions() as second:
            with pytest.raises(IdempotencyInProgress) as waited:
                await _pay(second, iin, key=key)
        await holder.close()
        await outer.rollback()

    assert first.replayed is False
    assert waited.value.field == ("idempotency_key",)
    async with committing_sessions() as check:
        assert await _count(check, iin) == 0


@pytest.mark.race
async def test_two_concurrent_payments_of_one_month_with_two_keys_make_one_payment_and_one_error(committing_sessions):
    async with committing_sessions() as setup:
        iin = await _registered(setup)

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(_pay(a, iin), _pay(b, iin), return_exceptions=True)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["MonthAlreadyPaid", "Payment"]
    async with committing_sessions() as check, check.begin():
        standing = await check.scalar(
            select(func.count()).select_from(ContributionMonth).where(ContributionMonth.payer_iin == iin)
        )
    assert standing == 3
