from __future__ import annotations

from datetime import UTC, datetime

from domain.kindergarten import sweep
from domain.shared.db import create_sessionmaker
from tests.domain.kindergarten.registry import add_family, add_kindergarten
from tests.schema.kindergarten.documents import (
    CONFIRM,
    EXTEND,
    MONDAY,
    NODE,
    REACTIVATE,
    REFUSE,
    SIGN,
    WITHDRAW,
    call,
    count_rows,
    global_id,
    mine,
    parent_token,
    publish,
    submit,
)


async def test_a_parent_goes_from_submission_to_enrolment_through_http(
    client, keys, engine, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    token = parent_token(keys, family)

    submitted = await submit(client, keys, family, garden)
    published = await publish(client, keys, garden)
    [offered] = await mine(client, keys, family)
    confirmed = await call(client, CONFIRM, {"i": {"applicationId": submitted["id"]}}, token)
    signed = await call(client, SIGN, {"i": {"applicationId": submitted["id"]}}, token)

    assert submitted["status"] == "QUEUED"
    assert (submitted["childIin"], submitted["queuedAt"], submitted["cohort"]) == (family.child, MONDAY, 2023)
    assert submitted["region"] == "ASTANA"
    [choice] = submitted["choices"]
    assert (choice["rank"], choice["position"], choice["waitingInOrder"]) == (1, 1, 1)
    assert choice["kindergarten"] == {"id": global_id("Kindergarten", garden.id), "name": f"Балабақша {garden.bin}"}
    assert (choice["positionChanges"][0]["change"], choice["positionChanges"][0]["own"]) == ("JOINED", True)

    assert (published["placesPublished"], published["offersMade"], published["errors"]) == (1, 1, [])
    [staff_offer] = published["offers"]
    assert staff_offer["childIinMasked"] == family.child[:6] + "****" + family.child[-2:]

    assert offered["status"] == "OFFERED"
    assert offered["choices"][0]["position"] is None  # holding an offer, the child waits in no order
    # Offered on Monday 10:00: two business days, to the end of Wednesday.
    assert offered["offer"] == {
        "status": "OFFERED", "rank": 1, "offeredAt": MONDAY, "confirmBy": "2026-03-12T00:00:00+05:00",
        "signBy": None, "extended": False, "benefitBy": None,
        "kindergarten": {"id": global_id("Kindergarten", garden.id)},
    }  # fmt: skip

    assert confirmed["errors"] == []
    assert confirmed["application"]["status"] == "CONFIRMED"
    # Confirmed on Monday: five business days, to the end of Monday the week after.
    assert confirmed["application"]["offer"]["signBy"] == "2026-03-17T00:00:00+05:00"

    assert signed["errors"] == []
    assert (signed["application"]["status"], signed["application"]["offer"]) == ("ENROLLED", None)
    taken = "SELECT count(*) FROM kindergarten_places WHERE kindergarten_id = :g AND status = 'TAKEN'"
    assert await count_rows(engine, taken, g=garden.id) == 1


async def test_a_parent_reads_their_application_as_a_node(client, keys, committing_sessions, reset_clock_to):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    submitted = await submit(client, keys, family, garden)

    node = await call(client, NODE, {"id": submitted["id"]}, parent_token(keys, family))

    assert node == {"id": submitted["id"], "status": "QUEUED", "childIin": family.child}


async def test_the_contract_period_is_extended_once_by_thirty_days_unless_told_otherwise(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    token = parent_token(keys, family)
    application = await submit(client, keys, family, garden)
    await publish(client, keys, garden)
    await call(client, CONFIRM, {"i": {"applicationId": application["id"]}}, token)

    too_long = await call(client, EXTEND, {"i": {"applicationId": application["id"], "days": 31}}, token)
    extended = await call(client, EXTEND, {"i": {"applicationId": application["id"]}}, token)
    again = await call(client, EXTEND, {"i": {"applicationId": application["id"], "days": 1}}, token)

    assert [(e["code"], e["field"]) for e in too_long["errors"]] == [("INVALID_QUANTITY", ["input", "days"])]
    assert extended["errors"] == []
    assert extended["application"]["offer"]["signBy"] == "2026-04-16T00:00:00+05:00"  # 17 March + 30 days
    assert extended["application"]["offer"]["extended"] is True
    assert [e["code"] for e in again["errors"]] == ["EXTENSION_USED"]


async def test_refusing_an_offer_keeps_the_child_waiting_for_the_higher_choice_only(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    top, low = await add_kindergarten(committing_sessions), await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    application = await submit(client, keys, family, top, low)
    await publish(client, keys, low)

    refused = await call(client, REFUSE, {"i": {"applicationId": application["id"]}}, parent_token(keys, family))

    assert refused["errors"] == []
    assert refused["application"]["status"] == "QUEUED"
    assert refused["application"]["queuedAt"] == MONDAY
    kept = [c["kindergarten"]["id"] for c in refused["application"]["choices"]]
    assert kept == [global_id("Kindergarten", top.id)]


async def test_withdrawing_an_offered_application_passes_the_place_to_the_next_child(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    first, second = await add_family(committing_sessions), await add_family(committing_sessions)
    application = await submit(client, keys, first, garden)
    await submit(client, keys, second, garden)
    await publish(client, keys, garden)

    withdrawn = await call(client, WITHDRAW, {"i": {"applicationId": application["id"]}}, parent_token(keys, first))

    assert withdrawn["application"]["status"] == "WITHDRAWN"
    [next_child] = await mine(client, keys, second)
    assert next_child["status"] == "OFFERED"


async def test_an_offer_left_unanswered_lapses_and_the_application_is_reactivated_once(
    client, keys, engine, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family, behind = await add_family(committing_sessions), await add_family(committing_sessions)
    token = parent_token(keys, family)
    application = await submit(client, keys, family, garden)
    await submit(client, keys, behind, garden)
    await publish(client, keys, garden)
    # The sweep runs at the end of Wednesday, the last day to confirm (its CLI is not this layer's); the place goes
    # on to the child behind.
    await sweep.sweep(create_sessionmaker(engine), now=datetime(2026, 3, 11, 19, 0, tzinfo=UTC))
    [inactive] = await mine(client, keys, family)
    await reset_clock_to("2026-03-20T10:00:00+05:00")

    reactivated = await call(client, REACTIVATE, {"i": {"applicationId": application["id"]}}, token)
    again = await call(client, REACTIVATE, {"i": {"applicationId": application["id"]}}, token)

    assert inactive["status"] == "INACTIVE"
    assert inactive["reactivateBy"] == "2026-04-09T00:00:00+05:00"  # 28 days from the day after the last to confirm
    assert [c["position"] for c in inactive["choices"]] == [None]
    assert reactivated["errors"] == []
    assert (reactivated["application"]["status"], reactivated["application"]["reactivationUsed"]) == ("QUEUED", True)
    assert reactivated["application"]["queuedAt"] == MONDAY
    assert [c["position"] for c in reactivated["application"]["choices"]] == [1]
    assert [e["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]
    assert [a["status"] for a in await mine(client, keys, behind)] == ["OFFERED"]
