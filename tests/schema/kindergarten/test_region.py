from __future__ import annotations

from domain.shared.regions import Region
from tests.domain.kindergarten.registry import add_family, add_kindergarten
from tests.graphql import gql
from tests.schema.kindergarten.documents import MONDAY, publish, submit

EDUCATION_KARAGANDA = {"role": "authority", "sub": "dept-35", "authority": "EDUCATION_DEPARTMENT", "region": "KZ-35"}
SET_POLICY = """
mutation($i: SetKindergartenPolicyInput!) {
  setKindergartenPolicy(input: $i) { policy { region confirmBusinessDays } errors { code field message } }
}
"""
POLICY = "query($r: Region!) { kindergartenPolicy(region: $r) { confirmBusinessDays contractBusinessDays } }"
SET_DAY = """
mutation($i: SetKindergartenCalendarDayInput!) {
  setKindergartenCalendarDay(input: $i) { day { day working } errors { code field } }
}
"""
CALENDAR = """
query($r: Region!, $from: Date!, $to: Date!) {
  kindergartenWorkingCalendar(region: $r, from: $from, to: $to) { day working }
}
"""
NUMBERS = {"confirmBusinessDays": 3, "contractBusinessDays": 5, "extensionDays": 30, "reactivationDays": 28,
           "benefitBusinessDays": 5}  # fmt: skip


async def test_an_education_department_sets_its_regions_numbers_which_anyone_reads(client, keys):
    token = keys.token(EDUCATION_KARAGANDA)

    answer = (await gql(client, SET_POLICY, {"i": NUMBERS}, token=token)).json()["data"]["setKindergartenPolicy"]
    read = (await gql(client, POLICY, {"r": "KARAGANDA"})).json()["data"]["kindergartenPolicy"]
    elsewhere = (await gql(client, POLICY, {"r": "PAVLODAR"})).json()["data"]["kindergartenPolicy"]

    assert answer == {"policy": {"region": "KARAGANDA", "confirmBusinessDays": 3}, "errors": []}
    assert read == {"confirmBusinessDays": 3, "contractBusinessDays": 5}
    assert elsewhere == {"confirmBusinessDays": 2, "contractBusinessDays": 5}


async def test_numbers_out_of_bounds_and_other_callers_are_refused(client, keys):
    bad = (await gql(client, SET_POLICY, {"i": {**NUMBERS, "confirmBusinessDays": 0}},
                     token=keys.token(EDUCATION_KARAGANDA))).json()["data"]["setKindergartenPolicy"]  # fmt: skip
    citizen = (await gql(client, SET_POLICY, {"i": NUMBERS},
                         token=keys.token({"role": "citizen", "sub": "850315400015"}))).json()  # fmt: skip

    assert bad["policy"] is None
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_QUANTITY", ["input", "confirmBusinessDays"])]
    assert citizen["data"]["setKindergartenPolicy"]["errors"][0]["code"] == "FORBIDDEN"


async def test_a_regions_own_day_off_shows_in_its_calendar_only(client, keys, reset_clock_to):
    await reset_clock_to("2026-12-01T10:00:00+05:00")

    local_day = {"day": "2026-12-30", "kind": "DAY_OFF", "name": "Local day"}
    answer = await gql(client, SET_DAY, {"i": local_day}, token=keys.token(EDUCATION_KARAGANDA))
    set_day = answer.json()["data"]["setKindergartenCalendarDay"]
    days = {"from": "2026-12-29", "to": "2026-12-30"}
    karaganda = (await gql(client, CALENDAR, {"r": "KARAGANDA", **days})).json()["data"]
    astana = (await gql(client, CALENDAR, {"r": "ASTANA", **days})).json()["data"]
    too_long = (await gql(client, CALENDAR, {"r": "ASTANA", "from": "2026-01-01", "to": "2027-06-01"})).json()

    assert set_day == {"day": {"day": "2026-12-30", "working": False}, "errors": []}
    assert [d["working"] for d in karaganda["kindergartenWorkingCalendar"]] == [True, False]
    assert [d["working"] for d in astana["kindergartenWorkingCalendar"]] == [True, True]
    assert too_long["errors"][0]["extensions"]["code"] == "INVALID_PAGE"


REGION_STATS = """
query($r: Region!) {
  kindergartenRegionStats(region: $r) {
    waiting holdingOffers inactive openPlaces offeredThisMonth enrolledThisMonth lapsedThisMonth
  }
}
"""


async def test_a_regions_figures_count_its_queue_and_this_months_offers(client, keys, committing_sessions,
                                                                         reset_clock_to):  # fmt: skip
    await reset_clock_to(MONDAY)
    before = (await gql(client, REGION_STATS, {"r": "NORTH_KAZAKHSTAN"})).json()["data"]["kindergartenRegionStats"]
    garden = await add_kindergarten(committing_sessions, region=Region.NORTH_KAZAKHSTAN)
    for _ in range(3):
        await submit(client, keys, await add_family(committing_sessions), garden)
    await publish(client, keys, garden, count=2)

    after = (await gql(client, REGION_STATS, {"r": "NORTH_KAZAKHSTAN"})).json()["data"]["kindergartenRegionStats"]

    change = {name: after[name] - before[name] for name in after}
    assert change == {"waiting": 1, "holdingOffers": 2, "inactive": 0, "openPlaces": 0, "offeredThisMonth": 2,
                      "enrolledThisMonth": 0, "lapsedThisMonth": 0}  # fmt: skip
