from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from domain.kindergarten import journal
from domain.kindergarten.journal import EventKind, QueueChange
from domain.kindergarten.models import ApplicationStatus, Language
from domain.kindergarten.order import Priority, next_turn
from domain.kindergarten.policy import Rules

SYSTEM = "system"  # who acts when a deadline, not a person, moves a place


@dataclass(frozen=True, slots=True)
class Group:
    """One order: the children of a cohort waiting for a kindergarten's groups in one language."""

    kindergarten_id: int
    cohort: int
    language: Language


@dataclass(frozen=True, slots=True)
class Offered:
    offer_id: int
    place_id: int
    application_id: int


# Locks the order's counter (made at its first use) for the rest of the transaction: offers in one order are made
# one at a time, so the counter and the heads of the lists stay consistent.
_LOCK_TURN = """
INSERT INTO kindergarten_queue_turns AS t (kindergarten_id, cohort, language, turn) VALUES ($1, $2, $3, 0)
ON CONFLICT (kindergarten_id, cohort, language) DO UPDATE SET turn = t.turn
RETURNING turn
"""

# The head of each of the three lists, through the order's index.
_HEADS = """
(SELECT priority::text, application_id, rank FROM kindergarten_choices
 WHERE kindergarten_id = $1 AND cohort = $2 AND language = $3 AND waiting AND priority = 'EXTRAORDINARY'
 ORDER BY queued_at, application_id LIMIT 1)
UNION ALL
(SELECT priority::text, application_id, rank FROM kindergarten_choices
 WHERE kindergarten_id = $1 AND cohort = $2 AND language = $3 AND waiting AND priority = 'FIRST'
 ORDER BY queued_at, application_id LIMIT 1)
UNION ALL
(SELECT priority::text, application_id, rank FROM kindergarten_choices
 WHERE kindergarten_id = $1 AND cohort = $2 AND language = $3 AND waiting AND priority = 'GENERAL'
 ORDER BY queued_at, application_id LIMIT 1)
"""

# Claims the child: waits for any transaction that holds the application, then takes it only if still queued.
_CLAIM = """
UPDATE kindergarten_applications SET status = 'OFFERED', updated_at = $2
WHERE id = $1 AND status = 'QUEUED'
RETURNING parent_iin, benefit IS NOT NULL AND NOT benefit_confirmed AS benefit_unconfirmed
"""

# Read after the claim, so it sees what a transaction that held the application committed (new choices, benefit).
_STILL_HEAD_HERE = """
SELECT rank, priority::text FROM kindergarten_choices
WHERE application_id = $1 AND kindergarten_id = $2 AND cohort = $3 AND language = $4 AND waiting
"""

_UNCLAIM = "UPDATE kindergarten_applications SET status = 'QUEUED' WHERE id = $1"

_OFFER = """
WITH place AS (UPDATE kindergarten_places SET status = 'HELD' WHERE id = $1 AND status = 'OPEN' RETURNING id)
, offer AS (
    INSERT INTO kindergarten_offers (place_id, application_id, kindergarten_id, rank, priority, status, offered_at,
                                     confirm_by, benefit_by, extended)
    SELECT id, $2, $3, $4, $5, 'OFFERED', $6, $7, $8, false FROM place
    RETURNING id
)
SELECT id FROM offer
"""

_LEAVE_ORDERS = "UPDATE kindergarten_choices SET waiting = false WHERE application_id = $1"

_OPEN_PLACES = """
SELECT id FROM kindergarten_places
WHERE kindergarten_id = $1 AND cohort = $2 AND language = $3 AND status = 'OPEN'
ORDER BY id
FOR UPDATE
"""


async def lock_order(connection: asyncpg.Connection, group: Group) -> int:
    """Lock the order's counter for the rest of the transaction; its turn."""
    return int(await connection.fetchval(_LOCK_TURN, *_key(group)))


def _pick(heads: dict[Priority, tuple[int, int]], turn: int) -> tuple[Priority, int] | None:
    """Which list gives the next offer, and the counter after it (kindergarten rules, "Order")."""
    if Priority.EXTRAORDINARY in heads:
        return Priority.EXTRAORDINARY, turn
    wanted = Priority.FIRST if turn == 0 else Priority.GENERAL
    other = Priority.GENERAL if wanted is Priority.FIRST else Priority.FIRST
    if wanted in heads:
        return wanted, next_turn(turn, wanted)
    if other in heads:
        return other, turn  # the other list takes the slot; the counter stays
    return None


async def offer_open_places(
    connection: asyncpg.Connection, group: Group, rules: Rules, *, now: datetime, by: str
) -> list[Offered]:
    """Offer each open place of `group` to the first child of its order who holds no offer, until either runs out.

    A child is claimed with a conditional update that waits for any other transaction holding the application: two
    orders (two kindergartens published at once) can never both offer to one child, and the unique indexes on open
    offers stand behind that."""
    turn = await lock_order(connection, group)
    places = [row["id"] for row in await connection.fetch(_OPEN_PLACES, *_key(group))]
    offered: list[Offered] = []
    start_turn = turn
    for place_id in places:
        made = None
        while made is None:
            heads = {
                Priority(row["priority"]): (row["application_id"], row["rank"])
                for row in await connection.fetch(_HEADS, *_key(group))
            }
            picked = _pick(heads, turn)
            if picked is None:
                break
            priority, turn_after = picked
            application_id, _ = heads[priority]
            made = await _offer_to(connection, group, rules, place_id, application_id, priority, now=now, by=by)
            if made is not None:
                turn = turn_after
                await journal.log_queue(
                    connection, QueueChange.OFFERED, "OFFER_MADE", application_id=application_id, at=now, turn=turn
                )
                await connection.execute(_LEAVE_ORDERS, application_id)
                offered.append(made)
        if made is None:
            break  # nobody waits: the rest of the places stay open for the next child who does
    if turn != start_turn:
        await connection.execute(
            "UPDATE kindergarten_queue_turns SET turn = $4"
            " WHERE kindergarten_id = $1 AND cohort = $2 AND language = $3",
            *_key(group),
            turn,
        )
    return offered


async def _offer_to(
    connection: asyncpg.Connection,
    group: Group,
    rules: Rules,
    place_id: int,
    application_id: int,
    priority: Priority,
    *,
    now: datetime,
    by: str,
) -> Offered | None:
    claimed = await connection.fetchrow(_CLAIM, application_id, now)
    if claimed is None:
        return None  # offered elsewhere meanwhile, or withdrawn: the next head is read again
    here = await connection.fetchrow(_STILL_HEAD_HERE, application_id, *_key(group))
    if here is None or here["priority"] != priority.value:
        await connection.execute(_UNCLAIM, application_id)  # the parent changed choices or benefit meanwhile
        return None
    confirm_by = rules.confirm_by(now)
    benefit_by = rules.benefit_by(now) if claimed["benefit_unconfirmed"] else None
    offer_id = await connection.fetchval(
        _OFFER, place_id, application_id, group.kindergarten_id, here["rank"], priority.value, now, confirm_by,
        benefit_by,
    )  # fmt: skip
    await journal.record(
        connection,
        application_id=application_id,
        parent_iin=claimed["parent_iin"],
        kind=EventKind.OFFER_MADE,
        status=ApplicationStatus.OFFERED,
        at=now,
        by=by,
        kindergarten_id=group.kindergarten_id,
        details={"offer_id": offer_id, "confirm_by": confirm_by.isoformat(), "rank": here["rank"]},
    )
    return Offered(offer_id, place_id, application_id)


def _key(group: Group) -> tuple[int, int, str]:
    return group.kindergarten_id, group.cohort, group.language.value


async def groups_with_open_places(connection: asyncpg.Connection, application_id: int) -> list[Group]:
    """The orders this application waits in that have a place nobody took, best choice first."""
    rows = await connection.fetch(
        """
        SELECT c.kindergarten_id, c.cohort, c.language::text FROM kindergarten_choices c
        WHERE c.application_id = $1 AND c.waiting AND EXISTS (
            SELECT 1 FROM kindergarten_places p
            WHERE p.kindergarten_id = c.kindergarten_id AND p.cohort = c.cohort AND p.language = c.language
              AND p.status = 'OPEN')
        ORDER BY c.rank
        """,
        application_id,
    )
    return [Group(row["kindergarten_id"], row["cohort"], Language(row["language"])) for row in rows]
