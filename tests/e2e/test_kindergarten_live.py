from __future__ import annotations

import asyncio
import json
import signal
from datetime import date, timedelta
from pathlib import Path

import pytest
import websockets

from domain.kindergarten import applications, staff
from domain.kindergarten.models import Language
from tests.conftest import AUDIENCE, ISSUER, SigningKeys, citizen_claims
from tests.domain.kindergarten.registry import NOW, add_family, add_kindergarten
from tests.e2e.processes import serve, wait_ready

pytestmark = pytest.mark.slow

SUBSCRIBE = """
subscription($after: ID) {
  kindergartenApplicationEvents(after: $after) { id kind applicationId status position deadline }
}
"""


@pytest.fixture
def two_instances(tmp_path: Path, database_url: str, keys: SigningKeys):
    """Two `govgraph serve` processes on one database, as behind a load balancer."""
    env = {"DATABASE_URL": database_url, "GOVGRAPH_JWKS_FILE": str(keys.jwks_file), "GOVGRAPH_JWT_ISSUER": ISSUER,
           "GOVGRAPH_JWT_AUDIENCE": AUDIENCE, "GOVGRAPH_SWEEP_INTERVAL_S": "0"}  # fmt: skip
    started = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            started.append(serve(tmp_path / name, **env))
        for process, port in started:
            wait_ready(process, f"http://127.0.0.1:{port}/readyz")
        yield [port for _, port in started]
    finally:
        for process, _ in started:
            process.send_signal(signal.SIGINT)
        for process, _ in started:
            process.wait(timeout=30)


async def _subscribe(port: int, token: str, after: str | None = None):
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe",
                              "payload": {"query": SUBSCRIBE, "variables": {"after": after}}}))  # fmt: skip
    return ws


async def _next_event(ws, timeout_s: float = 10) -> dict:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout_s))
    assert message["type"] == "next", message
    return message["payload"]["data"]["kindergartenApplicationEvents"]


async def test_a_subscriber_on_one_instance_hears_of_an_offer_made_through_another(
    two_instances, committing_sessions, keys
):
    port_a, _ = two_instances
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    behind = await add_family(committing_sessions)
    async with committing_sessions() as session:
        application_id = await applications.submit_application(
            family.parent, session, child_iin=family.child, choices=[garden.id], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=None, now=NOW,
        )  # fmt: skip
    async with committing_sessions() as session:
        await applications.submit_application(
            behind.parent, session, child_iin=behind.child, choices=[garden.id], language=Language.KK,
            desired_start=date(2026, 9, 1), benefit=None, now=NOW + timedelta(minutes=1),
        )  # fmt: skip
    ws = await _subscribe(port_a, keys.token(citizen_claims(str(family.parent.iin))))
    behind_ws = await _subscribe(port_a, keys.token(citizen_claims(str(behind.parent.iin))))
    await asyncio.sleep(0.5)  # the subscriptions have registered

    async with committing_sessions() as session:
        await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=1, now=NOW)

    offered = await _next_event(ws)
    moved = await _next_event(behind_ws)
    assert offered["kind"] == "OFFER_MADE"
    assert offered["status"] == "OFFERED"
    assert offered["deadline"] is not None
    assert moved["kind"] == "POSITION_CHANGED"
    assert moved["position"] == 1
    await ws.close()
    await behind_ws.close()

    # Reconnecting with the last event's id delivers what was stored since: nothing is lost while away.
    async with committing_sessions() as session:
        await applications.withdraw_application(family.parent, session, application_id=application_id, now=NOW)
    again = await _subscribe(port_a, keys.token(citizen_claims(str(family.parent.iin))), after=offered["id"])
    missed = await _next_event(again)
    assert missed["kind"] == "WITHDRAWN"
    await again.close()
