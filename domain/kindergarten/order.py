from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Kindergarten rules, "Order", and the decisions on it: extraordinary first; then first priority and general
# interleaved 1 : 3 by a running counter per (kindergarten, cohort, language), each list by queue date, ties by the
# application's internal key. The counter remembers where the last offer stopped.
GENERAL_PER_FIRST_PRIORITY = 3


class Priority(StrEnum):
    EXTRAORDINARY = "EXTRAORDINARY"  # children of servicemen and of special state bodies' employees
    FIRST = "FIRST"  # orphans, children of disabled parents, large families, special needs, teachers' children …
    GENERAL = "GENERAL"


@dataclass(frozen=True, slots=True, order=True)
class Waiting:
    """A queued application in one kindergarten's order: by queue date, ties by its internal key."""

    queued_at: datetime
    key: int
    priority: Priority

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return self.queued_at, self.key


def next_turn(turn: int, took: Priority) -> int:
    """The counter after an offer: a first-priority offer opens three general turns; a general one uses one up;
    an extraordinary offer leaves it alone. Turn 0 is first priority's."""
    if took is Priority.EXTRAORDINARY:
        return turn
    if took is Priority.FIRST:
        return 1
    return (turn + 1) % (GENERAL_PER_FIRST_PRIORITY + 1)


def merged_order(waiting: Sequence[Waiting], turn: int) -> list[Waiting]:
    """Who gets the next places, in order, from the counter's current turn: a child's position is its index + 1.

    When one of the first-priority and general lists is empty, the other takes the slot and the counter stays.
    """
    by_priority = {priority: sorted((w for w in waiting if w.priority is priority), key=lambda w: w.sort_key)
                   for priority in Priority}  # fmt: skip
    order = list(by_priority[Priority.EXTRAORDINARY])
    first, general = by_priority[Priority.FIRST], by_priority[Priority.GENERAL]
    f = g = 0
    while f < len(first) or g < len(general):
        wants_first = turn == 0
        if (wants_first and f < len(first)) or g >= len(general):
            order.append(first[f])
            f += 1
            turn = next_turn(turn, Priority.FIRST) if wants_first or g < len(general) else turn
        else:
            order.append(general[g])
            g += 1
            turn = next_turn(turn, Priority.GENERAL) if not wants_first or f < len(first) else turn
    return order
