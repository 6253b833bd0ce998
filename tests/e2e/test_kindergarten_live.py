from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import websockets
from sqlalchemy import text

from domain.kindergarten import staff
from domain.kindergarten.models import Language
from tests.conftest import AUDIENCE, ISSUER, SigningKeys
from tests.domain.kindergarten.registry import add_family, add_kindergarten
from tests.e2e.processes import serve, wait_ready
from tests.schema.kindergarten.documents import WITHDRAW, call, parent_token, publish, submit

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


async def test_a_subscriber_on_one_instance_hears_of_mutations_served_by_another(
    two_instances, committing_sessions, keys
):
    port_a, port_b = two_instances
    garden = await add_kindergarten(committing_sessions)
    family, behind = await add_family(committing_sessions), await add_family(committing_sessions)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port_b}") as b:
        # The instances run on real time (the shared clock of development): a start date still to come.
        application = await submit(b, keys, family, garden, desiredStart="2030-09-01")
        await submit(b, keys, behind, garden, desiredStart="2030-09-01")
        ws = await _subscribe(port_a, parent_token(keys, family))
        behind_ws = await _subscribe(port_a, parent_token(keys, behind))
        await asyncio.sleep(0.5)  # both subscriptions have registered with instance A

        await publish(b, keys, garden)  # served by instance B

        offered = await _next_event(ws)
        moved = await _next_event(behind_ws)
        assert (offered["kind"], offered["status"], offered["applicationId"]) == (
            "OFFER_MADE", "OFFERED", application["id"])  # fmt: skip
        assert offered["deadline"] is not None
        assert (moved["kind"], moved["position"]) == ("POSITION_CHANGED", 1)
        await ws.close()
        await behind_ws.close()

        # Away, the parent withdraws through B; reconnecting to A with the last event's id delivers what was missed.
        withdrawn = await call(b, WITHDRAW, {"i": {"applicationId": application["id"]}}, parent_token(keys, family))
        assert withdrawn["errors"] == []
        again = await _subscribe(port_a, parent_token(keys, family), after=offered["id"])
        missed = await _next_event(again)
        assert (missed["kind"], missed["status"]) == ("WITHDRAWN", "WITHDRAWN")
        await again.close()


async def test_an_event_committed_while_an_instance_had_lost_its_listening_connection_still_arrives(
    two_instances, committing_sessions, keys, server_url
):
    port_a, port_b = two_instances
    garden = await add_kindergarten(committing_sessions)
    family = await add_family(committing_sessions)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port_b}") as b:
        await submit(b, keys, family, garden, desiredStart="2030-09-01")
    ws = await _subscribe(port_a, parent_token(keys, family))
    await asyncio.sleep(0.5)

    # The instances lose their LISTEN connections and cannot reconnect until the offer has been committed: its
    # NOTIFY reaches nobody, and only reading again on reconnecting can deliver it.
    admin = await asyncpg.connect(server_url)
    async with committing_sessions() as session:
        database = (await session.execute(text("SELECT current_database()"))).scalar_one()
        await session.commit()  # the session's connection stays open in the pool while the door is closed
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        try:
            cut = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'",
                database,
            )
            assert len(cut) >= 2
            await staff.publish_places(garden.staff, session, cohort=2023, language=Language.KK, count=1,
                                       now=datetime.now(UTC))  # fmt: skip
        finally:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            await admin.close()

    offered = await _next_event(ws, timeout_s=15)
    assert offered["kind"] == "OFFER_MADE"
    await ws.close()
