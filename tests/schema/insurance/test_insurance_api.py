from __future__ import annotations

import secrets

import pytest

from tests.conftest import citizen_claims
from tests.domain.insurance.test_payments import _person_iin
from tests.graphql import gql

BANK_BIN, OTHER_BANK_BIN = "981240000041", "100340000020"
PAY = """
mutation($i: PayContributionsInput!) {
  payContributions(input: $i) {
    payment { id status amount months payerIin receipt { iban knp purpose } } replayed errors { code field message }
  }
}
"""
QUOTE = """
query($iin: IIN!, $kind: PayerKind!, $months: [YearMonth!]!) {
  contributionQuote(payerIin: $iin, payerKind: $kind, months: $months) {
    lines { month amount } total covered paymentDetails { iban bin bic knp }
  }
}
"""
STATUS = "{ myInsuranceStatus { insured current { reason coveredUntil } paidMonthsOfLast12 } }"
PAYMENT = "query($id: ID!) { contributionPayment(id: $id) { amount } }"


def _bank(keys, scope="contributions:read contributions:pay", bin_=BANK_BIN):
    return keys.token({"role": "bank", "sub": f"app-{bin_}", "bin": bin_, "scope": scope})


async def _person(engine, name="Асанов Ерлан Болатович") -> str:
    from domain.insurance.models import Person
    from domain.shared.db import create_sessionmaker

    iin = _person_iin()
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(Person(iin=iin, full_name=name))
    return iin


def _pay_input(iin, **overrides):
    values = {
        "idempotencyKey": secrets.token_hex(8), "payerIin": iin, "payerName": "Асанов Ерлан Болатович",
        "payerKind": "INDEPENDENT", "months": ["2027-01", "2027-02"], "amount": "8500", "bankReference": "B-1",
    }  # fmt: skip
    return {**values, **overrides}


async def test_a_bank_quotes_and_pays_and_a_retry_pays_once(client, keys, engine, reset_clock_to):
    await reset_clock_to("2026-12-01T10:00:00+05:00")
    iin = await _person(engine)
    token = _bank(keys)

    quote = (await gql(client, QUOTE, {"iin": iin, "kind": "INDEPENDENT", "months": ["2027-01", "2027-02"]},
                       token=token)).json()["data"]["contributionQuote"]  # fmt: skip
    request = _pay_input(iin, amount=quote["total"])
    first = (await gql(client, PAY, {"i": request}, token=token)).json()["data"]["payContributions"]
    retry = (await gql(client, PAY, {"i": request}, token=token)).json()["data"]["payContributions"]

    assert quote["total"] == "8500.00"
    assert quote["paymentDetails"] == {"iban": "KZ92009MEDS368609103", "bin": "160440007161", "bic": "GCVPKZ2A",
                                       "knp": "122"}  # fmt: skip
    assert first["errors"] == []
    assert (first["payment"]["status"], first["payment"]["months"]) == ("ACCEPTED", ["2027-01", "2027-02"])
    assert (retry["payment"]["id"], retry["replayed"]) == (first["payment"]["id"], True)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"months": ["2028-06"], "amount": "4250"}, "MONTH_TOO_FAR_AHEAD", ["input", "months", "0"]),
        ({"amount": "8499.99"}, "AMOUNT_MISMATCH", ["input", "amount"]),
        ({"payerName": "Иванов Иван"}, "NAME_MISMATCH", ["input", "payerName"]),
        ({"months": []}, "NO_MONTHS", ["input", "months"]),
    ],
)
async def test_a_payment_the_rules_refuse_is_a_typed_error(
    client, keys, engine, reset_clock_to, overrides, code, field
):
    await reset_clock_to("2026-12-01T10:00:00+05:00")
    iin = await _person(engine)

    answer = (await gql(client, PAY, {"i": _pay_input(iin, **overrides)}, token=_bank(keys), language="ru")).json()

    [error] = answer["data"]["payContributions"]["errors"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


async def test_a_bank_token_without_the_payment_scope_cannot_pay(client, keys, engine):
    iin = await _person(engine)

    answer = (await gql(client, PAY, {"i": _pay_input(iin)}, token=_bank(keys, scope="contributions:read"))).json()

    assert answer["data"]["payContributions"]["errors"][0]["code"] == "FORBIDDEN"


async def test_a_payment_is_seen_by_its_bank_and_payer_and_no_one_else(client, keys, engine, reset_clock_to):
    await reset_clock_to("2026-12-01T10:00:00+05:00")
    iin = await _person(engine)
    paid = (await gql(client, PAY, {"i": _pay_input(iin)}, token=_bank(keys))).json()["data"]["payContributions"]
    payment_id = paid["payment"]["id"]

    seen = [
        (await gql(client, PAYMENT, {"id": payment_id}, token=token)).json()["data"]["contributionPayment"]
        for token in (
            _bank(keys),
            keys.token(citizen_claims(iin)),
            _bank(keys, bin_=OTHER_BANK_BIN),
            keys.token(citizen_claims("850315400015")),
        )
    ]

    assert [s is not None for s in seen] == [True, True, False, False]


async def test_a_citizen_reads_only_their_own_status(client, keys, reset_clock_to):
    await reset_clock_to("2026-12-01T10:00:00+05:00")

    mine = (await gql(client, STATUS, token=keys.token(citizen_claims()))).json()
    bank = (await gql(client, STATUS, token=_bank(keys))).json()

    assert "errors" not in mine
    status = mine["data"]["myInsuranceStatus"]
    assert (status["insured"], status["current"]["reason"], status["paidMonthsOfLast12"]) == (False, None, [])
    assert bank["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_sibling_fields_that_read_the_database_answer_together(client, keys, reset_clock_to):
    await reset_clock_to("2026-12-01T10:00:00+05:00")
    both = "{ myInsuranceStatus { insured } myContributionPayments { amount } }"

    answer = (await gql(client, both, token=keys.token(citizen_claims()))).json()

    assert "errors" not in answer
    assert answer["data"]["myContributionPayments"] == []
