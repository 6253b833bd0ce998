from __future__ import annotations

import strawberry

from domain.medicines import write_offs
from domain.medicines.models import WriteOffReason
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError

strawberry.enum(WriteOffReason, name="WriteOffReason")


@strawberry.input
class WriteOffPacksInput:
    codes: list[str] = strawberry.field(description="Codes of packs, or SSCCs of boxes, as scanned.")
    reason: WriteOffReason


@strawberry.type
class WriteOffPacksPayload:
    written_off: int | None
    errors: list[UserError]


async def write_off_packs(info: strawberry.Info[Context, None], input: WriteOffPacksInput) -> WriteOffPacksPayload:
    ctx = info.context
    try:
        count = await write_offs.write_off_packs(
            ctx.principal, ctx.session, codes=input.codes, reason=input.reason, keys=ctx.code_keys, now=ctx.clock.now()
        )
    except DomainError as error:
        return WriteOffPacksPayload(written_off=None, errors=[UserError.from_domain(error, ctx.locale)])
    return WriteOffPacksPayload(written_off=count, errors=[])
