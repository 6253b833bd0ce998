from __future__ import annotations

from datetime import date

import pytest

from domain.insurance.errors import (
    DuplicateMonth,
    MonthAlreadyPaid,
    MonthBeforeBirth,
    MonthTooFarAhead,
    NoMonths,
    NoRateForMonth,
)
from domain.insurance.pricing import price_months
from domain.insurance.rates import MINIMUM_WAGE_HISTORY, MinimumWage, PayerKind, wage_on
from domain.shared.money import Money
from domain.shared.months import YearMonth

TODAY = date(2026, 3, 10)
BORN = date(1985, 3, 15)


def _price(months, kind=PayerKind.INDEPENDENT, **kw):
    return price_months(MINIMUM_WAGE_HISTORY, kind, months, today=kw.pop("today", TODAY), born=BORN, **kw)


def _months(first: str, count: int) -> list[YearMonth]:
    start = YearMonth.parse(first)
    return [start.plus(n) for n in range(count)]


@pytest.mark.parametrize(
    ("month", "kind", "amount"),
    [
        ("2024-01", PayerKind.INDEPENDENT, "4250"),
        ("2025-06", PayerKind.INDEPENDENT, "4250"),
        ("2026-03", PayerKind.INDEPENDENT, "4250"),
        ("2024-01", PayerKind.ENTREPRENEUR, "5950"),
        ("2026-12", PayerKind.ENTREPRENEUR, "5950"),
        ("2023-05", PayerKind.INDEPENDENT, "3500"),
        ("2023-05", PayerKind.ENTREPRENEUR, "4900"),
        ("2022-02", PayerKind.INDEPENDENT, "3000"),
        ("2020-01", PayerKind.ENTREPRENEUR, "2975"),
    ],
)
def test_a_month_costs_five_percent_of_the_minimum_wage_or_seven_for_an_entrepreneur(month, kind, amount):
    [line] = _price([YearMonth.parse(month)], kind).lines

    assert line.amount == Money.parse(amount)


def test_twelve_advance_months_in_2026_cost_an_independent_payer_51000_tenge():
    price = _price(_months("2026-04", 12))

    assert price.total == Money.parse("51000")
    assert len(price.lines) == 12


def test_future_months_take_the_minimum_wage_in_force_on_the_payment_day():
    # December 2023: the months of 2024 still cost 2023's 3,500 (sources, B3: 42,000 for the whole of 2024).
    price = _price(_months("2024-01", 12), today=date(2023, 12, 20))

    assert price.total == Money.parse("42000")


def test_a_raise_published_ahead_does_not_touch_what_is_paid_before_it():
    table = (*MINIMUM_WAGE_HISTORY, MinimumWage(date(2027, 1, 1), Money.from_tenge(100_000)))

    price = price_months(table, PayerKind.INDEPENDENT, _months("2027-01", 2), today=TODAY, born=BORN)

    assert price.total == Money.parse("8500")


def test_the_lines_come_oldest_first_whatever_order_they_were_asked_in():
    price = _price([YearMonth(2026, 5), YearMonth(2025, 1), YearMonth(2026, 3)])

    assert [str(line.month) for line in price.lines] == ["2025-01", "2026-03", "2026-05"]


@pytest.mark.parametrize(
    ("months", "error", "index"),
    [
        ([], NoMonths, None),
        (["2026-05", "2026-05"], DuplicateMonth, "1"),
        (["2027-04"], MonthTooFarAhead, "0"),  # the 13th month after March 2026
        (["2019-12"], NoRateForMonth, "0"),
        (["1985-02"], MonthBeforeBirth, "0"),
    ],
    ids=["none", "twice", "13th month ahead", "before the table", "before birth"],
)
def test_a_month_the_rules_refuse_is_a_typed_error_naming_it(months, error, index):
    with pytest.raises(error) as refused:
        _price([YearMonth.parse(m) for m in months])

    assert refused.value.field == (("months", index) if index else ("months",))


def test_the_twelfth_month_ahead_is_the_last_that_may_be_paid():
    assert _price([YearMonth(2027, 3)]).lines[0].month == YearMonth(2027, 3)


def test_a_month_already_paid_or_in_flight_is_refused_under_any_payer_kind():
    with pytest.raises(MonthAlreadyPaid) as refused:
        _price([YearMonth(2026, 4), YearMonth(2026, 5)], PayerKind.ENTREPRENEUR, taken={YearMonth(2026, 5)})

    assert refused.value.field == ("months", "1")


def test_the_minimum_wage_table_starts_in_2020():
    assert wage_on(MINIMUM_WAGE_HISTORY, date(2019, 12, 31)) is None
    assert wage_on(MINIMUM_WAGE_HISTORY, date(2026, 11, 26)).amount == Money.parse("85000")
