from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten.models import RegionPolicy
from domain.shared.calendar import WorkingCalendar
from domain.shared.calendar_days import load_calendar
from domain.shared.regions import Region


@dataclass(frozen=True, slots=True)
class Policy:
    """A region's numbers for the rules; the defaults are those of kindergarten rules, "Offers"."""

    confirm_business_days: int = 2
    contract_business_days: int = 5
    extension_days: int = 30
    reactivation_days: int = 28
    benefit_business_days: int = 5


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True)
class Rules:
    """A region's policy with its working calendar: what every deadline is computed from."""

    policy: Policy
    calendar: WorkingCalendar

    def confirm_by(self, offered_at: datetime) -> datetime:
        return self.calendar.deadline_after(offered_at, self.policy.confirm_business_days)

    def sign_by(self, confirmed_at: datetime) -> datetime:
        return self.calendar.deadline_after(confirmed_at, self.policy.contract_business_days)

    def benefit_by(self, offered_at: datetime) -> datetime:
        return self.calendar.deadline_after(offered_at, self.policy.benefit_business_days)

    def reactivate_by(self, confirm_by: datetime) -> datetime:
        # Decisions, "Deadlines": 28 calendar days from the day after the last day to confirm, to 24:00 of the 28th
        # day, not moved for holidays; `confirm_by` is already 00:00 of that next day.
        return confirm_by + timedelta(days=self.policy.reactivation_days)


async def region_policy(session: AsyncSession, region: Region) -> Policy:
    """The region's numbers of the rules, or the defaults where it has set none."""
    row = await session.get(RegionPolicy, region)
    if row is None:
        return DEFAULT_POLICY
    return Policy(row.confirm_business_days, row.contract_business_days, row.extension_days, row.reactivation_days,
                  row.benefit_business_days)  # fmt: skip


async def load_rules(session: AsyncSession, region: Region) -> Rules:
    """The policy and the working calendar of `region` (national days, with the region's own taking precedence)."""
    return Rules(await region_policy(session, region), await load_calendar(session, region))
