from __future__ import annotations

from datetime import date

from domain.shared.calendar import DayKind
from domain.shared.calendar_days import CalendarDay, load_calendar
from domain.shared.regions import Region


async def test_the_national_calendar_knows_the_seeded_holidays(session):
    calendar = await load_calendar(session)

    assert not calendar.is_working_day(date(2026, 12, 16))  # Independence Day, a Wednesday
    assert calendar.is_working_day(date(2026, 12, 17))
    assert calendar.add_business_days(date(2026, 12, 15), 1) == date(2026, 12, 17)


async def test_a_region_extends_the_national_calendar_for_itself_only(session):
    session.add(CalendarDay(region=Region.ALMATY, day=date(2026, 11, 27), kind=DayKind.DAY_OFF, name="City day off"))
    await session.flush()

    almaty = await load_calendar(session, Region.ALMATY)
    astana = await load_calendar(session, Region.ASTANA)

    assert not almaty.is_working_day(date(2026, 11, 27))
    assert astana.is_working_day(date(2026, 11, 27))
    assert not almaty.is_working_day(date(2026, 12, 16))  # the national holidays still apply


async def test_a_regional_working_day_overrides_a_national_day_off(session):
    session.add(
        CalendarDay(region=Region.SHYMKENT, day=date(2026, 3, 9), kind=DayKind.WORKING_DAY, name="Regional transfer")
    )
    await session.flush()

    shymkent = await load_calendar(session, Region.SHYMKENT)
    national = await load_calendar(session)

    assert shymkent.is_working_day(date(2026, 3, 9))
    assert not national.is_working_day(date(2026, 3, 9))
