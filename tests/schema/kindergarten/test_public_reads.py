from __future__ import annotations

import json

from domain.kindergarten.models import Language
from domain.shared.regions import Region
from tests.domain.kindergarten.registry import add_family, add_kindergarten
from tests.graphql import gql
from tests.schema.kindergarten.documents import MONDAY, global_id, publish, submit

KINDERGARTENS = """
query($region: Region!, $first: Int, $after: String) {
  kindergartens(region: $region, first: $first, after: $after) {
    edges { cursor node { id name address region languages capacities { cohort capacity } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
STATS = """
query($id: ID!) {
  kindergartenQueueStats(kindergartenId: $id) { cohort language waiting offeredThisMonth kindergarten { id name } }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Kindergarten { name queueStats { cohort waiting } } } }"


async def test_anyone_pages_through_a_regions_kindergartens(client, committing_sessions):
    made = [
        await add_kindergarten(committing_sessions, region=Region.KYZYLORDA, languages=(Language.KK,), cohorts=(2024,))
        for _ in range(3)
    ]
    ids = [global_id("Kindergarten", garden.id) for garden in made]

    pages, after = [], None
    while True:
        answer = (await gql(client, KINDERGARTENS, {"region": "KYZYLORDA", "first": 2, "after": after})).json()
        page = answer["data"]["kindergartens"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    listed = [edge["node"] for page in pages for edge in page["edges"]]
    assert [node["id"] for node in listed if node["id"] in ids] == ids  # in registry order, none twice
    assert len(pages[0]["edges"]) == 2
    assert (pages[0]["pageInfo"]["hasPreviousPage"], pages[-1]["pageInfo"]["hasPreviousPage"]) == (False, True)
    mine = next(node for node in listed if node["id"] == ids[0])
    assert mine == {
        "id": ids[0], "name": f"Балабақша {made[0].bin}", "address": "Астана, 1", "region": "KYZYLORDA",
        "languages": ["KK"], "capacities": [{"cohort": 2024, "capacity": 50}],
    }  # fmt: skip


async def test_a_page_of_more_than_a_hundred_is_refused(client):
    answer = (await gql(client, KINDERGARTENS, {"region": "ASTANA", "first": 101})).json()

    assert answer["errors"][0]["extensions"]["code"] == "INVALID_PAGE"


async def test_public_queue_figures_count_children_and_offers_and_name_nobody(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    families = [await add_family(committing_sessions) for _ in range(3)]
    for family in families:
        await submit(client, keys, family, garden)
    await publish(client, keys, garden)

    answer = (await gql(client, STATS, {"id": global_id("Kindergarten", garden.id)})).json()
    node = (await gql(client, NODE, {"id": global_id("Kindergarten", garden.id)})).json()

    assert answer["data"]["kindergartenQueueStats"] == [
        {"cohort": 2023, "language": "KK", "waiting": 2, "offeredThisMonth": 1,
         "kindergarten": {"id": global_id("Kindergarten", garden.id), "name": f"Балабақша {garden.bin}"}},
    ]  # fmt: skip
    assert node["data"]["node"]["queueStats"] == [{"cohort": 2023, "waiting": 2}]
    text = json.dumps(answer, ensure_ascii=False) + json.dumps(node, ensure_ascii=False)
    for family in families:
        assert family.child not in text
        assert family.child[:6] not in text  # not even the birth date part
        assert str(family.parent.iin) not in text


async def test_offers_of_last_month_are_not_this_months(client, keys, committing_sessions, reset_clock_to):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    for _ in range(2):
        await submit(client, keys, await add_family(committing_sessions), garden)
    await publish(client, keys, garden)
    await reset_clock_to("2026-03-31T23:59:00+05:00")
    march = (await gql(client, STATS, {"id": global_id("Kindergarten", garden.id)})).json()
    await reset_clock_to("2026-04-01T00:00:00+05:00")  # midnight in Almaty, still March in UTC

    april = (await gql(client, STATS, {"id": global_id("Kindergarten", garden.id)})).json()

    assert [(s["waiting"], s["offeredThisMonth"]) for s in march["data"]["kindergartenQueueStats"]] == [(1, 1)]
    assert [(s["waiting"], s["offeredThisMonth"]) for s in april["data"]["kindergartenQueueStats"]] == [(1, 0)]


async def test_the_figures_of_no_kindergarten_are_not_found(client):
    unknown = (await gql(client, STATS, {"id": global_id("Kindergarten", 0)}, language="en")).json()
    foreign = (await gql(client, STATS, {"id": global_id("KindergartenApplication", 1)})).json()

    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert unknown["errors"][0]["message"] == "No such kindergarten in the registry."
    assert foreign["errors"][0]["extensions"]["code"] == "INVALID_ID"
