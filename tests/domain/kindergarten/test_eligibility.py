from __future__ import annotations

from datetime import date

import pytest

from domain.kindergarten.eligibility import (
    ChildTooOld,
    DuplicateChoice,
    NoChoices,
    TooManyChoices,
    check_age,
    check_choices,
    cohort,
    sixth_birthday,
)


def test_a_child_is_queued_until_the_day_before_the_sixth_birthday():
    check_age(date(2020, 6, 10), today=date(2026, 6, 9))

    with pytest.raises(ChildTooOld) as refused:
        check_age(date(2020, 6, 10), today=date(2026, 6, 10))

    assert refused.value.details["turns_six"] == date(2026, 6, 10)


def test_a_child_born_on_29_february_turns_six_on_28_february_of_a_common_year():
    assert sixth_birthday(date(2020, 2, 29)) == date(2026, 2, 28)
    assert sixth_birthday(date(2018, 2, 28)) == date(2024, 2, 28)


@pytest.mark.parametrize(
    ("choices", "error", "field"),
    [([], NoChoices, ("choices",)), ([1, 2, 3, 4, 5], TooManyChoices, ("choices",)),
     ([7, 8, 7], DuplicateChoice, ("choices", "2"))],
    ids=["none", "five", "one twice"],
)  # fmt: skip
def test_choices_are_one_to_four_distinct_kindergartens(choices, error, field):
    with pytest.raises(error) as refused:
        check_choices(choices)

    assert refused.value.field == field


def test_four_distinct_choices_are_accepted_and_the_cohort_is_the_birth_year():
    check_choices([4, 3, 2, 1])

    assert cohort(date(2021, 12, 31)) == 2021
