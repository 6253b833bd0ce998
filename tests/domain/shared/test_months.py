from __future__ import annotations

from datetime import date

import pytest

from domain.shared.errors import ErrorCode, InvalidYearMonth
from domain.shared.months import YearMonth


@pytest.mark.parametrize(
    ("text", "year", "month"),
    [("2026-11", 2026, 11), ("2020-01", 2020, 1), ("1900-01", 1900, 1), ("2999-12", 2999, 12)],
)
def test_a_month_written_yyyy_mm_is_read(text: str, year: int, month: int) -> None:
    parsed = YearMonth.parse(text)

    assert parsed == YearMonth(year, month)
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-1", "must be written YYYY-MM"),
        ("2026-011", "must be written YYYY-MM"),
        ("26-11", "must be written YYYY-MM"),
        ("2026/11", "must be written YYYY-MM"),
        ("2026-11-01", "must be written YYYY-MM"),
        ("202611", "must be written YYYY-MM"),
        (" 2026-11", "must be written YYYY-MM"),
        ("", "must be written YYYY-MM"),
        ("２０２６-１１", "must be written YYYY-MM"),  # full-width digits
        ("2026-00", "month must be 01 to 12"),
        ("2026-13", "month must be 01 to 12"),
        ("1899-12", "year must be 1900 to 2999"),
        ("3000-01", "year must be 1900 to 2999"),
    ],
)
def test_anything_else_is_not_a_month(text: str, reason: str) -> None:
    with pytest.raises(InvalidYearMonth) as raised:
        YearMonth.parse(text)

    assert raised.value.code is ErrorCode.INVALID_YEAR_MONTH
    assert raised.value.details["reason"] == reason


def test_the_error_names_the_field_it_is_given() -> None:
    with pytest.raises(InvalidYearMonth) as raised:
        YearMonth.parse("2026-13", field=("months",))

    assert raised.value.field == ("months",)


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (0, 1)])
def test_a_month_that_does_not_exist_cannot_be_built(year: int, month: int) -> None:
    with pytest.raises(ValueError, match="no month"):
        YearMonth(year, month)


def test_the_month_of_a_day() -> None:
    month = YearMonth.of(date(2026, 11, 30))

    assert month == YearMonth(2026, 11)


@pytest.mark.parametrize(
    ("month", "first_day", "last_day"),
    [
        (YearMonth(2026, 1), date(2026, 1, 1), date(2026, 1, 31)),
        (YearMonth(2026, 2), date(2026, 2, 1), date(2026, 2, 28)),
        (YearMonth(2024, 2), date(2024, 2, 1), date(2024, 2, 29)),
        (YearMonth(2100, 2), date(2100, 2, 1), date(2100, 2, 28)),
        (YearMonth(2026, 4), date(2026, 4, 1), date(2026, 4, 30)),
        (YearMonth(2026, 12), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_month_runs_from_its_first_day_to_its_last(month: YearMonth, first_day: date, last_day: date) -> None:
    assert (month.first_day, month.last_day) == (first_day, last_day)


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (0, YearMonth(2026, 11)),
        (1, YearMonth(2026, 12)),
        (2, YearMonth(2027, 1)),
        (12, YearMonth(2027, 11)),
        (-11, YearMonth(2025, 12)),
        (-23, YearMonth(2024, 12)),
        (-82, YearMonth(2020, 1)),
    ],
)
def test_months_are_counted_across_years(months: int, expected: YearMonth) -> None:
    start = YearMonth(2026, 11)

    moved = start.plus(months)

    assert moved == expected
    assert start.months_until(moved) == months


def test_next_and_previous_cross_the_new_year() -> None:
    december = YearMonth(2026, 12)

    assert december.next() == YearMonth(2027, 1)
    assert december.next().previous() == december
    assert YearMonth(2027, 1).previous() == december


def test_months_are_ordered_in_time() -> None:
    months = [YearMonth(2027, 1), YearMonth(2026, 12), YearMonth(2026, 2), YearMonth(2025, 12)]

    assert sorted(months) == [YearMonth(2025, 12), YearMonth(2026, 2), YearMonth(2026, 12), YearMonth(2027, 1)]
    assert YearMonth(2026, 12) < YearMonth(2027, 1)


def test_months_are_values() -> None:
    assert len({YearMonth.parse("2026-11"), YearMonth(2026, 11), YearMonth.of(date(2026, 11, 5))}) == 1
