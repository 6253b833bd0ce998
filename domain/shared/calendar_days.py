from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Enum, Identity, String, UniqueConstraint, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from domain.shared.calendar import CalendarException, DayKind, WorkingCalendar
from domain.shared.db import Base
from domain.shared.regions import Region


class CalendarDay(Base):
    """A dated exception to the Monday-to-Friday week: national when `region` is null, else one region's own."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("region", "day", postgresql_nulls_not_distinct=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    region: Mapped[Region | None] = mapped_column(
        Enum(Region, name="region", values_callable=lambda r: [m.value for m in r], create_type=False)
    )
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[DayKind] = mapped_column(Enum(DayKind, name="calendar_day_kind"))
    name: Mapped[str] = mapped_column(String(200))


async def load_calendar(session: AsyncSession, region: Region | None = None) -> WorkingCalendar:
    """The working calendar of `region`: the national exceptions, with the region's own taking precedence."""
    rows = await session.scalars(
        select(CalendarDay).where(or_(CalendarDay.region.is_(None), CalendarDay.region == region))
    )
    by_day: dict[date, CalendarException] = {}
    for row in sorted(rows, key=lambda r: r.region is not None):  # national first, the region's override
        by_day[row.day] = CalendarException(day=row.day, kind=row.kind, name=row.name)
    return WorkingCalendar(by_day.values())
