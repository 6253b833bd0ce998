from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.shared.calendar import (
    ALMATY,
    CalendarException,
    DayKind,
    WorkingCalendar,
    end_of_local_day,
    local_date,
    national_exceptions,
)

# November 2026: Monday 2, ..., Friday 6, Saturday 7, Sunday 8, Monday 9.
MONDAY = date(2026, 11, 2)
FRIDAY = date(2026, 11, 6)
SATURDAY = date(2026, 11, 7)
SUNDAY = date(2026, 11, 8)

A_WEEK_WITH_EXCEPTIONS = WorkingCalendar(
    [
        CalendarException(date(2026, 11, 3), DayKind.HOLIDAY, "Tuesday holiday"),
        CalendarException(date(2026, 11, 5), DayKind.DAY_OFF, "Thursday off"),
        CalendarException(SUNDAY, DayKind.WORKING_DAY, "Sunday worked for Thursday"),
    ]
)


@pytest.mark.parametrize(
    ("day", "working"),
    [(MONDAY, True), (FRIDAY, True), (SATURDAY, False), (SUNDAY, False), (date(2026, 11, 4), True)],
)
def test_without_exceptions_monday_to_friday_are_working_days(day: date, working: bool) -> None:
    calendar = WorkingCalendar()

    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (MONDAY, True),
        (date(2026, 11, 3), False),
        (date(2026, 11, 4), True),
        (date(2026, 11, 5), False),
        (FRIDAY, True),
        (SATURDAY, False),
        (SUNDAY, True),
    ],
)
def test_exceptions_turn_weekdays_off_and_weekend_days_on(day: date, working: bool) -> None:
    assert A_WEEK_WITH_EXCEPTIONS.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (MONDAY, 1, date(2026, 11, 3)),
        (MONDAY, 2, date(2026, 11, 4)),
        (FRIDAY, 1, date(2026, 11, 9)),  # over the weekend
        (SATURDAY, 1, date(2026, 11, 9)),  # from a day off, the next working day counts first
        (SUNDAY, 5, date(2026, 11, 13)),
    ],
)
def test_business_days_are_counted_from_the_day_after_start(start: date, n: int, expected: date) -> None:
    calendar = WorkingCalendar()

    assert calendar.add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (MONDAY, 1, date(2026, 11, 4)),  # Tuesday is a holiday
        (MONDAY, 2, FRIDAY),  # Thursday is off
        (FRIDAY, 1, SUNDAY),  # the working Sunday
        (MONDAY, 4, date(2026, 11, 9)),
    ],
)
def test_business_days_skip_days_off_and_count_working_weekend_days(start: date, n: int, expected: date) -> None:
    assert A_WEEK_WITH_EXCEPTIONS.add_business_days(start, n) == expected


@pytest.mark.parametrize("n", [0, -1])
def test_counting_no_business_days_is_a_programming_error(n: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        WorkingCalendar().add_business_days(MONDAY, n)


def test_an_offer_on_monday_morning_must_be_confirmed_by_the_end_of_wednesday() -> None:
    monday_10_00 = datetime(2026, 11, 2, 10, 0, tzinfo=ALMATY)

    deadline = WorkingCalendar().deadline_after(monday_10_00, 2)

    assert deadline == datetime(2026, 11, 5, 0, 0, tzinfo=ALMATY)
    assert deadline.utcoffset() == timedelta(hours=5)


def test_an_offer_made_on_friday_has_lapsed_on_wednesday_morning() -> None:
    friday = datetime(2025, 10, 10, 16, 0, tzinfo=ALMATY)
    wednesday_9_00 = datetime(2025, 10, 15, 9, 0, tzinfo=ALMATY)

    deadline = WorkingCalendar().deadline_after(friday, 2)

    assert deadline == datetime(2025, 10, 15, 0, 0, tzinfo=ALMATY)
    assert wednesday_9_00 > deadline


def test_the_deadline_counts_from_the_local_day_not_the_utc_day() -> None:
    sunday_21_00_utc = datetime(2026, 11, 1, 21, 0, tzinfo=UTC)  # Monday 02:00 in Almaty

    deadline = WorkingCalendar().deadline_after(sunday_21_00_utc, 2)

    assert deadline == datetime(2026, 11, 5, 0, 0, tzinfo=ALMATY)  # Monday's offer: end of Wednesday


def test_an_offer_on_a_non_working_day_counts_the_same_way() -> None:
    saturday = datetime(2026, 11, 7, 12, 0, tzinfo=ALMATY)

    deadline = WorkingCalendar().deadline_after(saturday, 2)

    assert deadline == datetime(2026, 11, 11, 0, 0, tzinfo=ALMATY)  # Monday and Tuesday


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2025, 12, 31, 18, 59, 59, tzinfo=UTC), date(2025, 12, 31)),
        (datetime(2025, 12, 31, 19, 0, tzinfo=UTC), date(2026, 1, 1)),
        (datetime(2026, 1, 1, 0, 30, tzinfo=ALMATY), date(2026, 1, 1)),
    ],
)
def test_the_local_day_is_the_day_in_almaty_at_utc_plus_5(moment: datetime, day: date) -> None:
    assert local_date(moment) == day


def test_the_end_of_the_local_day_is_midnight_in_almaty() -> None:
    moment = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 23:30 in Almaty

    end = end_of_local_day(moment)

    assert end == datetime(2026, 11, 26, 0, 0, tzinfo=ALMATY)
    assert end - moment == timedelta(minutes=30)


def test_a_naive_datetime_has_no_local_day() -> None:
    with pytest.raises(ValueError, match="naive"):
        WorkingCalendar().deadline_after(datetime(2026, 11, 2, 10, 0), 2)


def test_a_day_listed_both_as_working_and_as_off_is_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(
            [
                CalendarException(SUNDAY, DayKind.WORKING_DAY, "worked"),
                CalendarException(SUNDAY, DayKind.HOLIDAY, "holiday"),
            ]
        )


def test_a_day_listed_twice_as_off_is_off() -> None:
    calendar = WorkingCalendar(
        [
            CalendarException(MONDAY, DayKind.HOLIDAY, "holiday"),
            CalendarException(MONDAY, DayKind.DAY_OFF, "decree"),
        ]
    )

    assert not calendar.is_working_day(MONDAY)


def test_the_2025_decree_moved_friday_3_january_off_and_sunday_5_january_to_work() -> None:
    exceptions = {exception.day: exception.kind for exception in national_exceptions([2025])}

    assert exceptions[date(2025, 1, 1)] is DayKind.HOLIDAY
    assert exceptions[date(2025, 1, 2)] is DayKind.HOLIDAY
    assert exceptions[date(2025, 1, 3)] is DayKind.DAY_OFF
    assert exceptions[date(2025, 1, 5)] is DayKind.WORKING_DAY
    assert exceptions[date(2025, 1, 7)] is DayKind.HOLIDAY  # Orthodox Christmas


def test_the_national_calendar_of_2025_counts_the_transferred_sunday() -> None:
    calendar = WorkingCalendar(national_exceptions([2025]))
    thursday_2_january = datetime(2025, 1, 2, 11, 0, tzinfo=ALMATY)

    deadline = calendar.deadline_after(thursday_2_january, 2)

    assert deadline == datetime(2025, 1, 7, 0, 0, tzinfo=ALMATY)  # Sunday 5 and Monday 6 January


def test_a_holiday_on_a_weekend_gives_a_substitute_day_off() -> None:
    exceptions = {exception.day: exception for exception in national_exceptions([2026])}

    assert exceptions[date(2026, 3, 8)].kind is DayKind.HOLIDAY  # International Women's Day, a Sunday
    assert exceptions[date(2026, 3, 9)].kind is DayKind.DAY_OFF
    assert "Women" in exceptions[date(2026, 3, 9)].name


def test_the_national_exceptions_hold_the_years_asked_for_and_no_other() -> None:
    exceptions = national_exceptions([2027, 2026])

    assert {exception.day.year for exception in exceptions} == {2026, 2027}
    assert [exception.day for exception in exceptions] == sorted(exception.day for exception in exceptions)
    assert {date(2026, 1, 1), date(2026, 12, 16), date(2027, 1, 1), date(2027, 12, 16)} <= {
        exception.day for exception in exceptions if exception.kind is DayKind.HOLIDAY
    }


def test_the_package_lists_a_working_saturday_of_2013_only_when_2013_is_asked_for() -> None:
    worked_for_3_january_2014 = date(2013, 12, 28)

    in_2013 = {exception.day for exception in national_exceptions([2013]) if exception.kind is DayKind.WORKING_DAY}
    in_2014 = {exception.day for exception in national_exceptions([2014])}

    assert worked_for_3_january_2014 in in_2013
    assert worked_for_3_january_2014 not in in_2014


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_working_exceptions_fall_on_weekends_and_substitute_days_on_weekdays(year: int) -> None:
    exceptions = national_exceptions([year])

    assert all(e.day.weekday() >= 5 for e in exceptions if e.kind is DayKind.WORKING_DAY)
    assert all(e.day.weekday() < 5 for e in exceptions if e.kind is DayKind.DAY_OFF)
    assert all(e.name for e in exceptions)


def test_no_years_give_no_exceptions() -> None:
    assert national_exceptions([]) == []


def test_almaty_is_utc_plus_5_whatever_the_tz_database_says() -> None:
    assert ALMATY.utcoffset(None) == timedelta(hours=5)
    assert datetime(2023, 6, 1, tzinfo=ALMATY).utcoffset() == timedelta(hours=5)
