from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.kindergarten.order import Priority, Waiting, merged_order, next_turn

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _waiting(spec: str) -> list[Waiting]:
    """`spec` as letters in queue-date order: E extraordinary, F first priority, G general."""
    kinds = {"E": Priority.EXTRAORDINARY, "F": Priority.FIRST, "G": Priority.GENERAL}
    return [Waiting(T0 + timedelta(days=n), n, kinds[letter]) for n, letter in enumerate(spec)]


def _letters(order: list[Waiting]) -> str:
    return "".join(w.priority.value[0] for w in order)


def test_extraordinary_first_then_one_first_priority_to_three_general_each_by_queue_date():
    order = merged_order(_waiting("GGGGGGFFEGGF"), turn=0)

    assert _letters(order) == "EFGGGFGGGFGG"
    assert [w.key for w in order[:3]] == [8, 6, 0]  # E, then the earliest F, then the earliest G


def test_the_counter_resumes_where_the_last_offer_stopped():
    assert _letters(merged_order(_waiting("FFGGGG"), turn=2)) == "GGFGGF"  # the generals run out: F takes the slot


def test_when_one_list_is_empty_the_other_takes_the_slot_and_the_counter_stays():
    assert _letters(merged_order(_waiting("FFF"), turn=1)) == "FFF"
    assert _letters(merged_order(_waiting("GGGGG"), turn=0)) == "GGGGG"


def test_ties_on_the_queue_date_fall_to_the_internal_key():
    same = [Waiting(T0, 7, Priority.GENERAL), Waiting(T0, 3, Priority.GENERAL)]

    assert [w.key for w in merged_order(same, turn=1)] == [3, 7]


def test_the_counter_after_each_kind_of_offer():
    assert next_turn(0, Priority.FIRST) == 1
    assert [next_turn(t, Priority.GENERAL) for t in (1, 2, 3)] == [2, 3, 0]
    assert next_turn(2, Priority.EXTRAORDINARY) == 2
