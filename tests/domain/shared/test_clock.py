from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.shared import clock_setting
from domain.shared.clock import AdjustableClock, ClockShift
from domain.shared.errors import Forbidden

REAL_NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_running_clock_keeps_its_offset_from_real_time():
    shift = ClockShift.showing(MONDAY_MORNING, real_now=REAL_NOW)

    assert shift.apply(REAL_NOW + timedelta(minutes=5)) == MONDAY_MORNING + timedelta(minutes=5)


def test_a_frozen_clock_stands_still_until_moved():
    shift = ClockShift.showing(MONDAY_MORNING, real_now=REAL_NOW, frozen=True)

    later = shift.apply(REAL_NOW + timedelta(hours=3))
    moved = shift.advanced(timedelta(days=2)).apply(REAL_NOW + timedelta(hours=3))

    assert later == MONDAY_MORNING
    assert moved == MONDAY_MORNING + timedelta(days=2)


def test_a_clock_refuses_a_time_without_its_offset():
    with pytest.raises(ValueError, match="aware"):
        ClockShift.showing(datetime(2026, 1, 5, 9, 0), real_now=REAL_NOW)


def test_an_adjustable_clock_reads_its_shift():
    clock = AdjustableClock(ClockShift(frozen_at=MONDAY_MORNING))

    assert clock.now() == MONDAY_MORNING


async def test_the_clock_cannot_be_moved_in_production(session):
    with pytest.raises(Forbidden):
        await clock_setting.move_clock(session, advance_by=timedelta(days=1), real_now=REAL_NOW, production=True)

    assert await clock_setting.read_shift(session) == ClockShift()


async def test_moving_the_clock_is_stored_for_instances_that_start_later(session):
    await clock_setting.move_clock(session, to=MONDAY_MORNING, frozen=True, real_now=REAL_NOW, production=False)

    assert await clock_setting.read_shift(session) == ClockShift(frozen_at=MONDAY_MORNING)


@pytest.mark.race
async def test_two_concurrent_advances_both_count(committing_sessions):
    try:
        async with committing_sessions() as setup:
            await clock_setting.move_clock(setup, to=MONDAY_MORNING, frozen=True, real_now=REAL_NOW, production=False)
        async with committing_sessions() as a, committing_sessions() as b:
            await asyncio.gather(
                clock_setting.move_clock(a, advance_by=timedelta(days=1), real_now=REAL_NOW, production=False),
                clock_setting.move_clock(b, advance_by=timedelta(days=1), real_now=REAL_NOW, production=False),
            )
        async with committing_sessions() as check:
            shift = await clock_setting.read_shift(check)
    finally:
        async with committing_sessions() as reset:
            await clock_setting.move_clock(reset, real_now=REAL_NOW, production=False)

    assert shift.frozen_at == MONDAY_MORNING + timedelta(days=2)
