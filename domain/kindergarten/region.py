from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten.models import RegionPolicy
from domain.kindergarten.policy import Policy
from domain.shared.access import AuthorityKind, Principal, require_authority
from domain.shared.calendar import DayKind, WorkingCalendar, local_date
from domain.shared.calendar_days import CalendarDay, load_calendar
from domain.shared.errors import DomainError, ErrorCode, InvalidDate, MissingValue, TextTooLong
from domain.shared.regions import Region

# What a region's education department may set: its numbers of the rules, within bounds that keep them rules.
_BOUNDS = {
    "confirm_business_days": (1, 10),
    "contract_business_days": (1, 20),
    "extension_days": (0, 60),
    "reactivation_days": (0, 90),
    "benefit_business_days": (1, 20),
}


class PolicyOutOfBounds(DomainError):
    code = ErrorCode.INVALID_QUANTITY

    def __init__(self, name: str, value: int, minimum: int, maximum: int) -> None:
        super().__init__(f"{name} = {value}, give {minimum} to {maximum}", field=(name,), quantity=value,
                         minimum=minimum, maximum=maximum)  # fmt: skip


def _department(principal: Principal) -> tuple[Region, str]:
    """The region the caller's education department governs, and the official's id."""
    official = require_authority(principal, AuthorityKind.EDUCATION_DEPARTMENT)
    if official.region is None:
        raise MissingValue("an education department token names its region", field=())
    return official.region, official.user_id


async def set_policy(principal: Principal, session: AsyncSession, *, policy: Policy, now: datetime) -> Region:
    """A region's education department sets its numbers of the rules; offers already made keep their deadlines."""
    region, by = _department(principal)
    for name, (minimum, maximum) in _BOUNDS.items():
        value = getattr(policy, name)
        if not minimum <= value <= maximum:
            raise PolicyOutOfBounds(name, value, minimum, maximum)
    values = {name: getattr(policy, name) for name in _BOUNDS}
    async with session.begin():
        await session.execute(
            insert(RegionPolicy)
            .values(region=region, updated_at=now, updated_by=by, **values)
            .on_conflict_do_update(index_elements=["region"], set_={**values, "updated_at": now, "updated_by": by})
        )
    return region


_NAME_LIMIT = 200


async def set_calendar_day(
    principal: Principal, session: AsyncSession, *, day: date, kind: DayKind, name: str, now: datetime
) -> Region:
    """A region's own exception to the national working calendar (a local holiday, a decree's transfer): it takes
    precedence over the national day, and counts in deadlines from the next offer on."""
    region, _ = _department(principal)
    if not name.strip():
        raise MissingValue("the day's name", field=("name",))
    if len(name) > _NAME_LIMIT:
        raise TextTooLong(len(name), _NAME_LIMIT, field=("name",))
    if day < local_date(now):
        raise InvalidDate(day.isoformat(), "a day from today on: past deadlines keep their calendar", field=("day",))
    async with session.begin():
        await session.execute(
            insert(CalendarDay)
            .values(region=region, day=day, kind=kind, name=name)
            .on_conflict_do_update(index_elements=["region", "day"], set_={"kind": kind, "name": name})
        )
    return region


async def working_days(session: AsyncSession, region: Region, start: date, end: date) -> list[tuple[date, bool]]:
    """Each day from `start` to `end` with whether it is a working day in `region`."""
    async with session.begin():
        calendar: WorkingCalendar = await load_calendar(session, region)
    return [(day, calendar.is_working_day(day))
            for day in (date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1))]  # fmt: skip
