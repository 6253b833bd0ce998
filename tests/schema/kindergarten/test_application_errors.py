from __future__ import annotations

from datetime import date

import pytest

from domain.kindergarten.models import Language
from domain.shared.regions import Region
from tests.domain.kindergarten.registry import add_family, add_kindergarten, new_iin
from tests.graphql import gql
from tests.schema.kindergarten.documents import (
    MONDAY,
    SUBMIT,
    UPDATE,
    application_input,
    applications_by,
    applications_of,
    call,
    global_id,
    parent_token,
    submit,
)


async def _refused(client, keys, family, values, language="en"):
    payload = await call(client, SUBMIT, {"i": values}, parent_token(keys, family), language=language)
    assert payload["application"] is None
    [error] = payload["errors"]
    return error


# Each case makes what it needs and gives back the family that applies and the input it sends.
async def _five_kindergartens(sessions, family, garden):
    return family, application_input(family, garden, *[await add_kindergarten(sessions) for _ in range(4)])


async def _no_kindergarten(sessions, family, garden):
    return family, application_input(family)


async def _one_kindergarten_twice(sessions, family, garden):
    return family, application_input(family, garden, garden)


async def _another_region(sessions, family, garden):
    return family, application_input(family, garden, await add_kindergarten(sessions, region=Region.ALMATY))


async def _no_such_kindergarten(sessions, family, garden):
    return family, application_input(family, garden, choices=[global_id("Kindergarten", garden.id),
                                                               global_id("Kindergarten", 0)])  # fmt: skip


async def _an_id_of_another_type(sessions, family, garden):
    return family, application_input(family, choices=[global_id("Organisation", 1)])


async def _a_language_without_a_group(sessions, family, garden):
    return family, application_input(family, await add_kindergarten(sessions, languages=(Language.RU,)))


async def _a_benefit_without_its_document(sessions, family, garden):
    return family, application_input(family, garden, benefit={"category": "ORPHAN", "documentReference": "  "})


async def _a_start_in_the_past(sessions, family, garden):
    return family, application_input(family, garden, desiredStart="2026-03-08")


async def _a_child_born_tomorrow(sessions, family, garden):
    return family, application_input(family, garden, childIin=new_iin(date(2026, 3, 10)))


async def _a_child_who_turns_six_today(sessions, family, garden):
    six = await add_family(sessions, date(2020, 3, 9))
    return six, application_input(six, garden)


async def _another_familys_child(sessions, family, garden):
    return family, application_input(family, garden, childIin=(await add_family(sessions)).child)


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [
        (_five_kindergartens, "TOO_MANY_CHOICES", ["input", "choices"]),
        (_no_kindergarten, "NO_CHOICES", ["input", "choices"]),
        (_one_kindergarten_twice, "DUPLICATE_CHOICE", ["input", "choices", "1"]),
        (_another_region, "CHOICES_IN_DIFFERENT_REGIONS", ["input", "choices", "1"]),
        (_no_such_kindergarten, "UNKNOWN_KINDERGARTEN", ["input", "choices", "1"]),
        (_an_id_of_another_type, "INVALID_ID", ["input", "choices", "0"]),
        (_a_language_without_a_group, "LANGUAGE_NOT_OFFERED", ["input", "choices", "0"]),
        (_a_benefit_without_its_document, "MISSING_VALUE", ["input", "benefit", "documentReference"]),
        (_a_start_in_the_past, "INVALID_DATE", ["input", "desiredStart"]),
        (_a_child_born_tomorrow, "INVALID_IIN", ["input", "childIin"]),
        (_a_child_who_turns_six_today, "CHILD_TOO_OLD", ["input", "childIin"]),
        (_another_familys_child, "NOT_YOUR_CHILD", ["input", "childIin"]),
    ],
    ids=lambda value: value.__name__.strip("_").replace("_", " ") if callable(value) else None,
)
async def test_a_submission_the_rules_refuse_is_a_typed_error_and_nothing_is_written(
    client, keys, engine, committing_sessions, reset_clock_to, build, code, field
):
    await reset_clock_to(MONDAY)
    family, values = await build(committing_sessions, await add_family(committing_sessions),
                                 await add_kindergarten(committing_sessions))  # fmt: skip

    error = await _refused(client, keys, family, values)

    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert await applications_of(engine, values["childIin"]) == 0
    assert await applications_by(engine, family) == 0


async def test_an_iin_with_a_wrong_check_digit_is_refused_before_anything_runs(
    client, keys, engine, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    family = await add_family(committing_sessions)
    garden = await add_kindergarten(committing_sessions)

    answer = (
        await gql(client, SUBMIT, {"i": application_input(family, garden, childIin="123456789012")},
                  token=parent_token(keys, family), language="en")
    ).json()  # fmt: skip

    [error] = answer["errors"]
    assert error["extensions"]["code"] == "INVALID_IIN"
    assert "123456789012" in error["message"]
    assert "data" not in answer  # the IIN scalar refused the variables: execution never started
    assert await applications_by(engine, family) == 0


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "The child is already in the queue"), ("ru", "Ребёнок уже стоит в очереди"), ("kk", "Бала кезекте тұр")],
)
async def test_a_second_application_for_a_child_names_the_first_by_its_global_id(
    client, keys, engine, committing_sessions, reset_clock_to, language, words
):
    await reset_clock_to(MONDAY)
    family = await add_family(committing_sessions)
    garden, second_garden = await add_kindergarten(committing_sessions), await add_kindergarten(committing_sessions)
    first = await submit(client, keys, family, garden)

    error = await _refused(client, keys, family, application_input(family, second_garden), language=language)

    assert (error["code"], error["field"]) == ("ALREADY_QUEUED", ["input", "childIin"])
    assert first["id"] in error["message"]
    assert error["message"].startswith(words)
    assert await applications_of(engine, family.child) == 1


async def test_the_same_typed_error_is_worded_in_kazakh_russian_and_english(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    family = await add_family(committing_sessions)
    garden = await add_kindergarten(committing_sessions)
    twice = application_input(family, garden, garden)

    kazakh = await _refused(client, keys, family, twice, language="kk-KZ")
    russian = await _refused(client, keys, family, twice, language="ru-RU,ru;q=0.9")
    english = await _refused(client, keys, family, twice, language="en")
    unstated = await _refused(client, keys, family, twice, language=None)

    assert {e["code"] for e in (kazakh, russian, english, unstated)} == {"DUPLICATE_CHOICE"}
    assert kazakh["message"] == "Бір балабақша екі рет таңдалған."
    assert russian["message"] == "Один и тот же детский сад выбран дважды."
    assert english["message"] == "The same kindergarten is chosen twice."
    assert unstated["message"] == kazakh["message"]  # Kazakh, the state language, when none is asked for


async def test_a_change_of_choices_keeps_the_queue_date_and_a_null_benefit_drops_the_claim(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    family = await add_family(committing_sessions)
    first, second = await add_kindergarten(committing_sessions), await add_kindergarten(committing_sessions)
    token = parent_token(keys, family)
    application = await submit(client, keys, family, first,
                               benefit={"category": "LARGE_FAMILY", "documentReference": "Справка №15"})  # fmt: skip
    await reset_clock_to("2026-04-20T09:00:00+05:00")
    moved = {"applicationId": application["id"], "choices": [global_id("Kindergarten", second.id)]}

    kept = await call(client, UPDATE, {"i": moved}, token)
    dropped = await call(client, UPDATE, {"i": {"applicationId": application["id"], "benefit": None}}, token)
    no_document = {**moved, "benefit": {"category": "ORPHAN", "documentReference": ""}}
    bad = await call(client, UPDATE, {"i": no_document}, token)

    assert kept["errors"] == []
    assert kept["application"]["queuedAt"] == MONDAY
    assert [c["kindergarten"]["id"] for c in kept["application"]["choices"]] == [global_id("Kindergarten", second.id)]
    assert kept["application"]["benefit"] == {
        "category": "LARGE_FAMILY", "documentReference": "Справка №15", "confirmed": False,
    }  # fmt: skip
    assert dropped["errors"] == []
    assert dropped["application"]["benefit"] is None
    assert dropped["application"]["choices"][0]["kindergarten"]["id"] == global_id("Kindergarten", second.id)
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [
        ("MISSING_VALUE", ["input", "benefit", "documentReference"])
    ]
