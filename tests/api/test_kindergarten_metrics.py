from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from prometheus_client import generate_latest

from api.kindergarten_sweeper import KindergartenSweeper
from api.metrics import Metrics
from domain.kindergarten import applications, staff
from domain.kindergarten.live import KindergartenHub
from domain.kindergarten.models import Language
from domain.shared.clock import AdjustableClock, ClockShift
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten
from tests.prometheus import sample


def _text(metrics: Metrics) -> str:
    return generate_latest(metrics.registry).decode()


def test_the_live_subscriptions_of_an_instance_are_a_gauge(engine):
    metrics, hub = Metrics(engine), KindergartenHub()
    metrics.follow_subscriptions(hub)

    with hub.watch("850315400015"), hub.watch("850315400015"):
        during = sample(_text(metrics), "kindergarten_subscriptions")
    after = sample(_text(metrics), "kindergarten_subscriptions")

    assert (during, after) == (2, 0)


@pytest.mark.race
async def test_each_sweep_is_timed_and_what_it_settled_counted(engine, committing_sessions):
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    async with committing_sessions() as session:
        await applications.submit_application(
            family.parent, session, child_iin=family.child, choices=[garden.id], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=None, now=NOW,
        )  # fmt: skip
    async with committing_sessions() as session:
        await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=1, now=NOW)
    metrics = Metrics(engine)
    clock = AdjustableClock(ClockShift(frozen_at=datetime(2026, 3, 12, tzinfo=UTC)))  # after the offer's deadline
    sweeper = KindergartenSweeper(committing_sessions, clock, interval_s=0, observe=metrics.observe_sweep)

    report = await sweeper.run_once()

    assert report is not None
    assert report.lapsed >= 1
    text = _text(metrics)
    assert sample(text, "kindergarten_sweep_items_total", '{action="lapsed"}') == report.lapsed
    assert sample(text, "kindergarten_sweep_duration_seconds_count") == 1
