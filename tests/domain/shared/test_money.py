from __future__ import annotations

from decimal import Decimal

import pytest

from domain.shared.errors import ErrorCode, InvalidMoney
from domain.shared.money import Money


@pytest.mark.parametrize(
    ("text", "tiyn"),
    [
        ("4250", 425_000),
        ("4250.0", 425_000),
        ("4250.00", 425_000),
        ("4250.5", 425_050),
        ("4250.05", 425_005),
        ("0", 0),
        ("0.01", 1),
        ("007", 700),
        ("999999999999999.99", 99_999_999_999_999_999),
    ],
)
def test_a_decimal_string_with_at_most_two_decimals_is_an_amount(text: str, tiyn: int) -> None:
    money = Money.parse(text)

    assert money.tiyn == tiyn


@pytest.mark.parametrize(
    "text",
    [
        "4250.001",
        "4250.",
        ".5",
        "1e3",
        "1E3",
        "NaN",
        "Infinity",
        "-1",
        "+1",
        "-0",
        "",
        " ",
        " 4250",
        "4 250",
        "4,250",
        "4250,00",
        "0x10",
        "４２５０",  # full-width digits, which Decimal() would read
        "1000000000000000",  # sixteen integer digits no longer fit a bigint of tiyn
    ],
)
def test_anything_else_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidMoney) as raised:
        Money.parse(text)

    assert raised.value.code is ErrorCode.INVALID_MONEY


def test_the_error_names_the_field_it_is_given() -> None:
    with pytest.raises(InvalidMoney) as raised:
        Money.parse("4250.001", field=("amount",))

    assert raised.value.field == ("amount",)


def test_amounts_written_differently_are_equal() -> None:
    assert Money.parse("4250") == Money.parse("4250.00") == Money.from_tenge(4250) == Money.from_tenge(Decimal("4250"))


@pytest.mark.parametrize(
    ("tenge", "tiyn"), [(Decimal("85000"), 8_500_000), (Decimal("0.07"), 7), (Decimal("1.10"), 110), (3, 300)]
)
def test_tenge_become_tiyn(tenge: Decimal | int, tiyn: int) -> None:
    money = Money.from_tenge(tenge)

    assert money.tiyn == tiyn


@pytest.mark.parametrize(
    ("tenge", "message"),
    [
        (Decimal("1.005"), "not a whole number of tiyn"),
        (Decimal("NaN"), "not an amount"),
        (Decimal("Infinity"), "not an amount"),
    ],
)
def test_tenge_that_are_not_whole_tiyn_are_a_programming_error(tenge: Decimal, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Money.from_tenge(tenge)


@pytest.mark.parametrize(
    ("minimum_wage", "rate", "contribution"),
    [
        (85_000, Decimal("5"), "4250.00"),  # independent payer, 2024-2026
        (85_000, Decimal("5") * Decimal("1.4"), "5950.00"),  # entrepreneur, 2024-2026
        (70_000, Decimal("5"), "3500.00"),
        (70_000, Decimal("5") * Decimal("1.4"), "4900.00"),
        (42_500, Decimal("5"), "2125.00"),
        (42_500, Decimal("7"), "2975.00"),
    ],
)
def test_a_contribution_is_a_percentage_of_the_minimum_wage(
    minimum_wage: int, rate: Decimal, contribution: str
) -> None:
    amount = Money.from_tenge(minimum_wage).percent_of(rate)

    assert str(amount) == contribution


@pytest.mark.parametrize(
    ("tiyn", "rate", "expected_tiyn"),
    [
        (1, Decimal("50"), 1),  # 0.5 tiyn rounds up
        (3, Decimal("50"), 2),  # 1.5 tiyn rounds up
        (1, Decimal("49.99"), 0),
        (10_001, Decimal("5"), 500),  # 500.05 tiyn
        # just under half a tiyn above 500...0 tiyn; at Decimal's default 28 digits it would round to half, then up
        (10**17 + 1, Decimal("49." + "9" * 30), 50_000_000_000_000_000),
    ],
)
def test_a_percentage_rounds_half_up_to_the_tiyn(tiyn: int, rate: Decimal, expected_tiyn: int) -> None:
    share = Money(tiyn).percent_of(rate)

    assert share.tiyn == expected_tiyn


def test_amounts_add_subtract_and_multiply_exactly() -> None:
    a, b = Money.parse("0.10"), Money.parse("0.20")

    assert a + b == Money.parse("0.30")
    assert b - a == Money.parse("0.10")
    assert a - b == Money(-10)
    assert a * 3 == 3 * a == Money.parse("0.30")
    assert sum([a, b, a], Money.zero()) == Money.parse("0.40")


@pytest.mark.parametrize("other", [1, Decimal("0.10"), 0.1, "0.10"])
def test_an_amount_adds_only_to_an_amount(other: object) -> None:
    with pytest.raises(TypeError):
        Money.parse("0.10") + other  # type: ignore[operator]  # the point of the test


@pytest.mark.parametrize("times", [Decimal("2"), 2.0, True])
def test_an_amount_is_multiplied_only_by_a_whole_number(times: object) -> None:
    with pytest.raises(TypeError):
        Money.parse("0.10") * times  # type: ignore[operator]  # the point of the test


def test_amounts_are_ordered_by_value() -> None:
    amounts = [Money.parse("10"), Money.parse("9.99"), Money.zero(), Money.parse("10.01")]

    assert sorted(amounts) == [Money.zero(), Money.parse("9.99"), Money.parse("10"), Money.parse("10.01")]
    assert Money.parse("9.99") < Money.parse("10") <= Money.parse("10.00")


@pytest.mark.parametrize(
    ("tiyn", "text"), [(425_000, "4250.00"), (0, "0.00"), (5, "0.05"), (-150, "-1.50"), (10**17, "1000000000000000.00")]
)
def test_an_amount_reads_as_tenge_with_two_decimals(tiyn: int, text: str) -> None:
    money = Money(tiyn)

    assert (str(money), money.to_decimal()) == (text, Decimal(text))
    assert money.to_decimal().as_tuple().exponent == -2
