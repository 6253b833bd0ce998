from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.kindergarten import applications, offers, queries, staff
from domain.kindergarten.applications import Benefit
from domain.kindergarten.errors import ReactivationUsed, ReactivationWindowClosed
from domain.kindergarten.models import ApplicationStatus, BenefitCategory, ClosedReason, Language
from domain.kindergarten.sweep import sweep
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten

# The sweep works in transactions of its own, so these tests commit; every family and kindergarten is fresh.
pytestmark = pytest.mark.race

CONFIRM_BY = datetime(2026, 3, 11, 19, 0, tzinfo=UTC)  # offer on Monday 9 March: end of Wednesday in Almaty


async def _queue(sessions, garden, *, at=NOW, benefit=None, born=None):
    family = await add_family(sessions, *((born and [born]) or []))
    async with sessions() as session:
        application_id = await applications.submit_application(
            family.parent, session, child_iin=family.child, choices=[garden.id], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=benefit, now=at,
        )  # fmt: skip
    return family, application_id


async def _publish(sessions, garden, count=1, at=NOW):
    async with sessions() as session:
        return await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=count, now=at)


async def _view(sessions, family):
    async with sessions() as session, session.begin():
        [view] = await queries.my_applications(family.parent, session)
    return view


async def _kinds(sessions, family):
    async with sessions() as session, session.begin():
        return [n.kind for n in await queries.my_notifications(family.parent, session, after_id=0, limit=100)]


async def test_an_offer_not_confirmed_in_time_lapses_and_the_place_goes_to_the_next_child(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, _ = await _queue(committing_sessions, garden)
    next_family, _ = await _queue(committing_sessions, garden, at=NOW + timedelta(minutes=1))
    await _publish(committing_sessions, garden)

    await sweep(committing_sessions, now=CONFIRM_BY - timedelta(seconds=1))
    assert (await _view(committing_sessions, family)).status is ApplicationStatus.OFFERED

    await sweep(committing_sessions, now=CONFIRM_BY)

    view = await _view(committing_sessions, family)
    assert view.status is ApplicationStatus.INACTIVE
    assert view.reactivate_by == CONFIRM_BY + timedelta(days=28)
    assert (await _view(committing_sessions, next_family)).status is ApplicationStatus.OFFERED
    assert "OFFER_LAPSED" in await _kinds(committing_sessions, family)


async def test_an_inactive_application_is_reactivated_once_then_a_second_lapse_closes_it(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, application_id = await _queue(committing_sessions, garden)
    await _publish(committing_sessions, garden)
    await sweep(committing_sessions, now=CONFIRM_BY)

    async with committing_sessions() as session:
        await applications.reactivate_application(family.parent, session, application_id=application_id,
                                                  now=CONFIRM_BY + timedelta(days=3))  # fmt: skip
    view = await _view(committing_sessions, family)
    # Back at its queue date, the child is first again for the place that nobody else waited for.
    assert (view.status, view.queued_at) == (ApplicationStatus.OFFERED, NOW)

    await sweep(committing_sessions, now=view.offer.confirm_by)

    view = await _view(committing_sessions, family)
    assert (view.status, view.closed_reason) == (ApplicationStatus.CLOSED, ClosedReason.SECOND_LAPSE)
    async with committing_sessions() as session:
        with pytest.raises(ReactivationUsed):
            await applications.reactivate_application(family.parent, session, application_id=application_id,
                                                      now=datetime(2026, 3, 19, tzinfo=UTC))  # fmt: skip


async def test_after_28_days_the_application_cannot_be_reactivated_and_the_sweep_closes_it(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, application_id = await _queue(committing_sessions, garden)
    await _publish(committing_sessions, garden)
    await sweep(committing_sessions, now=CONFIRM_BY)
    window_end = CONFIRM_BY + timedelta(days=28)

    async with committing_sessions() as session:
        with pytest.raises(ReactivationWindowClosed):  # the window decides, before any sweep
            await applications.reactivate_application(family.parent, session, application_id=application_id,
                                                      now=window_end)  # fmt: skip
    await sweep(committing_sessions, now=window_end)

    view = await _view(committing_sessions, family)
    assert (view.status, view.closed_reason) == (ApplicationStatus.CLOSED, ClosedReason.REACTIVATION_WINDOW_PASSED)


async def test_a_contract_not_signed_in_time_expires_and_closes_the_application(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, application_id = await _queue(committing_sessions, garden)
    next_family, _ = await _queue(committing_sessions, garden, at=NOW + timedelta(minutes=1))
    await _publish(committing_sessions, garden)
    async with committing_sessions() as session:
        await offers.confirm_offer(family.parent, session, application_id=application_id, now=NOW)

    sign_by = (await _view(committing_sessions, family)).offer.sign_by
    await sweep(committing_sessions, now=sign_by)

    view = await _view(committing_sessions, family)
    assert (view.status, view.closed_reason) == (ApplicationStatus.CLOSED, ClosedReason.CONTRACT_EXPIRED)
    assert (await _view(committing_sessions, next_family)).status is ApplicationStatus.OFFERED


async def test_a_benefit_unconfirmed_for_five_business_days_drops_and_the_child_returns_to_the_general_order(
    committing_sessions,
):
    garden = await add_kindergarten(committing_sessions)
    family, application_id = await _queue(committing_sessions, garden, benefit=Benefit(BenefitCategory.ORPHAN, "№3"))
    await _publish(committing_sessions, garden)
    async with committing_sessions() as session:
        await offers.confirm_offer(family.parent, session, application_id=application_id, now=NOW)
    benefit_by = (await _view(committing_sessions, family)).offer.benefit_by
    assert benefit_by == datetime(2026, 3, 16, 19, 0, tzinfo=UTC)  # offer on Monday: end of the next Monday

    # The parent confirmed in time, but staff never checked the benefit.
    await sweep(committing_sessions, now=benefit_by)

    view = await _view(committing_sessions, family)
    assert view.benefit is None
    # The place was freed and, nobody else waiting, offered again at once to the same child, now in general order.
    assert view.status is ApplicationStatus.OFFERED
    assert view.offer.benefit_by is None
    assert "OFFER_CANCELLED" in await _kinds(committing_sessions, family)


async def test_a_child_who_turns_six_leaves_the_queue(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, _ = await _queue(committing_sessions, garden, born=date(2020, 2, 29), at=datetime(2026, 1, 5, tzinfo=UTC))

    await sweep(committing_sessions, now=datetime(2026, 2, 26, 19, 0, tzinfo=UTC))  # 27 February in Almaty
    assert (await _view(committing_sessions, family)).status is ApplicationStatus.QUEUED

    await sweep(committing_sessions, now=datetime(2026, 2, 27, 19, 0, tzinfo=UTC))  # 28 February: turns 6

    view = await _view(committing_sessions, family)
    assert (view.status, view.closed_reason) == (ApplicationStatus.CLOSED, ClosedReason.AGED_OUT)


async def test_the_parent_is_warned_once_when_the_last_day_to_confirm_begins(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, _ = await _queue(committing_sessions, garden)
    await _publish(committing_sessions, garden)

    await sweep(committing_sessions, now=CONFIRM_BY - timedelta(days=1, seconds=1))
    assert "DEADLINE_NEAR" not in await _kinds(committing_sessions, family)
    await sweep(committing_sessions, now=CONFIRM_BY - timedelta(days=1))
    await sweep(committing_sessions, now=CONFIRM_BY - timedelta(hours=2))

    assert (await _kinds(committing_sessions, family)).count("DEADLINE_NEAR") == 1


async def test_two_sweeps_at_once_settle_each_deadline_once(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    families = [(await _queue(committing_sessions, garden, at=NOW + timedelta(minutes=n)))[0] for n in range(6)]
    await _publish(committing_sessions, garden, 3)

    # Both sweep the whole country: their figures include other tests' leftovers, so the offers are counted here.
    await asyncio.gather(sweep(committing_sessions, now=CONFIRM_BY), sweep(committing_sessions, now=CONFIRM_BY))

    statuses = [(await _view(committing_sessions, family)).status for family in families]
    assert statuses == [ApplicationStatus.INACTIVE] * 3 + [ApplicationStatus.OFFERED] * 3
    async with committing_sessions() as session, session.begin():
        by_status = dict((await session.execute(text(
            "SELECT status::text, count(*) FROM kindergarten_offers WHERE kindergarten_id = :g GROUP BY 1"),
            {"g": garden.id})).all())  # fmt: skip
        lapse_events = (await session.execute(text(
            "SELECT count(*) FROM kindergarten_application_events"
            " WHERE kindergarten_id = :g AND kind = 'OFFER_LAPSED'"),
            {"g": garden.id})).scalar()  # fmt: skip
    assert by_status == {"LAPSED": 3, "OFFERED": 3}
    assert lapse_events == 3


async def test_the_parent_is_warned_once_when_the_last_day_to_reactivate_begins(committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family, _ = await _queue(committing_sessions, garden)
    await _publish(committing_sessions, garden)
    await sweep(committing_sessions, now=CONFIRM_BY)
    window_end = CONFIRM_BY + timedelta(days=28)

    await sweep(committing_sessions, now=window_end - timedelta(days=1, seconds=1))
    assert "DEADLINE_NEAR" not in await _kinds(committing_sessions, family)
    await sweep(committing_sessions, now=window_end - timedelta(days=1))
    await sweep(committing_sessions, now=window_end - timedelta(hours=1))

    assert (await _kinds(committing_sessions, family)).count("DEADLINE_NEAR") == 1


@pytest.mark.parametrize(
    ("born", "turns_six"),
    [
        (date(2020, 2, 29), date(2026, 2, 28)),
        (date(2022, 2, 28), date(2028, 2, 28)),
        (date(2020, 5, 17), date(2026, 5, 17)),
    ],
)
async def test_a_child_leaves_the_queue_on_the_sixth_birthday_not_a_day_earlier(committing_sessions, born, turns_six):
    garden = await add_kindergarten(committing_sessions, cohorts=(born.year,))
    family, _ = await _queue(committing_sessions, garden, born=born, at=datetime(born.year + 1, 1, 5, tzinfo=UTC))
    eve = datetime.combine(turns_six, datetime.min.time(), tzinfo=UTC) - timedelta(hours=5, seconds=1)

    await sweep(committing_sessions, now=eve)  # 23:59:59 in Almaty the day before
    assert (await _view(committing_sessions, family)).status is ApplicationStatus.QUEUED
    await sweep(committing_sessions, now=eve + timedelta(seconds=1))

    assert (await _view(committing_sessions, family)).closed_reason is ClosedReason.AGED_OUT
