from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten.models import (
    ApplicationStatus,
    BenefitCategory,
    ClosedReason,
    Language,
    OfferStatus,
)
from domain.kindergarten.order import Priority
from domain.kindergarten.positions import OrderCounts, position
from domain.shared.access import Citizen, Principal, require_citizen
from domain.shared.calendar import ALMATY, local_date
from domain.shared.db import driver
from domain.shared.regions import Region

POSITION_CHANGES_SHOWN = 20


@dataclass(frozen=True, slots=True)
class PositionChange:
    """Why a position moved: something in the order ahead of the child, or the child's own step."""

    at: datetime
    change: str  # JOINED, LEFT, OFFERED
    reason: str  # NEW, WITHDRAWN, BENEFIT_CLAIMED, OFFER_MADE …
    own: bool  # the child's own application
    moves_back: bool  # the child moved back (someone joined ahead); otherwise forward


@dataclass(frozen=True, slots=True)
class ChoiceView:
    rank: int
    kindergarten_id: int
    position: int | None  # None while the application waits in no order (offered, inactive, closed)
    waiting_in_order: int  # all children waiting in that order
    changes: tuple[PositionChange, ...] = ()


@dataclass(frozen=True, slots=True)
class OfferView:
    id: int
    kindergarten_id: int
    rank: int
    status: OfferStatus
    offered_at: datetime
    confirm_by: datetime
    sign_by: datetime | None
    extended: bool
    benefit_by: datetime | None


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    child_iin: str
    status: ApplicationStatus
    queued_at: datetime
    cohort: int
    region: Region
    language: Language
    desired_start: date
    benefit: BenefitCategory | None
    benefit_document: str | None
    benefit_confirmed: bool
    reactivation_used: bool
    reactivate_by: datetime | None
    closed_reason: ClosedReason | None
    choices: list[ChoiceView] = field(default_factory=list)
    offer: OfferView | None = None


_APPLICATIONS = """
SELECT a.id, a.child_iin, a.status::text AS status, a.queued_at, a.cohort, a.region::text AS region,
       a.language::text AS language, a.desired_start, a.benefit::text AS benefit, a.benefit_document,
       a.benefit_confirmed, a.reactivation_used, a.reactivate_by, a.closed_reason::text AS closed_reason
FROM kindergarten_applications a
WHERE a.parent_iin = $1 AND ($2::bigint[] IS NULL OR a.id = ANY($2))
ORDER BY a.id DESC
"""

# Positions are counted through the order's index: no list is loaded, whatever the size of the queue.
_CHOICES = """
SELECT c.application_id, c.rank, c.kindergarten_id, c.waiting, c.priority::text AS priority,
       c.cohort, c.language::text AS language, c.queued_at,
       CASE WHEN c.waiting THEN (
           SELECT count(*) FROM kindergarten_choices o
           WHERE o.kindergarten_id = c.kindergarten_id AND o.cohort = c.cohort AND o.language = c.language
             AND o.waiting AND o.priority = c.priority
             AND (o.queued_at, o.application_id) < (c.queued_at, c.application_id)) END AS ahead,
       n.extraordinary, n.first, n.general,
       coalesce((SELECT turn FROM kindergarten_queue_turns t
                 WHERE t.kindergarten_id = c.kindergarten_id AND t.cohort = c.cohort AND t.language = c.language), 0)
           AS turn
FROM kindergarten_choices c
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE o.priority = 'EXTRAORDINARY') AS extraordinary,
           count(*) FILTER (WHERE o.priority = 'FIRST') AS first,
           count(*) FILTER (WHERE o.priority = 'GENERAL') AS general
    FROM kindergarten_choices o
    WHERE o.kindergarten_id = c.kindergarten_id AND o.cohort = c.cohort AND o.language = c.language AND o.waiting
) n
WHERE c.application_id = ANY($1)
ORDER BY c.application_id, c.rank
"""

# The last changes of each order a child waits in that concern it: its own steps, every offer (the head leaves,
# everyone moves up), and applications joining or leaving ahead of it (a better priority, or the same one earlier).
_CHANGES = """
SELECT c.application_id, c.kindergarten_id, l.at, l.kind, l.reason, l.application_id = c.application_id AS own,
       l.kind = 'JOINED' AND l.application_id <> c.application_id AS moves_back
FROM kindergarten_choices c
CROSS JOIN LATERAL (
    SELECT * FROM kindergarten_queue_log l
    WHERE l.kindergarten_id = c.kindergarten_id AND l.cohort = c.cohort AND l.language = c.language
      AND l.at >= c.queued_at  -- what happened before the child joined never moved it
      AND (l.application_id = c.application_id OR l.kind = 'OFFERED'
           OR array_position(enum_range(NULL::kindergarten_priority), l.priority)
              < array_position(enum_range(NULL::kindergarten_priority), c.priority)
           OR (l.priority = c.priority AND (l.queued_at, l.application_id) < (c.queued_at, c.application_id)))
    ORDER BY l.id DESC LIMIT $2
) l
WHERE c.application_id = ANY($1) AND c.waiting
ORDER BY c.application_id, c.kindergarten_id, l.at DESC
"""

_OFFERS = """
SELECT o.id, o.application_id, o.kindergarten_id, o.rank, o.status::text AS status, o.offered_at, o.confirm_by,
       o.sign_by, o.extended, o.benefit_by
FROM kindergarten_offers o
WHERE o.application_id = ANY($1) AND o.status IN ('OFFERED', 'CONFIRMED')
"""


async def my_applications(
    principal: Principal, session: AsyncSession, *, ids: list[int] | None = None, with_changes: bool = True
) -> list[ApplicationView]:
    """The caller's children's applications, newest first, with each choice's position and why it moved."""
    parent = require_citizen(principal)
    connection = await driver(session)
    rows = await connection.fetch(_APPLICATIONS, str(parent.iin), ids)
    if not rows:
        return []
    views = {row["id"]: _application(row) for row in rows}
    application_ids = list(views)
    changes: dict[tuple[int, int], list[PositionChange]] = defaultdict(list)
    if with_changes:
        for row in await connection.fetch(_CHANGES, application_ids, POSITION_CHANGES_SHOWN):
            changes[row["application_id"], row["kindergarten_id"]].append(
                PositionChange(row["at"], row["kind"], row["reason"], row["own"], row["moves_back"])
            )
    for row in await connection.fetch(_CHOICES, application_ids):
        views[row["application_id"]].choices.append(
            _choice(row, tuple(changes[row["application_id"], row["kindergarten_id"]]))
        )
    for row in await connection.fetch(_OFFERS, application_ids):
        view = views[row["application_id"]]
        views[row["application_id"]] = _with_offer(view, row)
    return list(views.values())


async def applications_by_id(
    principal: Principal, session: AsyncSession, ids: Sequence[int]
) -> list[ApplicationView | None]:
    """One answer per id, in order: the application if it is one of the calling parent's; to anyone else, and for
    another family's application, None, so that its existence is not revealed."""
    if not isinstance(principal, Citizen) or not ids:
        return [None] * len(ids)
    found = {view.id: view for view in await my_applications(principal, session, ids=list(ids))}
    return [found.get(application_id) for application_id in ids]


def _application(row: Any) -> ApplicationView:
    return ApplicationView(
        id=row["id"], child_iin=row["child_iin"], status=ApplicationStatus(row["status"]), queued_at=row["queued_at"],
        cohort=row["cohort"], region=Region(row["region"]), language=Language(row["language"]),
        desired_start=row["desired_start"], benefit=BenefitCategory(row["benefit"]) if row["benefit"] else None,
        benefit_document=row["benefit_document"], benefit_confirmed=row["benefit_confirmed"],
        reactivation_used=row["reactivation_used"], reactivate_by=row["reactivate_by"],
        closed_reason=ClosedReason(row["closed_reason"]) if row["closed_reason"] else None,
    )  # fmt: skip


def _choice(row: Any, changes: tuple[PositionChange, ...]) -> ChoiceView:
    waiting_in_order = row["extraordinary"] + row["first"] + row["general"]
    if not row["waiting"]:
        return ChoiceView(row["rank"], row["kindergarten_id"], None, waiting_in_order, changes)
    counts = OrderCounts(
        priority=Priority(row["priority"]), ahead_in_own_list=row["ahead"], extraordinary=row["extraordinary"],
        first=row["first"], general=row["general"], turn=row["turn"],
    )  # fmt: skip
    return ChoiceView(row["rank"], row["kindergarten_id"], position(counts), waiting_in_order, changes)


def _with_offer(view: ApplicationView, row: Any) -> ApplicationView:
    offer = OfferView(
        id=row["id"], kindergarten_id=row["kindergarten_id"], rank=row["rank"], status=OfferStatus(row["status"]),
        offered_at=row["offered_at"], confirm_by=row["confirm_by"], sign_by=row["sign_by"], extended=row["extended"],
        benefit_by=row["benefit_by"],
    )  # fmt: skip
    return replace(view, offer=offer)


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    application_id: int
    kind: str
    status: ApplicationStatus
    at: datetime
    reason: str | None
    kindergarten_id: int | None
    details: dict[str, Any]


_NOTIFICATIONS = """
SELECT id, application_id, kind, status::text AS status, at, reason, kindergarten_id, details::text AS details
FROM kindergarten_application_events WHERE parent_iin = $1 AND id > $2 ORDER BY id LIMIT $3
"""


async def notifications_after(
    session: AsyncSession, parent_iin: str, after_id: int, *, limit: int = 100
) -> list[Notification]:
    """The parent's stored events after `after_id`, oldest first. Events of one parent are numbered in commit
    order (journal.record), so reading from the last id seen misses nothing."""
    connection = await driver(session)
    rows = await connection.fetch(_NOTIFICATIONS, parent_iin, after_id, limit)
    return [
        Notification(row["id"], row["application_id"], row["kind"], ApplicationStatus(row["status"]), row["at"],
                     row["reason"], row["kindergarten_id"], json.loads(row["details"]))
        for row in rows
    ]  # fmt: skip


async def my_notifications(
    principal: Principal, session: AsyncSession, *, after_id: int, limit: int
) -> list[Notification]:
    parent = require_citizen(principal)
    return await notifications_after(session, str(parent.iin), after_id, limit=limit)


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Public figures of one kindergarten's cohort: no person in them."""

    kindergarten_id: int
    cohort: int
    language: Language
    waiting: int
    offered_this_month: int


def stats_month_start(now: datetime) -> datetime:
    """00:00 in Almaty of the first day of `now`'s month: where "offered this month" starts counting."""
    today = local_date(now)
    return datetime(today.year, today.month, 1, tzinfo=ALMATY)


_STATS = """
WITH waiting AS (
    SELECT kindergarten_id, cohort, language, count(*) AS n FROM kindergarten_choices
    WHERE kindergarten_id = ANY($1) AND waiting GROUP BY 1, 2, 3
), offered AS (
    SELECT o.kindergarten_id, p.cohort, p.language, count(*) AS n
    FROM kindergarten_offers o JOIN kindergarten_places p ON p.id = o.place_id
    WHERE o.kindergarten_id = ANY($1) AND o.offered_at >= $2 GROUP BY 1, 2, 3
)
SELECT coalesce(w.kindergarten_id, o.kindergarten_id) AS kindergarten_id, coalesce(w.cohort, o.cohort) AS cohort,
       coalesce(w.language, o.language)::text AS language, coalesce(w.n, 0) AS waiting, coalesce(o.n, 0) AS offered
FROM waiting w FULL JOIN offered o USING (kindergarten_id, cohort, language)
ORDER BY 1, 2 DESC, 3
"""


async def queue_stats(session: AsyncSession, kindergarten_ids: list[int], *, month_start: datetime) -> list[QueueStats]:
    """How many children wait in each order of these kindergartens and how many places were offered since
    `month_start`; anyone may read them."""
    connection = await driver(session)
    rows = await connection.fetch(_STATS, kindergarten_ids, month_start)
    return [QueueStats(row["kindergarten_id"], row["cohort"], Language(row["language"]), row["waiting"], row["offered"])
            for row in rows]  # fmt: skip


async def queue_stats_by_kindergarten(
    session: AsyncSession, keys: Sequence[tuple[int, datetime]]
) -> list[list[QueueStats]]:
    """The figures of each (kindergarten, start of the month) asked for, in order; an empty list where nobody waits
    and nothing was offered."""
    found: dict[tuple[int, datetime], list[QueueStats]] = defaultdict(list)
    for month_start in {month_start for _, month_start in keys}:
        ids = sorted({kindergarten_id for kindergarten_id, start in keys if start == month_start})
        for stats in await queue_stats(session, ids, month_start=month_start):
            found[stats.kindergarten_id, month_start].append(stats)
    return [found.get(key, []) for key in keys]


@dataclass(frozen=True, slots=True)
class RegionStats:
    """A region's queue at a glance, for its education department and the public: counts only."""

    region: Region
    waiting: int  # applications queued in the region
    holding_offers: int  # offered or confirmed, not yet signed
    inactive: int  # lapsed, within their window to reactivate
    open_places: int  # published places nobody holds yet
    offered_this_month: int
    enrolled_this_month: int
    lapsed_this_month: int


_REGION_STATS = """
SELECT
  (SELECT count(*) FROM kindergarten_applications WHERE region = $1 AND status = 'QUEUED') AS waiting,
  (SELECT count(*) FROM kindergarten_applications WHERE region = $1 AND status IN ('OFFERED', 'CONFIRMED'))
      AS holding_offers,
  (SELECT count(*) FROM kindergarten_applications WHERE region = $1 AND status = 'INACTIVE') AS inactive,
  (SELECT count(*) FROM kindergarten_places p JOIN kindergartens k ON k.id = p.kindergarten_id
   WHERE k.region = $1 AND p.status = 'OPEN') AS open_places,
  count(*) AS offered, count(*) FILTER (WHERE o.status = 'ENROLLED') AS enrolled,
  count(*) FILTER (WHERE o.status = 'LAPSED') AS lapsed
FROM kindergarten_offers o JOIN kindergartens k ON k.id = o.kindergarten_id
WHERE k.region = $1 AND o.offered_at >= $2
"""


async def region_stats(session: AsyncSession, region: Region, *, month_start: datetime) -> RegionStats:
    """How the region's queue stands, and what its offers of this month (from `month_start`) came to."""
    row = await (await driver(session)).fetchrow(_REGION_STATS, region.value, month_start)
    return RegionStats(region, row["waiting"], row["holding_offers"], row["inactive"], row["open_places"],
                       row["offered"], row["enrolled"], row["lapsed"])  # fmt: skip
