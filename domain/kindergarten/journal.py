from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg

from domain.kindergarten.models import ApplicationStatus

# Every instance LISTENs here. A NOTIFY is delivered only when its transaction commits: an event is never heard
# of before it is stored, nor lost after (a subscriber reads the stored events from its last id on every wake-up).
CHANNEL = "govgraph_kindergarten"


class EventKind(StrEnum):
    """What a parent is told of, stored and delivered live."""

    SUBMITTED = "SUBMITTED"
    UPDATED = "UPDATED"
    OFFER_MADE = "OFFER_MADE"
    OFFER_CONFIRMED = "OFFER_CONFIRMED"
    OFFER_REFUSED = "OFFER_REFUSED"
    OFFER_LAPSED = "OFFER_LAPSED"
    OFFER_EXPIRED = "OFFER_EXPIRED"
    OFFER_CANCELLED = "OFFER_CANCELLED"
    DEADLINE_NEAR = "DEADLINE_NEAR"
    CONTRACT_EXTENDED = "CONTRACT_EXTENDED"
    ENROLLED = "ENROLLED"
    WITHDRAWN = "WITHDRAWN"
    REACTIVATED = "REACTIVATED"
    CLOSED = "CLOSED"
    BENEFIT_CONFIRMED = "BENEFIT_CONFIRMED"
    BENEFIT_REJECTED = "BENEFIT_REJECTED"
    POSITION_CHANGED = "POSITION_CHANGED"  # live only: positions are computed, not stored per child


class QueueChange(StrEnum):
    """What happened in one kindergarten's order; the reasons a parent reads for a change of position."""

    JOINED = "JOINED"  # a new application, or one back in the order
    LEFT = "LEFT"  # withdrawn, closed, or a choice dropped
    OFFERED = "OFFERED"  # took an offer (here or elsewhere): out of every order


# The parent's advisory lock is taken before an event's id is drawn and held to the commit, so the events of one
# parent are numbered in commit order and "everything after id N" is exact.
_RECORD = """
WITH parent AS (SELECT pg_advisory_xact_lock(hashtext('kindergarten-parent:' || $2::text)))
, event AS (
    INSERT INTO kindergarten_application_events
        (application_id, parent_iin, kind, status, at, by, reason, kindergarten_id, details)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb FROM parent
    RETURNING id
)
SELECT id, pg_notify($10, 'e:' || $2::text || ':' || id) FROM event
"""


async def record(
    connection: asyncpg.Connection,
    *,
    application_id: int,
    parent_iin: str,
    kind: EventKind,
    status: ApplicationStatus,
    at: datetime,
    by: str,
    reason: str | None = None,
    kindergarten_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Store an event of an application (the audit and the parent's notification) and announce it at commit."""
    row = await connection.fetchrow(
        _RECORD,
        application_id,
        parent_iin,
        kind.value,
        status.value,
        at,
        by,
        reason,
        kindergarten_id,
        json.dumps(details or {}, default=str),
        CHANNEL,
    )
    return int(row["id"])


async def log_queue(
    connection: asyncpg.Connection,
    change: QueueChange,
    reason: str,
    *,
    application_id: int,
    at: datetime,
    kindergartens: Iterable[int] | None = None,
    turn: int | None = None,
) -> None:
    """Write the change in each order the application is (or was) in, and tell listeners those orders moved."""
    await connection.execute(
        """
        WITH logged AS (
            INSERT INTO kindergarten_queue_log
                (kindergarten_id, cohort, language, kind, reason, application_id, priority, queued_at, turn, at)
            SELECT kindergarten_id, cohort, language, $2, $3, application_id, priority, queued_at, $5, $6
            FROM kindergarten_choices
            WHERE application_id = $1 AND ($4::bigint[] IS NULL OR kindergarten_id = ANY($4))
            RETURNING kindergarten_id, cohort, language
        )
        SELECT pg_notify($7, 'q:' || kindergarten_id || ':' || cohort || ':' || language) FROM logged
        """,
        application_id,
        change.value,
        reason,
        list(kindergartens) if kindergartens is not None else None,
        turn,
        at,
        CHANNEL,
    )
