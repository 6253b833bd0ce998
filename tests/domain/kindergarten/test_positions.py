from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.kindergarten.order import Priority, Waiting, merged_order
from domain.kindergarten.positions import OrderCounts, position

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _counts(waiting: list[Waiting], child: Waiting, turn: int) -> OrderCounts:
    def count(priority: Priority) -> int:
        return sum(1 for w in waiting if w.priority is priority)

    return OrderCounts(
        priority=child.priority,
        ahead_in_own_list=sum(1 for w in waiting if w.priority is child.priority and w.sort_key < child.sort_key),
        extraordinary=count(Priority.EXTRAORDINARY),
        first=count(Priority.FIRST),
        general=count(Priority.GENERAL),
        turn=turn,
    )


@given(
    st.lists(st.sampled_from(list(Priority)), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=3),
)
def test_a_position_from_counts_is_the_place_in_the_merged_order(priorities, turn):
    waiting = [Waiting(T0 + timedelta(hours=n % 5), n, priority) for n, priority in enumerate(priorities)]
    order = merged_order(waiting, turn)

    for place, child in enumerate(order, start=1):
        assert position(_counts(waiting, child, turn)) == place


def test_a_general_child_behind_one_first_priority_child_on_its_turn():
    waiting = [Waiting(T0, 1, Priority.GENERAL), Waiting(T0 + timedelta(days=1), 2, Priority.FIRST)]

    assert position(_counts(waiting, waiting[0], turn=0)) == 2
    assert position(_counts(waiting, waiting[0], turn=1)) == 1
