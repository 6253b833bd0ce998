from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from domain.kindergarten import applications, staff
from domain.kindergarten.errors import AlreadyQueued
from domain.kindergarten.models import Language
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten

# Real concurrent transactions on connections of their own: each test writes fresh families and kindergartens.
pytestmark = pytest.mark.race


async def _submit(sessions, family, gardens, *, at=NOW):
    async with sessions() as session:
        return await applications.submit_application(
            family.parent, session, child_iin=family.child, choices=[g.id for g in gardens], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=None, now=at,
        )  # fmt: skip


async def _publish(sessions, garden, count):
    async with sessions() as session:
        return await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=count,
                                          now=NOW + timedelta(hours=1))  # fmt: skip


async def _scalar(sessions, sql, **params):
    async with sessions() as session, session.begin():
        return (await session.execute(text(sql), params)).scalar()


async def test_two_submissions_for_one_child_give_one_application_and_one_already_queued(committing_sessions):
    family = await add_family(committing_sessions)
    garden = await add_kindergarten(committing_sessions)

    results = await asyncio.gather(
        *(_submit(committing_sessions, family, [garden]) for _ in range(2)), return_exceptions=True
    )

    created = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, AlreadyQueued)]
    assert len(created) == 1, results
    assert len(refused) == 1, results
    assert refused[0].details["application_id"] == created[0]
    assert await _scalar(committing_sessions, "SELECT count(*) FROM kindergarten_applications WHERE child_iin = :c",
                         c=family.child) == 1  # fmt: skip


async def _offers_per(sessions, column, gardens):
    async with sessions() as session, session.begin():
        rows = await session.execute(
            text(f"SELECT {column}, count(*) FROM kindergarten_offers WHERE kindergarten_id = ANY(:g)"
                 " AND status = 'OFFERED' GROUP BY 1"),
            {"g": [g.id for g in gardens]},
        )  # fmt: skip
        return dict(rows.all())


async def test_publishing_one_order_from_two_connections_never_gives_a_place_twice(committing_sessions):
    garden = await add_kindergarten(committing_sessions, capacity=40)
    for minute in range(30):
        await _submit(committing_sessions, await add_family(committing_sessions), [garden],
                      at=NOW + timedelta(minutes=minute))  # fmt: skip

    first, second = await asyncio.gather(_publish(committing_sessions, garden, 10),
                                         _publish(committing_sessions, garden, 10))  # fmt: skip

    assert len(first.offers) + len(second.offers) == 20
    per_place = await _offers_per(committing_sessions, "place_id", [garden])
    per_child = await _offers_per(committing_sessions, "application_id", [garden])
    assert len(per_place) == 20
    assert set(per_place.values()) == {1}
    assert len(per_child) == 20
    assert set(per_child.values()) == {1}
    # The twenty who got places are the first twenty in the queue.
    first_twenty = await _scalar(
        committing_sessions,
        "SELECT array_agg(id ORDER BY id) FROM (SELECT a.id FROM kindergarten_applications a"
        " JOIN kindergarten_choices c ON c.application_id = a.id WHERE c.kindergarten_id = :g"
        " ORDER BY a.queued_at, a.id LIMIT 20) s",
        g=garden.id,
    )
    assert sorted(per_child) == first_twenty


async def test_two_kindergartens_publishing_at_once_never_give_one_child_two_offers(committing_sessions):
    north, south = await add_kindergarten(committing_sessions), await add_kindergarten(committing_sessions)
    for minute in range(24):  # every child chose both, in alternating order
        gardens = [north, south] if minute % 2 else [south, north]
        await _submit(committing_sessions, await add_family(committing_sessions), gardens,
                      at=NOW + timedelta(minutes=minute))  # fmt: skip

    for _ in range(3):
        await asyncio.gather(_publish(committing_sessions, north, 4), _publish(committing_sessions, south, 4))

    per_child = await _offers_per(committing_sessions, "application_id", [north, south])
    per_place = await _offers_per(committing_sessions, "place_id", [north, south])
    assert len(per_child) == 24
    assert set(per_child.values()) == {1}
    assert len(per_place) == 24
