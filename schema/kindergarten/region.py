from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.kindergarten import queries
from domain.kindergarten.policy import Policy, region_policy
from domain.kindergarten.region import set_calendar_day, set_policy, working_days
from domain.shared.calendar import DayKind
from domain.shared.errors import DomainError, InvalidPage
from domain.shared.regions import Region
from schema.context import Context
from schema.errors import UserError
from schema.kindergarten.errors import user_error

# What a region's education department sets for its kindergartens: its numbers of the rules and its calendar days.

strawberry.enum(DayKind, name="CalendarDayKind", description="How a dated day differs from the Monday–Friday week.")

_MAX_CALENDAR_DAYS = 366


@strawberry.type(description="A region's numbers of the kindergarten rules.")
class KindergartenPolicy:
    region: Region
    confirm_business_days: int = strawberry.field(description="Business days to confirm an offer (default 2).")
    contract_business_days: int = strawberry.field(description="Business days to sign the contract (default 5).")
    extension_days: int = strawberry.field(description="Calendar days one extension may add (default 30).")
    reactivation_days: int = strawberry.field(description="Calendar days to reactivate after a lapse (default 28).")
    benefit_business_days: int = strawberry.field(
        description="Business days for staff to confirm a claimed benefit after the offer (default 5)."
    )

    @classmethod
    def of(cls, region_: Region, policy: Policy) -> KindergartenPolicy:
        return cls(region=region_, confirm_business_days=policy.confirm_business_days,
                   contract_business_days=policy.contract_business_days, extension_days=policy.extension_days,
                   reactivation_days=policy.reactivation_days,
                   benefit_business_days=policy.benefit_business_days)  # fmt: skip


@strawberry.type(description="A day and whether deadlines count it.")
class WorkingDay:
    day: date
    working: bool


@strawberry.input(description="The caller's region's numbers of the rules; offers already made keep their deadlines.")
class SetKindergartenPolicyInput:
    confirm_business_days: int
    contract_business_days: int
    extension_days: int
    reactivation_days: int
    benefit_business_days: int


@strawberry.type
class SetKindergartenPolicyPayload:
    policy: KindergartenPolicy | None
    errors: list[UserError]


@strawberry.input(description="A day of the caller's region that differs from the national calendar.")
class SetKindergartenCalendarDayInput:
    day: date = strawberry.field(description="Today or later: deadlines already counted keep their days.")
    kind: DayKind
    name: str


@strawberry.type
class SetKindergartenCalendarDayPayload:
    day: WorkingDay | None
    errors: list[UserError]


@strawberry.type(description="A region's kindergarten queue at a glance: counts only, no person in them.")
class KindergartenRegionStats:
    region: Region
    waiting: int = strawberry.field(description="Applications waiting in the region's orders.")
    holding_offers: int = strawberry.field(description="Applications holding an offer, confirmed or not.")
    inactive: int = strawberry.field(description="Applications that let an offer lapse, still able to reactivate.")
    open_places: int = strawberry.field(description="Published places that no child holds yet.")
    offered_this_month: int = strawberry.field(description="Offers made since the month began (Almaty time).")
    enrolled_this_month: int = strawberry.field(description="Of those offers, how many ended in a signed contract.")
    lapsed_this_month: int = strawberry.field(description="Of those offers, how many lapsed unconfirmed.")


@strawberry.type
class KindergartenRegionQuery:
    @strawberry.field(description="How a region's queue stands and what this month's offers came to; public.")
    async def kindergarten_region_stats(
        self, info: strawberry.Info[Context, None], region: Region
    ) -> KindergartenRegionStats:
        async with info.context.sessions() as session:
            stats = await queries.region_stats(
                session, region, month_start=queries.stats_month_start(info.context.clock.now())
            )
        return KindergartenRegionStats(
            region=region, waiting=stats.waiting, holding_offers=stats.holding_offers, inactive=stats.inactive,
            open_places=stats.open_places, offered_this_month=stats.offered_this_month,
            enrolled_this_month=stats.enrolled_this_month, lapsed_this_month=stats.lapsed_this_month,
        )  # fmt: skip

    @strawberry.field(description="A region's numbers of the kindergarten rules; public.")
    async def kindergarten_policy(self, info: strawberry.Info[Context, None], region: Region) -> KindergartenPolicy:
        async with info.context.sessions() as session:
            return KindergartenPolicy.of(region, await region_policy(session, region))

    @strawberry.field(
        description="The days from `from` to `to` (at most 366) in a region, with whether deadlines count them: "
        "weekends, public holidays, substitute and decreed days off, the region's own days; public."
    )
    async def kindergarten_working_calendar(
        self,
        info: strawberry.Info[Context, None],
        region: Region,
        start: Annotated[date, strawberry.argument(name="from")],
        end: Annotated[date, strawberry.argument(name="to")],
    ) -> list[WorkingDay]:
        if not 0 <= (end - start).days < _MAX_CALENDAR_DAYS:
            raise InvalidPage(f"{start}..{end}", f"1 to {_MAX_CALENDAR_DAYS} days, `to` not before `from`")
        async with info.context.sessions() as session:
            days = await working_days(session, region, start, end)
        return [WorkingDay(day=day, working=working) for day, working in days]


@strawberry.type
class KindergartenRegionMutation:
    @strawberry.mutation(description="An education department sets its region's numbers of the kindergarten rules.")
    async def set_kindergarten_policy(
        self, info: strawberry.Info[Context, None], input: SetKindergartenPolicyInput
    ) -> SetKindergartenPolicyPayload:
        ctx = info.context
        policy = Policy(input.confirm_business_days, input.contract_business_days, input.extension_days,
                        input.reactivation_days, input.benefit_business_days)  # fmt: skip
        try:
            region = await set_policy(ctx.principal, ctx.session, policy=policy, now=ctx.clock.now())
        except DomainError as error:
            return SetKindergartenPolicyPayload(policy=None, errors=[user_error(error, ctx.locale)])
        return SetKindergartenPolicyPayload(policy=KindergartenPolicy.of(region, policy), errors=[])

    @strawberry.mutation(
        description="An education department marks a day of its region as a holiday, a day off or a working day; "
        "it takes precedence over the national calendar in the region's deadlines from then on."
    )
    async def set_kindergarten_calendar_day(
        self, info: strawberry.Info[Context, None], input: SetKindergartenCalendarDayInput
    ) -> SetKindergartenCalendarDayPayload:
        ctx = info.context
        try:
            region = await set_calendar_day(ctx.principal, ctx.session, day=input.day, kind=input.kind,
                                            name=input.name, now=ctx.clock.now())  # fmt: skip
            async with ctx.sessions() as session:
                [(day, working)] = await working_days(session, region, input.day, input.day)
        except DomainError as error:
            return SetKindergartenCalendarDayPayload(day=None, errors=[user_error(error, ctx.locale)])
        return SetKindergartenCalendarDayPayload(day=WorkingDay(day=day, working=working), errors=[])
