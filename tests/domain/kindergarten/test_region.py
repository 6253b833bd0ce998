from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.kindergarten import applications, queries, region, staff
from domain.kindergarten.models import Language
from domain.kindergarten.policy import Policy
from domain.kindergarten.region import PolicyOutOfBounds
from domain.shared import access
from domain.shared.access import AuthorityKind
from domain.shared.calendar import DayKind
from domain.shared.errors import Forbidden, InvalidDate
from domain.shared.regions import Region
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten

KARAGANDA = access.AuthorityUser("dept-1", AuthorityKind.EDUCATION_DEPARTMENT, Region.KARAGANDA)


async def test_a_region_sets_its_own_numbers_and_new_offers_follow_them(session):
    await region.set_policy(KARAGANDA, session, policy=Policy(confirm_business_days=3), now=NOW)
    garden = await add_kindergarten(session, region=Region.KARAGANDA)
    family = await add_family(session)
    await applications.submit_application(
        family.parent, session, child_iin=family.child, choices=[garden.id], language=Language.KK,
        desired_start=date(2026, 9, 1), benefit=None, now=NOW,
    )  # fmt: skip

    await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=1, now=NOW)

    async with session.begin():
        [view] = await queries.my_applications(family.parent, session)
    assert view.offer.confirm_by == datetime(2026, 3, 12, 19, 0, tzinfo=UTC)  # Monday + 3 business days


async def test_policy_numbers_are_bounded_and_only_an_education_department_sets_them(session):
    with pytest.raises(PolicyOutOfBounds) as raised:
        await region.set_policy(KARAGANDA, session, policy=Policy(confirm_business_days=0), now=NOW)
    with pytest.raises(Forbidden):
        await region.set_policy((await add_family(session)).parent, session, policy=Policy(), now=NOW)

    assert raised.value.field == ("confirm_business_days",)


async def test_a_regional_day_off_moves_the_deadlines_of_that_region_only(session):
    await region.set_calendar_day(KARAGANDA, session, day=date(2026, 3, 10), kind=DayKind.DAY_OFF,
                                  name="Local day off", now=NOW)  # fmt: skip

    karaganda = await region.working_days(session, Region.KARAGANDA, date(2026, 3, 9), date(2026, 3, 11))
    astana = await region.working_days(session, Region.ASTANA, date(2026, 3, 9), date(2026, 3, 11))

    # 9 March 2026 is the national day off for International Women's Day, which fell on a Sunday.
    assert karaganda == [(date(2026, 3, 9), False), (date(2026, 3, 10), False), (date(2026, 3, 11), True)]
    assert [working for _, working in astana] == [False, True, True]


async def test_national_holidays_are_in_the_calendar(session):
    days = dict(await region.working_days(session, Region.ASTANA, date(2026, 3, 6), date(2026, 3, 9)))

    assert days[date(2026, 3, 8)] is False  # International Women's Day, a Sunday
    assert days[date(2026, 3, 9)] is False  # its substitute day off
    assert days[date(2026, 3, 6)] is True


async def test_a_past_day_cannot_be_changed(session):
    with pytest.raises(InvalidDate) as raised:
        await region.set_calendar_day(KARAGANDA, session, day=date(2026, 3, 1), kind=DayKind.HOLIDAY, name="x",
                                      now=NOW + timedelta(days=1))  # fmt: skip

    assert raised.value.field == ("day",)
