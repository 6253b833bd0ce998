from __future__ import annotations

from datetime import date

from domain.insurance.status import (
    CoverReason,
    PersonHistory,
    StatePeriod,
    cover_for,
    covers_from,
    paid_months_of_last_year,
)
from domain.shared.months import YearMonth

ADULT = date(1985, 3, 15)


def _run(first: str, count: int) -> set[YearMonth]:
    start = YearMonth.parse(first)
    return {start.plus(n) for n in range(count)}


def test_a_child_is_insured_by_the_state_without_payments_until_the_month_of_turning_eighteen():
    child = PersonHistory(born=date(2015, 6, 10), state_periods=(), paid=set())

    cover = cover_for(child, YearMonth(2026, 11))

    assert (cover.insured, cover.reason, cover.state_category) == (True, CoverReason.STATE, "CHILD")
    assert cover.covered_until == date(2033, 6, 30)  # 18 on 10 June 2033: June is the last month under 18 on its 1st
    assert not cover_for(child, YearMonth(2033, 7)).insured


def test_a_payer_who_paid_through_march_is_insured_through_june_and_not_july():
    payer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2025-04", 12))  # April 2025 … March 2026

    june, july = cover_for(payer, YearMonth(2026, 6)), cover_for(payer, YearMonth(2026, 7))

    assert (june.insured, june.reason) == (True, CoverReason.GRACE)
    assert june.covered_until == date(2026, 6, 30)
    assert not july.insured


def test_after_sixty_gap_free_months_the_grace_is_six_months_from_2026():
    payer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2021-01", 60))  # through December 2025

    assert cover_for(payer, YearMonth(2026, 6)).reason is CoverReason.GRACE
    assert not cover_for(payer, YearMonth(2026, 7)).insured


def test_before_2026_a_long_payer_still_has_three_months_of_grace():
    payer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2019-01", 60))  # through December 2023

    assert cover_for(payer, YearMonth(2024, 3)).insured
    assert not cover_for(payer, YearMonth(2024, 4)).insured


def test_paid_months_count_only_once_a_run_of_twelve_has_begun():
    newcomer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2026-01", 11))

    assert not cover_for(newcomer, YearMonth(2026, 5)).insured
    twelve = PersonHistory(born=ADULT, state_periods=(), paid=_run("2026-01", 12))
    assert cover_for(twelve, YearMonth(2026, 5)).reason is CoverReason.PAID


def test_a_state_category_comes_first_and_covers_any_month_it_touches():
    pensioner = PersonHistory(
        born=date(1960, 1, 2),
        state_periods=(StatePeriod("PENSIONER", date(2025, 1, 20), None),),
        paid=_run("2020-01", 12),
    )

    january = cover_for(pensioner, YearMonth(2025, 1))

    assert (january.reason, january.state_category) == (CoverReason.STATE, "PENSIONER")
    assert january.covered_until is None  # no end


def test_an_accepted_month_not_yet_credited_is_covered_and_pending():
    payer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2025-12", 12), pending={YearMonth(2026, 11)})

    cover = cover_for(payer, YearMonth(2026, 11))

    assert (cover.reason, cover.pending) == (CoverReason.PAID, True)
    assert cover.covered_until == date(2027, 2, 28)  # paid through November 2026, then three months of grace


def test_the_paid_months_of_the_last_twelve_end_with_the_current_month():
    payer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2025-01", 6) | {YearMonth(2026, 11)})

    months = paid_months_of_last_year(payer, YearMonth(2026, 11))

    assert [str(m) for m in months] == ["2026-11"]


def test_months_of_one_covered_run_share_its_end():
    payer = PersonHistory(born=ADULT, state_periods=(), paid=_run("2025-04", 12))

    covers = covers_from(payer, YearMonth(2026, 3), 5)

    assert [c.insured for c in covers] == [True, True, True, True, False]
    assert {c.covered_until for c in covers[:4]} == {date(2026, 6, 30)}
    assert [c.reason for c in covers[:2]] == [CoverReason.PAID, CoverReason.GRACE]
