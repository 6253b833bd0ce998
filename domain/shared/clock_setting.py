from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, DateTime, Float, SmallInteger, func, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from domain.shared.clock import ClockShift
from domain.shared.db import Base
from domain.shared.errors import Forbidden

# Every instance LISTENs here and applies the new shift at once, so one `govgraph clock` or `setClock` moves
# the clock of the whole deployment; the row lets an instance that starts later pick it up.
CLOCK_CHANNEL = "govgraph_clock"


class ClockSetting(Base):
    """The development clock's one row (created by the migration): its offset from real time, or its frozen instant."""

    __tablename__ = "development_clock"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    offset_s: Mapped[float] = mapped_column(Float)
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def read_shift(session: AsyncSession) -> ClockShift:
    """The development clock's stored shift."""
    row = await session.get(ClockSetting, 1)
    return _shift(row) if row is not None else ClockShift()


async def move_clock(
    session: AsyncSession,
    *,
    to: datetime | None = None,
    advance_by: timedelta | None = None,
    frozen: bool = False,
    real_now: datetime,
    production: bool,
) -> ClockShift:
    """Set the development clock to `to`, move it by `advance_by`, or (neither) reset it; never in production."""
    if production:
        raise Forbidden("set the clock in production mode")
    async with session.begin():
        # The row lock orders concurrent moves: two "advance by a day" give two days, never one.
        row = await session.get(ClockSetting, 1, with_for_update=True)
        assert row is not None, "migration 0001 creates the development clock's row"
        if to is not None:
            shift = ClockShift.showing(to, real_now=real_now, frozen=frozen)
        elif advance_by is not None:
            shift = _shift(row).advanced(advance_by)
        else:
            shift = ClockShift()
        row.offset_s, row.frozen_at, row.updated_at = shift.offset.total_seconds(), shift.frozen_at, real_now
        await session.execute(
            text("SELECT pg_notify(:channel, :shift)"), {"channel": CLOCK_CHANNEL, "shift": encode(shift)}
        )
    return shift


def _shift(row: ClockSetting) -> ClockShift:
    return ClockShift(offset=timedelta(seconds=row.offset_s), frozen_at=row.frozen_at)


def encode(shift: ClockShift) -> str:
    frozen = shift.frozen_at.isoformat() if shift.frozen_at else None
    return json.dumps({"offset_s": shift.offset.total_seconds(), "frozen_at": frozen})


def decode(message: str) -> ClockShift:
    data = json.loads(message)
    frozen = datetime.fromisoformat(data["frozen_at"]) if data["frozen_at"] else None
    return ClockShift(offset=timedelta(seconds=float(data["offset_s"])), frozen_at=frozen)
