from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from api.ratelimit import CostBudget
from api.settings import Settings
from tests.conftest import SigningKeys, citizen_claims
from tests.graphql import gql, serving

ME = "{ me { __typename } }"  # costs 2


def test_a_bucket_refuses_what_does_not_fit_and_refills_with_time():
    budget = CostBudget(capacity=10, restore_per_s=2)

    first = budget.spend("a", 8, now=100.0)
    refused = budget.spend("a", 8, now=100.0)
    later = budget.spend("a", 8, now=103.0)

    assert (first.allowed, first.remaining) == (True, 2)
    assert (refused.allowed, refused.retry_after_s) == (False, 3)
    assert (later.allowed, later.remaining) == (True, 0)


def test_a_bucket_never_holds_more_than_its_capacity():
    budget = CostBudget(capacity=10, restore_per_s=100)
    budget.spend("a", 1, now=0.0)

    assert budget.spend("a", 1, now=1_000.0).remaining == 9


def test_callers_have_buckets_of_their_own():
    budget = CostBudget(capacity=5, restore_per_s=1)
    budget.spend("a", 5, now=0.0)

    assert not budget.spend("a", 1, now=0.0).allowed
    assert budget.spend("b", 5, now=0.0).allowed


async def test_a_caller_over_its_budget_gets_429_while_others_go_on(
    settings: Settings, engine: AsyncEngine, keys: SigningKeys
):
    tight = settings.model_copy(update={"rate_limit_points": 3, "rate_limit_restore_per_s": 0.01})
    first_citizen = keys.token(citizen_claims("850315400015"))
    second_citizen = keys.token(citizen_claims("900102500025"))

    async with serving(tight, engine) as client:
        allowed = await gql(client, ME, token=first_citizen)
        refused = await gql(client, ME, token=first_citizen, language="en")
        other = await gql(client, ME, token=second_citizen)

    assert allowed.json()["extensions"]["rateLimit"] == {
        "cost": 2,
        "remaining": 1,
        "limit": 3,
        "restorePerSecond": 0.01,
    }
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "Too many requests" in refused.json()["errors"][0]["message"]
    assert other.status_code == 200


async def test_anonymous_callers_are_counted_by_their_address(settings: Settings, engine: AsyncEngine):
    tight = settings.model_copy(update={"rate_limit_points": 3, "rate_limit_restore_per_s": 0.01})

    async with serving(tight, engine) as client:
        statuses = [(await gql(client, ME)).status_code for _ in range(2)]

    assert statuses == [200, 429]


async def test_every_answer_reports_its_cost_and_what_is_left(client: httpx.AsyncClient):
    first = (await gql(client, ME)).json()["extensions"]["rateLimit"]
    second = (await gql(client, ME)).json()["extensions"]["rateLimit"]

    assert first["cost"] == 2
    assert second["remaining"] <= first["remaining"]
