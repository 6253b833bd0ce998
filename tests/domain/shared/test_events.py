from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

import asyncpg
import pytest
from sqlalchemy import select

from domain.shared import events
from domain.shared.events import OUTBOX_CHANNEL, DomainEvent, OutboxEvent
from domain.shared.iin import Iin


@dataclass(frozen=True, slots=True)
class ParcelNoticed(DomainEvent):
    topic: ClassVar[str] = "test.parcel_noticed"
    parcel_id: int
    owner: Iin


async def _listen(database_url: str) -> tuple[asyncpg.Connection, asyncio.Queue[str]]:
    heard: asyncio.Queue[str] = asyncio.Queue()
    connection = await asyncpg.connect(database_url)
    await connection.add_listener(OUTBOX_CHANNEL, lambda *args: heard.put_nowait(args[3]))
    return connection, heard


@pytest.mark.race
async def test_an_event_is_stored_and_announced_only_when_its_transaction_commits(committing_sessions, database_url):
    listener, heard = await _listen(database_url)
    try:
        async with committing_sessions() as session, session.begin():
            row = await events.add(session, ParcelNoticed(parcel_id=7, owner=Iin.parse("850315400015")))
            await asyncio.sleep(0.05)
            assert heard.empty()  # still inside the transaction: nobody may hear of it yet

        message = await asyncio.wait_for(heard.get(), timeout=5)
        async with committing_sessions() as session:
            stored = await session.scalar(select(OutboxEvent).where(OutboxEvent.id == row.id))
    finally:
        await listener.close()

    assert message == f"{row.id}:test.parcel_noticed"
    assert stored is not None
    assert stored.payload == {"parcel_id": 7, "owner": "850315400015"}


@pytest.mark.race
async def test_a_rolled_back_event_is_neither_stored_nor_announced(committing_sessions, database_url):
    listener, heard = await _listen(database_url)
    try:
        async with committing_sessions() as session:
            await session.begin()
            row = await events.add(session, ParcelNoticed(parcel_id=8, owner=Iin.parse("850315400015")))
            await session.rollback()
        await asyncio.sleep(0.2)
        async with committing_sessions() as session:
            stored = await session.scalar(select(OutboxEvent).where(OutboxEvent.id == row.id))
    finally:
        await listener.close()

    assert heard.empty()
    assert stored is None


async def test_a_listener_catches_up_on_events_after_the_last_it_saw(session):
    first = await events.add(session, ParcelNoticed(parcel_id=1, owner=Iin.parse("850315400015")))
    second = await events.add(session, ParcelNoticed(parcel_id=2, owner=Iin.parse("850315400015")))

    missed = await events.events_after(session, first.id)

    assert [event.id for event in missed] == [second.id]
