from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.kindergarten import applications, offers, queries, staff
from domain.kindergarten.applications import Benefit
from domain.kindergarten.errors import (
    BenefitNotConfirmed,
    DeadlinePassed,
    ExtensionUsed,
    InvalidCount,
    LanguageNotOffered,
    NoCapacity,
)
from domain.kindergarten.lifecycle import InvalidTransition
from domain.kindergarten.models import ApplicationStatus, BenefitCategory, Language, OfferStatus
from domain.shared.errors import Forbidden, NotFound
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten


async def _queue(session, garden, *, benefit=None, at=NOW, choices=None):
    family = await add_family(session)
    application_id = await applications.submit_application(
        family.parent, session, child_iin=family.child, choices=[g.id for g in (choices or [garden])],
        language=Language.KK, desired_start=date(2026, 9, 1), benefit=benefit, now=at,
    )  # fmt: skip
    return family, application_id


async def _view(session, family):
    async with session.begin():
        [view] = await queries.my_applications(family.parent, session)
    return view


async def _publish(session, garden, count=1, *, at=NOW, language=Language.KK):
    return await staff.publish_places(garden.staff, session, cohort=2023, language=language, count=count, now=at)


async def test_a_published_place_goes_at_once_to_the_first_child_with_two_business_days_to_confirm(session):
    garden = await add_kindergarten(session)
    first, first_id = await _queue(session, garden)
    second, _ = await _queue(session, garden, at=NOW + timedelta(minutes=1))

    publication = await _publish(session, garden, at=NOW + timedelta(hours=1))

    assert [offer.application_id for offer in publication.offers] == [first_id]
    view = await _view(session, first)
    assert view.status is ApplicationStatus.OFFERED
    # Offered on Monday 9 March (a day off, which counts the same way): Tuesday and Wednesday, to 24:00 local.
    assert view.offer.confirm_by == datetime(2026, 3, 11, 19, 0, tzinfo=UTC)
    assert [c.position for c in (await _view(session, second)).choices] == [1]


async def test_the_order_is_extraordinary_first_then_first_priority_and_general_one_to_three(session):
    garden = await add_kindergarten(session)
    queued = {}
    spec = "GGGGGGFFEGGF"
    for minute, letter in enumerate(spec):
        benefit = {"E": Benefit(BenefitCategory.SERVICEMAN_CHILD, "doc"),
                   "F": Benefit(BenefitCategory.LARGE_FAMILY, "doc"), "G": None}[letter]  # fmt: skip
        _, application_id = await _queue(session, garden, benefit=benefit, at=NOW + timedelta(minutes=minute))
        queued[application_id] = letter

    publication = await _publish(session, garden, len(spec), at=NOW + timedelta(hours=1))

    assert "".join(queued[offer.application_id] for offer in publication.offers) == "EFGGGFGGGFGG"


async def test_places_published_one_at_a_time_still_go_one_in_four_to_first_priority(session):
    garden = await add_kindergarten(session)
    queued = {}
    for minute, letter in enumerate("FFGGGGGG"):
        benefit = Benefit(BenefitCategory.ORPHAN, "doc") if letter == "F" else None
        _, application_id = await _queue(session, garden, benefit=benefit, at=NOW + timedelta(minutes=minute))
        queued[application_id] = letter

    taken = ""
    for n in range(5):
        [offer] = (await _publish(session, garden, at=NOW + timedelta(hours=1, minutes=n))).offers
        taken += queued[offer.application_id]

    assert taken == "FGGGF"


async def test_positions_follow_the_counter(session):
    garden = await add_kindergarten(session)
    general, _ = await _queue(session, garden)
    first, _ = await _queue(session, garden, benefit=Benefit(BenefitCategory.ORPHAN, "doc"), at=NOW + timedelta(1))

    assert (await _view(session, first)).choices[0].position == 1
    assert (await _view(session, general)).choices[0].position == 2


async def test_a_child_holding_an_offer_is_in_no_order(session):
    garden, other = await add_kindergarten(session), await add_kindergarten(session)
    family, _ = await _queue(session, garden, choices=[garden, other])
    behind, _ = await _queue(session, other, at=NOW + timedelta(minutes=1))

    await _publish(session, garden)

    assert [c.position for c in (await _view(session, family)).choices] == [None, None]
    assert (await _view(session, behind)).choices[0].position == 1


async def test_places_find_no_child_stay_open_and_go_to_the_next_child_who_comes(session):
    garden = await add_kindergarten(session)
    assert (await _publish(session, garden, 2)).offers == []

    family, _ = await _queue(session, garden, at=NOW + timedelta(hours=1))

    view = await _view(session, family)
    assert view.status is ApplicationStatus.OFFERED
    assert view.offer.kindergarten_id == garden.id


async def test_publishing_is_for_staff_of_a_kindergarten_within_its_capacity(session):
    garden = await add_kindergarten(session, capacity=3)
    family = await add_family(session)

    with pytest.raises(Forbidden):
        await staff.publish_places(family.parent, session, cohort=2023, language=Language.KK, count=1, now=NOW)
    with pytest.raises(InvalidCount):
        await _publish(session, garden, 0)
    await _publish(session, garden, 2)
    with pytest.raises(NoCapacity) as raised:
        await _publish(session, garden, 2)
    assert raised.value.details["free"] == 1


async def test_confirm_then_sign_enrols_the_child_and_takes_the_place(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)
    await _publish(session, garden)

    await offers.confirm_offer(family.parent, session, application_id=application_id, now=NOW + timedelta(days=1))
    view = await _view(session, family)
    assert view.status is ApplicationStatus.CONFIRMED
    # Confirmed on Tuesday: five business days to sign, to the end of Tuesday the week after.
    assert view.offer.sign_by == datetime(2026, 3, 17, 19, 0, tzinfo=UTC)

    await offers.sign_contract(family.parent, session, application_id=application_id, now=NOW + timedelta(days=2))

    view = await _view(session, family)
    assert view.status is ApplicationStatus.ENROLLED
    assert view.offer is None
    async with session.begin():
        places = (await session.execute(text("SELECT status::text FROM kindergarten_places WHERE kindergarten_id = :g"),
                                        {"g": garden.id})).scalars().all()  # fmt: skip
    assert places == ["TAKEN"]


async def test_an_answer_after_the_deadline_is_refused_even_before_the_sweep(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)
    await _publish(session, garden)

    with pytest.raises(DeadlinePassed):
        await offers.confirm_offer(family.parent, session, application_id=application_id,
                                   now=datetime(2026, 3, 11, 19, 0, tzinfo=UTC))  # fmt: skip
    await offers.confirm_offer(family.parent, session, application_id=application_id,
                               now=datetime(2026, 3, 11, 18, 59, tzinfo=UTC))  # fmt: skip


async def test_the_contract_period_is_extended_once_by_up_to_thirty_days(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)
    await _publish(session, garden)
    await offers.confirm_offer(family.parent, session, application_id=application_id, now=NOW + timedelta(days=1))

    sign_by = await offers.request_contract_extension(
        family.parent, session, application_id=application_id, days=30, now=NOW + timedelta(days=2)
    )

    assert sign_by == datetime(2026, 3, 17, 19, 0, tzinfo=UTC) + timedelta(days=30)
    with pytest.raises(ExtensionUsed):
        await offers.request_contract_extension(family.parent, session, application_id=application_id, days=5,
                                                now=NOW + timedelta(days=3))  # fmt: skip


async def test_refusing_keeps_the_child_waiting_for_higher_choices_only(session):
    top, middle, low = [await add_kindergarten(session) for _ in range(3)]
    family, application_id = await _queue(session, top, choices=[top, middle, low])
    await _publish(session, middle)

    await offers.refuse_offer(family.parent, session, application_id=application_id, now=NOW + timedelta(hours=2))

    view = await _view(session, family)
    assert view.status is ApplicationStatus.QUEUED
    assert view.queued_at == NOW
    assert [c.kindergarten_id for c in view.choices] == [top.id]


async def test_refusing_an_offer_of_the_first_choice_ends_the_application(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)
    next_family, _ = await _queue(session, garden, at=NOW + timedelta(minutes=1))
    await _publish(session, garden)

    await offers.refuse_offer(family.parent, session, application_id=application_id, now=NOW + timedelta(hours=2))

    assert (await _view(session, family)).status is ApplicationStatus.REFUSED
    assert (await _view(session, next_family)).status is ApplicationStatus.OFFERED  # the place went on at once


async def test_withdrawing_while_holding_an_offer_releases_the_place_to_the_next_child(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)
    next_family, _ = await _queue(session, garden, at=NOW + timedelta(minutes=1))
    await _publish(session, garden)

    await applications.withdraw_application(family.parent, session, application_id=application_id,
                                            now=NOW + timedelta(hours=2))  # fmt: skip

    assert (await _view(session, next_family)).status is ApplicationStatus.OFFERED


async def test_a_claimed_benefit_must_be_confirmed_before_signing(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden, benefit=Benefit(BenefitCategory.TEACHER_CHILD, "№7"))
    [offer] = (await _publish(session, garden)).offers
    await offers.confirm_offer(family.parent, session, application_id=application_id, now=NOW + timedelta(hours=1))

    with pytest.raises(BenefitNotConfirmed):
        await offers.sign_contract(family.parent, session, application_id=application_id, now=NOW + timedelta(hours=2))
    await staff.confirm_benefit(garden.staff, session, offer_id=offer.offer_id, now=NOW + timedelta(hours=3))
    await offers.sign_contract(family.parent, session, application_id=application_id, now=NOW + timedelta(hours=4))

    assert (await _view(session, family)).status is ApplicationStatus.ENROLLED


async def test_a_rejected_benefit_cancels_the_offer_and_the_place_goes_to_the_next_in_general_order(session):
    garden = await add_kindergarten(session)
    general, _ = await _queue(session, garden)
    claimant, claimant_id = await _queue(session, garden, benefit=Benefit(BenefitCategory.ORPHAN, "№1"),
                                         at=NOW + timedelta(minutes=1))  # fmt: skip
    [offer] = (await _publish(session, garden)).offers
    assert offer.application_id == claimant_id

    await staff.reject_benefit(garden.staff, session, offer_id=offer.offer_id, reason="документ не подтверждён",
                               now=NOW + timedelta(hours=1))  # fmt: skip

    view = await _view(session, claimant)
    assert view.status is ApplicationStatus.QUEUED
    assert view.benefit is None
    assert view.queued_at == NOW + timedelta(minutes=1)
    assert (await _view(session, general)).status is ApplicationStatus.OFFERED


async def test_staff_of_one_kindergarten_cannot_act_for_another(session):
    garden, other = await add_kindergarten(session), await add_kindergarten(session)
    _, _ = await _queue(session, garden, benefit=Benefit(BenefitCategory.ORPHAN, "№1"))
    [offer] = (await _publish(session, garden)).offers

    with pytest.raises(NotFound):
        await staff.confirm_benefit(other.staff, session, offer_id=offer.offer_id, now=NOW)
    async with session.begin():
        assert await staff.open_offers(other.staff, session, after_id=None, limit=10) == []
    async with session.begin():
        [seen] = await staff.open_offers(garden.staff, session, after_id=None, limit=10)
    assert seen.status is OfferStatus.OFFERED
    assert "****" in seen.child_iin_masked


async def test_an_application_holding_no_offer_cannot_answer_one(session):
    garden = await add_kindergarten(session)
    family, application_id = await _queue(session, garden)

    with pytest.raises(InvalidTransition):
        await offers.confirm_offer(family.parent, session, application_id=application_id, now=NOW)


async def test_publishing_for_a_language_the_kindergarten_has_no_group_in_names_the_language(session):
    garden = await add_kindergarten(session, languages=(Language.RU,))

    with pytest.raises(LanguageNotOffered) as raised:
        await _publish(session, garden, language=Language.KK)

    assert raised.value.field == ("language",)


async def test_a_position_moves_for_reasons_that_came_after_the_child_joined(session):
    garden = await add_kindergarten(session)
    await _queue(session, garden)
    family, _ = await _queue(session, garden, at=NOW + timedelta(minutes=1))
    await _queue(session, garden, benefit=Benefit(BenefitCategory.SERVICEMAN_CHILD, "№9"), at=NOW + timedelta(1))
    await _queue(session, garden, at=NOW + timedelta(days=2))  # behind: does not move the child

    await _publish(session, garden, at=NOW + timedelta(days=3))

    [choice] = (await _view(session, family)).choices
    assert choice.position == 2
    assert [(c.change, c.reason, c.own, c.moves_back) for c in choice.changes] == [
        ("OFFERED", "OFFER_MADE", False, False),
        ("JOINED", "NEW", False, True),
        ("JOINED", "NEW", True, False),
    ]
