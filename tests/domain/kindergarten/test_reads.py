from __future__ import annotations

from datetime import UTC, date, datetime

from domain.kindergarten import applications, queries, registry, staff
from domain.kindergarten.models import Language
from domain.shared.access import ANONYMOUS
from domain.shared.calendar import ALMATY
from domain.shared.regions import Region
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten


def test_this_month_starts_at_midnight_in_almaty_not_in_utc():
    # 1 April 00:30 in Almaty is still 31 March in UTC.
    assert queries.stats_month_start(datetime(2026, 3, 31, 19, 30, tzinfo=UTC)) == datetime(2026, 4, 1, tzinfo=ALMATY)
    assert queries.stats_month_start(datetime(2026, 3, 31, 18, 59, tzinfo=UTC)) == datetime(2026, 3, 1, tzinfo=ALMATY)


async def _queue(session, garden):
    family = await add_family(session)
    application_id = await applications.submit_application(
        family.parent, session, child_iin=family.child, choices=[garden.id], language=Language.KK,
        desired_start=date(2026, 9, 1), benefit=None, now=NOW,
    )  # fmt: skip
    return family, application_id


async def test_an_application_by_id_is_read_by_its_parent_only(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)
    stranger = await add_family(session)

    async with session.begin():
        own = await queries.applications_by_id(family.parent, session, [application_id, -1])
        others = await queries.applications_by_id(stranger.parent, session, [application_id])
        staffs = await queries.applications_by_id(garden.staff, session, [application_id])

    assert [view.id if view else None for view in own] == [application_id, None]
    assert others == [None]
    assert staffs == [None]


async def test_an_offer_by_id_is_read_by_staff_of_its_kindergarten_only(session):
    garden, other = await add_kindergarten(session), await add_kindergarten(session)
    family, _ = await _queue(session, garden)
    [offer] = (await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=1,
                                          now=NOW)).offers  # fmt: skip

    [own] = await staff.offers_by_id(garden.staff, session, [offer.offer_id])
    assert await staff.offers_by_id(other.staff, session, [offer.offer_id]) == [None]
    assert await staff.offers_by_id(family.parent, session, [offer.offer_id]) == [None]
    assert await staff.offers_by_id(ANONYMOUS, session, [offer.offer_id]) == [None]

    assert own is not None
    assert (own.kindergarten_id, own.child_iin_masked) == (garden.id, family.child[:6] + "****" + family.child[-2:])


async def test_a_regions_kindergartens_are_paged_in_registry_order(session):
    made = [(await add_kindergarten(session, region=Region.ULYTAU)).id for _ in range(3)]

    async with session.begin():
        first, more = await registry.kindergartens_page(session, region=Region.ULYTAU, after_id=made[0] - 1, size=2)
        rest, after_rest = await registry.kindergartens_page(session, region=Region.ULYTAU, after_id=made[1], size=2)

    assert ([k.id for k in first], more) == (made[:2], True)
    assert ([k.id for k in rest], after_rest) == (made[2:], False)
