from __future__ import annotations

from datetime import datetime

import strawberry

from domain.medicines import issuing
from domain.medicines.gtin import Gtin
from domain.medicines.models import CodeOrder as CodeOrderRow
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError


@strawberry.input
class OrderPackCodesInput:
    gtin: Gtin
    count: int = strawberry.field(description="How many codes, 1 to 100,000.")


@strawberry.type(description="An order of pack codes: the serials it issued share its verification key id.")
class CodeOrder:
    gtin: Gtin
    quantity: int
    key_id: str
    ordered_at: datetime

    @classmethod
    def from_domain(cls, order: CodeOrderRow) -> CodeOrder:
        return cls(gtin=Gtin(order.gtin), quantity=order.quantity, key_id=order.key_id, ordered_at=order.ordered_at)


@strawberry.type
class OrderPackCodesPayload:
    order: CodeOrder | None
    codes: list[str] | None = strawberry.field(
        description="The codes as GS1 element strings to print (GS as U+001D): 01 GTIN, 21 serial, 91 key, 92 code."
    )
    errors: list[UserError]


async def order_pack_codes(info: strawberry.Info[Context, None], input: OrderPackCodesInput) -> OrderPackCodesPayload:
    ctx = info.context
    try:
        order, codes = await issuing.order_pack_codes(
            ctx.principal, ctx.session, gtin=str(input.gtin), count=input.count, keys=ctx.code_keys, now=ctx.clock.now()
        )
    except DomainError as error:
        return OrderPackCodesPayload(order=None, codes=None, errors=[UserError.from_domain(error, ctx.locale)])
    return OrderPackCodesPayload(
        order=CodeOrder.from_domain(order), codes=[code.element_string() for code in codes], errors=[]
    )
