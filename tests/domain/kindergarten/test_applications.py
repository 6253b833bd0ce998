from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from domain.kindergarten import applications, queries
from domain.kindergarten.applications import Benefit
from domain.kindergarten.eligibility import ChildTooOld, DuplicateChoice, NoChoices, TooManyChoices
from domain.kindergarten.errors import (
    AlreadyQueued,
    ChoicesInDifferentRegions,
    LanguageNotOffered,
    NotYourChild,
    UnknownKindergarten,
)
from domain.kindergarten.lifecycle import InvalidTransition
from domain.kindergarten.models import ApplicationStatus, BenefitCategory, Language
from domain.shared.errors import InvalidIin, MissingValue, NotFound
from domain.shared.regions import Region
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten


async def _submit(session, family, choices, *, child=None, language=Language.KK, benefit=None, now=NOW):
    return await applications.submit_application(
        family.parent, session, child_iin=child or family.child, choices=[g.id for g in choices], language=language,
        desired_start=date(2026, 9, 1), benefit=benefit, now=now,
    )  # fmt: skip


async def _count(session, sql, **params):
    async with session.begin():
        return (await session.execute(text(sql), params)).scalar()


async def test_a_parent_queues_a_child_at_the_moment_of_submission_in_each_chosen_order(session):
    family = await add_family(session)
    first, second = await add_kindergarten(session), await add_kindergarten(session)

    application_id = await _submit(session, family, [first, second])

    async with session.begin():
        [view] = await queries.my_applications(family.parent, session)
    assert view.id == application_id
    assert view.status is ApplicationStatus.QUEUED
    assert view.queued_at == NOW
    assert view.cohort == 2023
    assert [(c.rank, c.kindergarten_id, c.position) for c in view.choices] == [(1, first.id, 1), (2, second.id, 1)]


async def test_the_queue_date_never_moves_when_choices_and_benefit_change(session):
    family = await add_family(session)
    first, second = await add_kindergarten(session), await add_kindergarten(session)
    application_id = await _submit(session, family, [first])

    await applications.update_application(
        family.parent, session, application_id=application_id, choices=[second.id, first.id],
        benefit=Benefit(BenefitCategory.LARGE_FAMILY, "Справка №15"), now=NOW + timedelta(days=40),
    )  # fmt: skip

    async with session.begin():
        [view] = await queries.my_applications(family.parent, session)
    assert view.queued_at == NOW
    assert [c.kindergarten_id for c in view.choices] == [second.id, first.id]
    assert view.benefit is BenefitCategory.LARGE_FAMILY
    assert not view.benefit_confirmed


@pytest.mark.parametrize(
    ("choices", "error", "field"),
    [
        (0, NoChoices, ("choices",)),
        (5, TooManyChoices, ("choices",)),
    ],
)
async def test_the_number_of_choices_is_one_to_four(session, choices, error, field):
    family = await add_family(session)
    gardens = [await add_kindergarten(session) for _ in range(choices)]

    with pytest.raises(error) as raised:
        await _submit(session, family, gardens)

    assert raised.value.field == field
    assert (
        await _count(session, "SELECT count(*) FROM kindergarten_applications WHERE child_iin = :c", c=family.child)
        == 0
    )


async def test_a_kindergarten_chosen_twice_is_refused(session):
    family = await add_family(session)
    garden = await add_kindergarten(session)

    with pytest.raises(DuplicateChoice) as raised:
        await _submit(session, family, [garden, garden])

    assert raised.value.field == ("choices", "1")


async def test_choices_in_two_regions_are_refused_and_nothing_is_written(session):
    family = await add_family(session)
    astana, almaty = await add_kindergarten(session), await add_kindergarten(session, region=Region.ALMATY)

    with pytest.raises(ChoicesInDifferentRegions) as raised:
        await _submit(session, family, [astana, almaty])

    assert raised.value.field == ("choices", "1")
    assert (
        await _count(session, "SELECT count(*) FROM kindergarten_applications WHERE child_iin = :c", c=family.child)
        == 0
    )


async def test_an_unknown_kindergarten_and_a_language_without_a_group_are_typed_errors(session):
    family = await add_family(session)
    russian_only = await add_kindergarten(session, languages=(Language.RU,))

    with pytest.raises(UnknownKindergarten) as unknown:
        await applications.submit_application(
            family.parent, session, child_iin=family.child, choices=[-5], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=None, now=NOW,
        )  # fmt: skip
    with pytest.raises(LanguageNotOffered):
        await _submit(session, family, [russian_only], language=Language.KK)

    assert unknown.value.field == ("choices", "0")


async def test_an_invalid_iin_and_a_child_of_six_are_refused(session):
    family = await add_family(session, date(2020, 3, 9))
    garden = await add_kindergarten(session)

    with pytest.raises(InvalidIin):
        await _submit(session, family, [garden], child="123456789012")
    with pytest.raises(ChildTooOld):
        await _submit(session, family, [garden])  # 6 on 9 March 2026, today

    assert (
        await _count(session, "SELECT count(*) FROM kindergarten_applications WHERE child_iin = :c", c=family.child)
        == 0
    )


async def test_the_day_before_the_sixth_birthday_a_child_may_still_be_queued(session):
    family = await add_family(session, date(2020, 3, 10))
    garden = await add_kindergarten(session)

    assert await _submit(session, family, [garden]) > 0


async def test_only_a_parent_of_the_child_may_apply(session):
    family, stranger = await add_family(session), await add_family(session)
    garden = await add_kindergarten(session)

    with pytest.raises(NotYourChild):
        await _submit(session, stranger, [garden], child=family.child)


async def test_a_benefit_needs_its_document(session):
    family = await add_family(session)
    garden = await add_kindergarten(session)

    with pytest.raises(MissingValue) as raised:
        await _submit(session, family, [garden], benefit=Benefit(BenefitCategory.ORPHAN, " "))

    assert raised.value.field == ("benefit", "document")


async def test_a_second_application_for_the_child_names_the_first(session):
    family = await add_family(session)
    garden = await add_kindergarten(session)
    first = await _submit(session, family, [garden])

    with pytest.raises(AlreadyQueued) as raised:
        await _submit(session, family, [garden])

    assert raised.value.details["application_id"] == first


async def test_another_parent_cannot_read_or_act_on_an_application(session):
    family, stranger = await add_family(session), await add_family(session)
    garden = await add_kindergarten(session)
    application_id = await _submit(session, family, [garden])

    with pytest.raises(NotFound):
        await applications.withdraw_application(stranger.parent, session, application_id=application_id, now=NOW)
    async with session.begin():
        assert await queries.my_applications(stranger.parent, session) == []


async def test_a_withdrawn_application_leaves_the_orders_and_frees_the_child(session):
    family = await add_family(session)
    garden = await add_kindergarten(session)
    application_id = await _submit(session, family, [garden])

    await applications.withdraw_application(family.parent, session, application_id=application_id, now=NOW)

    with pytest.raises(InvalidTransition):
        await applications.withdraw_application(family.parent, session, application_id=application_id, now=NOW)
    assert await _submit(session, family, [garden]) != application_id
