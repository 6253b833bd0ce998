from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from domain.kindergarten import applications, staff
from domain.kindergarten.applications import Benefit
from domain.kindergarten.errors import AlreadyQueued
from domain.kindergarten.models import BenefitCategory, Language
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


async def _execute(sessions, *statements):
    async with sessions() as session, session.begin():
        for statement in statements:
            await session.execute(text(statement))


async def _deadlocks(sessions) -> int:
    return int(await _scalar(sessions, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))


async def test_two_publications_that_deadlock_over_two_children_are_run_again_and_both_succeed(committing_sessions):
    north, south = await add_kindergarten(committing_sessions), await add_kindergarten(committing_sessions)
    general, first = await add_family(committing_sessions), await add_family(committing_sessions)
    await _submit(committing_sessions, general, [north, south])
    async with committing_sessions() as session:
        await applications.submit_application(
            first.parent, session, child_iin=first.child, choices=[south.id, north.id], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=Benefit(BenefitCategory.ORPHAN, "№5"),
            now=NOW + timedelta(minutes=1),
        )  # fmt: skip
    # North's counter gives its first place to first priority, south's to general: each publication claims the
    # other's second child first. A pause after each offer makes both hold their first child before the second.
    await _scalar(committing_sessions, "INSERT INTO kindergarten_queue_turns VALUES (:g, 2023, 'KK', 1) RETURNING 1",
                  g=south.id)  # fmt: skip
    pause = f"pause_offers_{north.id}_{south.id}"
    await _execute(
        committing_sessions,
        f"CREATE FUNCTION {pause}() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$",
        f"CREATE TRIGGER {pause} AFTER INSERT ON kindergarten_offers FOR EACH ROW"
        f" WHEN (NEW.kindergarten_id IN ({north.id}, {south.id})) EXECUTE FUNCTION {pause}()",
    )
    deadlocks = await _deadlocks(committing_sessions)
    try:
        results = await asyncio.gather(_publish(committing_sessions, north, 2), _publish(committing_sessions, south, 2))
    finally:
        await _execute(committing_sessions, f"DROP TRIGGER {pause} ON kindergarten_offers", f"DROP FUNCTION {pause}()")

    assert sum(len(result.offers) for result in results) == 2
    per_child = await _offers_per(committing_sessions, "application_id", [north, south])
    assert sorted(per_child.values()) == [1, 1]
    for _ in range(30):  # PostgreSQL publishes its statistics within a second or so
        if await _deadlocks(committing_sessions) > deadlocks:
            break
        await asyncio.sleep(0.1)
    assert await _deadlocks(committing_sessions) > deadlocks, (
        "the publications did not deadlock: the test proves nothing"
    )
