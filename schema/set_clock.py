from __future__ import annotations

from datetime import UTC, datetime, timedelta

import strawberry

from domain.shared import clock_setting
from domain.shared.clock import AdjustableClock
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError


@strawberry.input(description="Set the development clock to `at`, or move it by `advanceBySeconds`; neither resets it.")
class SetClockInput:
    at: datetime | None = None
    advance_by_seconds: int | None = None
    frozen: bool = strawberry.field(default=False, description="With `at`: stand still at that instant.")


@strawberry.type
class SetClockPayload:
    now: datetime | None
    frozen: bool | None
    errors: list[UserError]


async def set_clock(info: strawberry.Info[Context, None], input: SetClockInput) -> SetClockPayload:
    ctx = info.context
    real_now = datetime.now(UTC)
    advance_by = timedelta(seconds=input.advance_by_seconds) if input.advance_by_seconds is not None else None
    try:
        shift = await clock_setting.move_clock(
            ctx.session,
            to=input.at,
            advance_by=advance_by,
            frozen=input.frozen,
            real_now=real_now,
            production=ctx.production,
        )
    except DomainError as error:
        return SetClockPayload(now=None, frozen=None, errors=[UserError.from_domain(error, ctx.locale)])
    if isinstance(ctx.clock, AdjustableClock):
        ctx.clock.shift = shift  # the NOTIFY follows within milliseconds; this request's caller sees it at once
    return SetClockPayload(now=shift.apply(real_now), frozen=shift.frozen_at is not None, errors=[])
