from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from tests.domain.kindergarten.registry import add_family, add_kindergarten
from tests.graphql import gql
from tests.schema.kindergarten.documents import (
    CONFIRM,
    MONDAY,
    SIGN,
    call,
    global_id,
    parent_token,
    publish,
    staff_token,
    submit,
)

SUBSCRIBE = "subscription($after: ID) { kindergartenApplicationEvents(after: $after) { id kind } }"
NOTIFICATIONS = """
query($after: String, $first: Int) {
  myKindergartenNotifications(after: $after, first: $first) {
    edges { cursor node {
      id kind status at reason deadline rank choicesLeft closedReason
      application { id status } kindergarten { id }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_a_parent_who_was_offline_reads_what_happened_and_then_only_what_is_new(
    client, keys, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    token = parent_token(keys, family)
    application = await submit(client, keys, family, garden)
    await publish(client, keys, garden)

    page = await call(client, NOTIFICATIONS, {}, token)
    everything = _nodes(page)
    first_only = await call(client, NOTIFICATIONS, {"first": 1}, token)
    await call(client, CONFIRM, {"i": {"applicationId": application["id"]}}, token)
    since = _nodes(await call(client, NOTIFICATIONS, {"after": page["pageInfo"]["endCursor"]}, token))

    assert [(n["kind"], n["status"]) for n in everything] == [("SUBMITTED", "QUEUED"), ("OFFER_MADE", "OFFERED")]
    made = everything[1]
    assert (made["at"], made["deadline"], made["rank"]) == (MONDAY, "2026-03-12T00:00:00+05:00", 1)
    assert made["kindergarten"] == {"id": global_id("Kindergarten", garden.id)}
    assert made["application"] == {"id": application["id"], "status": "OFFERED"}
    assert everything[0]["kindergarten"] is None
    assert [n["id"] for n in _nodes(first_only)] == [everything[0]["id"]]
    assert first_only["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasNextPage"] is False
    assert [(n["kind"], n["deadline"]) for n in since] == [("OFFER_CONFIRMED", "2026-03-17T00:00:00+05:00")]


def _nodes(page: Any) -> list[Any]:
    return [edge["node"] for edge in page["edges"]]


def _first_live_event(settings: Any, token: str, after: str) -> Any:
    # The test client runs the app on an event loop of its own, in a thread of its own.
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"after": after}}})
        return ws.receive_json()


async def test_the_id_of_a_notification_read_offline_resumes_the_live_events_after_it(
    client, keys, settings, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    token = parent_token(keys, family)
    await submit(client, keys, family, garden)
    await publish(client, keys, garden)
    submitted, offered = _nodes(await call(client, NOTIFICATIONS, {}, token))

    message = await asyncio.to_thread(_first_live_event, settings, token, submitted["id"])

    assert message["type"] == "next"
    assert message["payload"]["data"]["kindergartenApplicationEvents"] == {"id": offered["id"], "kind": "OFFER_MADE"}


async def test_a_parent_reads_only_their_own_notifications(client, keys, committing_sessions, reset_clock_to):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family, stranger = await add_family(committing_sessions), await add_family(committing_sessions)
    await submit(client, keys, family, garden)

    theirs = _nodes(await call(client, NOTIFICATIONS, {}, parent_token(keys, stranger)))
    for_staff = (await gql(client, NOTIFICATIONS, {}, token=staff_token(keys, garden))).json()

    assert theirs == []
    assert for_staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_cursor_of_another_kind_is_refused(client, keys, committing_sessions):
    family = await add_family(committing_sessions)

    answer = (await gql(client, NOTIFICATIONS, {"after": global_id("Kindergarten", 1)},
                        token=parent_token(keys, family))).json()  # fmt: skip

    assert answer["errors"][0]["extensions"]["code"] == "INVALID_PAGE"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "«бала қабылданған» күйінде бұл әрекет мүмкін емес."),
        ("ru", "Это действие недоступно в состоянии «ребёнок зачислен»."),
        ("en", "This is not allowed while it is enrolled."),
    ],
)
async def test_an_answer_the_status_does_not_allow_says_the_status_in_words(
    client, keys, committing_sessions, reset_clock_to, language, message
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    token = parent_token(keys, family)
    application = await submit(client, keys, family, garden)
    await publish(client, keys, garden)
    await call(client, CONFIRM, {"i": {"applicationId": application["id"]}}, token)
    await call(client, SIGN, {"i": {"applicationId": application["id"]}}, token)

    again = await call(client, SIGN, {"i": {"applicationId": application["id"]}}, token, language=language)

    assert [(e["code"], e["field"], e["message"]) for e in again["errors"]] == [("INVALID_TRANSITION", None, message)]
