from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """The one source of "now" for every rule; use cases get the instant from their caller."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ClockShift:
    """How a development clock differs from real time: frozen at an instant, or running with an offset."""

    offset: timedelta = timedelta(0)
    frozen_at: datetime | None = None

    @classmethod
    def showing(cls, instant: datetime, *, real_now: datetime, frozen: bool = False) -> ClockShift:
        """The shift that makes the clock read `instant` now, and then stand still or run on."""
        if instant.tzinfo is None:
            raise ValueError("the clock takes an aware datetime")
        return cls(frozen_at=instant) if frozen else cls(offset=instant - real_now)

    def advanced(self, by: timedelta) -> ClockShift:
        if self.frozen_at is not None:
            return ClockShift(frozen_at=self.frozen_at + by)
        return ClockShift(offset=self.offset + by)

    def apply(self, real: datetime) -> datetime:
        return self.frozen_at if self.frozen_at is not None else real + self.offset


class AdjustableClock:
    """A clock that tests and development can set and move; production mode never builds one."""

    def __init__(self, shift: ClockShift | None = None) -> None:
        self.shift = shift or ClockShift()

    def now(self) -> datetime:
        return self.shift.apply(datetime.now(UTC))
