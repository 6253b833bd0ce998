from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Identity, String, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from domain.shared.db import Base

# Every instance LISTENs here; a NOTIFY is delivered only when its transaction commits, so a subscriber never
# hears of an event that was rolled back, and an event is never lost between a commit and its subscribers.
OUTBOX_CHANNEL = "govgraph_outbox"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened, written in the same transaction as the change it reports."""

    topic: ClassVar[str]


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    topic: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def add(session: AsyncSession, event: DomainEvent) -> OutboxEvent:
    """Record `event` in the outbox and announce it to listeners when the surrounding transaction commits."""
    payload = {field.name: _jsonable(getattr(event, field.name)) for field in dataclasses.fields(event)}
    row = OutboxEvent(topic=event.topic, payload=payload)
    session.add(row)
    await session.flush()
    await session.execute(
        text("SELECT pg_notify(:channel, :message)"), {"channel": OUTBOX_CHANNEL, "message": f"{row.id}:{row.topic}"}
    )
    return row


async def events_after(session: AsyncSession, last_id: int, *, limit: int = 500) -> list[OutboxEvent]:
    """Outbox events with an id above `last_id`, oldest first: how a listener catches up after a gap."""
    rows = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.id > last_id).order_by(OutboxEvent.id).limit(limit)
    )
    return list(rows)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # dates, Decimals, IINs, enums: their canonical text form
