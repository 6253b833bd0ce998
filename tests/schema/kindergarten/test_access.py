from __future__ import annotations

import pytest

from tests.conftest import organisation_claims
from tests.domain.kindergarten.registry import add_family, add_kindergarten, new_bin
from tests.graphql import gql
from tests.schema.kindergarten.documents import (
    CONFIRM,
    MINE,
    MONDAY,
    NODE,
    OPEN_OFFERS,
    PUBLISH,
    SIGN,
    UPDATE,
    WITHDRAW,
    call,
    global_id,
    mine,
    parent_token,
    publish,
    staff_token,
    submit,
)

CONFIRM_BENEFIT = """
mutation($i: ConfirmBenefitInput!) {
  confirmBenefit(input: $i) { offer { id status benefit { confirmed } } errors { code field message } }
}
"""
REJECT_BENEFIT = """
mutation($i: RejectBenefitInput!) {
  rejectBenefit(input: $i) { offer { id status } errors { code field message } }
}
"""
OFFER_NODE = "query($id: ID!) { node(id: $id) { id ... on KindergartenOffer { childIinMasked status } } }"


async def test_another_parent_finds_no_application_and_cannot_act_on_it(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family, stranger = await add_family(committing_sessions), await add_family(committing_sessions)
    application = await submit(client, keys, family, garden)
    token = parent_token(keys, stranger)

    node = await call(client, NODE, {"id": application["id"]}, token)
    listed = await call(client, MINE, {}, token)
    withdrawn = await call(client, WITHDRAW, {"i": {"applicationId": application["id"]}}, token, language="en")
    changed = await call(client, UPDATE, {"i": {"applicationId": application["id"], "benefit": None}}, token)

    assert node is None
    assert listed == []
    assert [(e["code"], e["field"]) for e in withdrawn["errors"]] == [("NOT_FOUND", ["input", "applicationId"])]
    assert withdrawn["errors"][0]["message"] == "No such application among yours."
    assert [e["code"] for e in changed["errors"]] == ["NOT_FOUND"]
    [still] = await mine(client, keys, family)
    assert still["status"] == "QUEUED"


async def test_an_application_node_is_null_for_staff_and_for_anonymous_callers(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    application = await submit(client, keys, family, garden)

    for_staff = await call(client, NODE, {"id": application["id"]}, staff_token(keys, garden))
    anonymous = (await gql(client, NODE, {"id": application["id"]})).json()

    assert for_staff is None
    assert anonymous == {"data": {"node": None}, "extensions": anonymous["extensions"]}


async def test_staff_of_another_kindergarten_can_neither_see_nor_decide_an_offer(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden, other = await add_kindergarten(committing_sessions), await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    await submit(client, keys, family, garden, benefit={"category": "ORPHAN", "documentReference": "№1"})
    [offer] = (await publish(client, keys, garden))["offers"]
    theirs = staff_token(keys, other)

    node = await call(client, OFFER_NODE, {"id": offer["id"]}, theirs)
    listed = await call(client, OPEN_OFFERS, {}, theirs)
    confirmed = await call(client, CONFIRM_BENEFIT, {"i": {"offerId": offer["id"]}}, theirs, language="en")
    rejected = await call(client, REJECT_BENEFIT, {"i": {"offerId": offer["id"], "reason": "нет"}}, theirs)

    assert node is None
    assert listed["edges"] == []
    assert [(e["code"], e["field"]) for e in confirmed["errors"]] == [("NOT_FOUND", ["input", "offerId"])]
    assert confirmed["errors"][0]["message"] == "No such offer of your kindergarten."
    assert [(e["code"], e["field"]) for e in rejected["errors"]] == [("NOT_FOUND", ["input", "offerId"])]
    own = await call(client, OFFER_NODE, {"id": offer["id"]}, staff_token(keys, garden))
    assert own == {"id": offer["id"], "childIinMasked": offer["childIinMasked"], "status": "OFFERED"}
    assert family.child not in str(own)
    [waiting] = await mine(client, keys, family)
    assert (waiting["status"], waiting["benefit"]["confirmed"]) == ("OFFERED", False)


async def test_a_parent_cannot_see_staffs_offer_and_staff_never_see_a_full_iin(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    await submit(client, keys, family, garden)
    published = await publish(client, keys, garden)
    [offer] = published["offers"]

    seen_by_parent = await call(client, OFFER_NODE, {"id": offer["id"]}, parent_token(keys, family))
    listed = await call(client, OPEN_OFFERS, {}, staff_token(keys, garden))

    assert seen_by_parent is None
    assert [edge["node"]["id"] for edge in listed["edges"]] == [offer["id"]]
    assert listed["edges"][0]["node"]["kindergarten"] == {"id": global_id("Kindergarten", garden.id)}
    staff_view = str(published) + str(listed)
    assert family.child not in staff_view
    assert str(family.parent.iin) not in staff_view


@pytest.mark.parametrize("role", ["parent", "pharmacy", "kindergarten without a registry entry"])
async def test_only_staff_of_a_registered_kindergarten_publish_places(
    client, keys, committing_sessions, reset_clock_to, role
):
    await reset_clock_to(MONDAY)
    family = await add_family(committing_sessions)
    token = {
        "parent": parent_token(keys, family),
        "pharmacy": keys.token(organisation_claims("981240000041", "PHARMACY")),
        "kindergarten without a registry entry": keys.token(organisation_claims(new_bin(), "KINDERGARTEN")),
    }[role]

    payload = await call(client, PUBLISH, {"i": {"cohort": 2023, "language": "KK", "count": 1}}, token)

    expected = "NOT_FOUND" if role.startswith("kindergarten") else "FORBIDDEN"
    assert [e["code"] for e in payload["errors"]] == [expected]
    assert payload["placesPublished"] is None


async def test_a_parent_cannot_publish_and_staff_cannot_answer_for_a_parent(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    application = await submit(client, keys, family, garden)
    await publish(client, keys, garden)

    by_staff = await call(client, CONFIRM, {"i": {"applicationId": application["id"]}}, staff_token(keys, garden))
    anonymous = (await gql(client, CONFIRM, {"i": {"applicationId": application["id"]}})).json()

    assert [e["code"] for e in by_staff["errors"]] == ["FORBIDDEN"]
    assert [e["code"] for e in anonymous["data"]["confirmKindergartenOffer"]["errors"]] == ["UNAUTHENTICATED"]
    [untouched] = await mine(client, keys, family)
    assert untouched["status"] == "OFFERED"


async def test_a_claimed_benefit_is_confirmed_by_staff_before_the_contract_is_signed(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    token = parent_token(keys, family)
    application = await submit(client, keys, family, garden,
                               benefit={"category": "TEACHER_CHILD", "documentReference": "Справка №7"})  # fmt: skip
    [offer] = (await publish(client, keys, garden))["offers"]
    await call(client, CONFIRM, {"i": {"applicationId": application["id"]}}, token)

    too_early = await call(client, SIGN, {"i": {"applicationId": application["id"]}}, token)
    confirmed = await call(client, CONFIRM_BENEFIT, {"i": {"offerId": offer["id"]}}, staff_token(keys, garden))
    signed = await call(client, SIGN, {"i": {"applicationId": application["id"]}}, token)

    assert offer["benefit"] == {"category": "TEACHER_CHILD", "documentReference": "Справка №7", "confirmed": False}
    assert [e["code"] for e in too_early["errors"]] == ["BENEFIT_NOT_CONFIRMED"]
    assert confirmed["errors"] == []
    assert confirmed["offer"]["benefit"] == {"confirmed": True}
    assert signed["application"]["status"] == "ENROLLED"


async def test_a_rejected_benefit_cancels_the_offer_and_the_place_goes_on_in_general_order(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    general, claimant = await add_family(committing_sessions), await add_family(committing_sessions)
    await submit(client, keys, general, garden)
    await reset_clock_to("2026-03-09T10:01:00+05:00")
    await submit(client, keys, claimant, garden, benefit={"category": "ORPHAN", "documentReference": "№1"})
    [offer] = (await publish(client, keys, garden))["offers"]  # first priority goes first

    rejected = await call(client, REJECT_BENEFIT, {"i": {"offerId": offer["id"], "reason": "документ не тот"}},
                          staff_token(keys, garden))  # fmt: skip

    assert rejected["errors"] == []
    assert rejected["offer"] == {"id": offer["id"], "status": "CANCELLED"}
    [back] = await mine(client, keys, claimant)
    assert (back["status"], back["benefit"], back["choices"][0]["position"]) == ("QUEUED", None, 1)
    assert [a["status"] for a in await mine(client, keys, general)] == ["OFFERED"]
