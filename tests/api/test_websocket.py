from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.settings import Settings
from tests.conftest import SigningKeys, citizen_claims

PROTOCOL = "graphql-transport-ws"
ME = "{ me { ... on Citizen { iin } } }"


@pytest.fixture
def ws_client(settings: Settings) -> Iterator[TestClient]:
    # The test client runs the app on an event loop of its own, so the app gets an engine of its own too.
    with TestClient(create_app(settings)) as client:
        yield client


def _run(client: TestClient, init_payload: dict[str, object], query: str) -> dict[str, object]:
    with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": init_payload})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        return ws.receive_json()


def test_a_token_in_connection_init_identifies_the_subscriber(ws_client: TestClient, keys: SigningKeys):
    token = keys.token(citizen_claims("900102500025"))

    message = _run(ws_client, {"Authorization": f"Bearer {token}"}, ME)

    assert message == {"id": "1", "type": "next", "payload": {"data": {"me": {"iin": "900102500025"}}}}


def test_a_websocket_without_a_token_is_anonymous(ws_client: TestClient):
    message = _run(ws_client, {}, ME)

    assert message["payload"] == {"data": {"me": None}}


def test_a_bad_token_in_connection_init_closes_the_socket_as_forbidden(ws_client: TestClient, keys: SigningKeys):
    expired = keys.token(citizen_claims(), exp=1)

    with ws_client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {expired}"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()

    assert closed.value.code == 4403


def test_the_depth_limit_holds_on_the_websocket_too(ws_client: TestClient):
    deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }"  # noqa: E501  (the depth is the point)

    message = _run(ws_client, {}, deep)

    assert message["type"] == "error"
    assert message["payload"][0]["extensions"] == {"code": "DEPTH_LIMIT_EXCEEDED"}


def test_an_anonymous_caller_cannot_follow_kindergarten_applications(ws_client: TestClient):
    message = _run(ws_client, {}, "subscription { kindergartenApplicationEvents { kind } }")

    assert message["type"] == "next"
    assert message["payload"]["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


def test_a_malformed_cursor_is_refused_with_a_typed_error(ws_client: TestClient, keys: SigningKeys):
    token = keys.token(citizen_claims("900102500025"))

    message = _run(ws_client, {"Authorization": f"Bearer {token}"},
                   'subscription { kindergartenApplicationEvents(after: "bm9wZQ==") { kind } }')  # fmt: skip

    assert message["payload"]["errors"][0]["extensions"] == {"code": "INVALID_ID"}
