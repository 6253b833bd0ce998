from __future__ import annotations

from dataclasses import dataclass

from domain.kindergarten.order import GENERAL_PER_FIRST_PRIORITY, Priority

_CYCLE = GENERAL_PER_FIRST_PRIORITY + 1


@dataclass(frozen=True, slots=True)
class OrderCounts:
    """What a position is computed from: the counts of one order around one waiting child, and the counter."""

    priority: Priority
    ahead_in_own_list: int  # waiting children of the same priority before this one
    extraordinary: int  # all waiting extraordinary children
    first: int  # all waiting first-priority children
    general: int  # all waiting general children
    turn: int


def position(counts: OrderCounts) -> int:
    """The child's place (1 = the next offer) in the merged order that `order.merged_order` builds, from counts
    alone: no list is loaded. Extraordinary first; then the 1 : 3 interleave from the counter's turn, where a list
    that runs out lets the other take every later slot."""
    k = counts.ahead_in_own_list
    if counts.priority is Priority.EXTRAORDINARY:
        return k + 1
    if counts.priority is Priority.FIRST:
        # The (k+1)-th first-priority slot comes after (4 - turn) % 4 general slots, then 3 more per earlier one.
        general_before = min(counts.general, (_CYCLE - counts.turn) % _CYCLE + GENERAL_PER_FIRST_PRIORITY * k)
        return counts.extraordinary + k + general_before + 1
    # Before the (k+1)-th general slot come floor((k + (turn - 1) mod 4) / 3) first-priority slots.
    first_before = min(counts.first, (k + (counts.turn - 1) % _CYCLE) // GENERAL_PER_FIRST_PRIORITY)
    return counts.extraordinary + k + first_before + 1
