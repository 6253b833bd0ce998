from __future__ import annotations

import strawberry

from domain.medicines import dispensing
from domain.shared.errors import DomainError
from domain.shared.money import Money
from schema.context import Context
from schema.errors import UserError


@strawberry.input
class PackSaleInput:
    code: str = strawberry.field(description="The pack's code as scanned.")
    price: Money = strawberry.field(description="The retail price paid, in tenge.")


@strawberry.input
class SellPacksInput:
    sales: list[PackSaleInput]


@strawberry.type(description="One pack sold, with the maximum retail price in force that day.")
class PackSale:
    gtin: str
    serial: str
    price: Money
    max_retail_price: Money | None
    above_maximum: bool = strawberry.field(description="Sold above the maximum: recorded, and the regulator alerted.")

    @classmethod
    def from_domain(cls, sale: dispensing.Sale) -> PackSale:
        return cls(
            gtin=sale.gtin,
            serial=sale.serial,
            price=sale.price,
            max_retail_price=sale.max_retail_price,
            above_maximum=sale.above_maximum,
        )


@strawberry.type
class SellPacksPayload:
    sales: list[PackSale] | None
    errors: list[UserError]


async def sell_packs(info: strawberry.Info[Context, None], input: SellPacksInput) -> SellPacksPayload:
    ctx = info.context
    try:
        sales = await dispensing.sell_packs(
            ctx.principal,
            ctx.session,
            sales=[(sale.code, sale.price) for sale in input.sales],
            keys=ctx.code_keys,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return SellPacksPayload(sales=None, errors=[UserError.from_domain(error, ctx.locale)])
    return SellPacksPayload(sales=[PackSale.from_domain(sale) for sale in sales], errors=[])


@strawberry.input
class AdministerUnitsInput:
    code: str = strawberry.field(description="The pack's code as scanned.")
    units: int = strawberry.field(description="Tablets, ampoules … given from the pack.")
    patient_record: str = strawberry.field(description="The hospital's own record number of the patient (no IIN).")


@strawberry.type
class AdministerUnitsPayload:
    units_left: int | None = strawberry.field(description="What is left in the pack.")
    errors: list[UserError]


async def administer_units(info: strawberry.Info[Context, None], input: AdministerUnitsInput) -> AdministerUnitsPayload:
    ctx = info.context
    try:
        done = await dispensing.administer_units(
            ctx.principal,
            ctx.session,
            code=input.code,
            units=input.units,
            patient_record=input.patient_record,
            keys=ctx.code_keys,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return AdministerUnitsPayload(units_left=None, errors=[UserError.from_domain(error, ctx.locale)])
    return AdministerUnitsPayload(units_left=done.units_left, errors=[])


@strawberry.input
class ReversePackOperationInput:
    code: str = strawberry.field(description="The pack whose last operation by your organisation is taken back.")


@strawberry.type
class ReversePackOperationPayload:
    reversed: bool
    errors: list[UserError]


async def reverse_pack_operation(
    info: strawberry.Info[Context, None], input: ReversePackOperationInput
) -> ReversePackOperationPayload:
    ctx = info.context
    try:
        await dispensing.reverse_pack_operation(
            ctx.principal, ctx.session, code=input.code, keys=ctx.code_keys, now=ctx.clock.now()
        )
    except DomainError as error:
        return ReversePackOperationPayload(reversed=False, errors=[UserError.from_domain(error, ctx.locale)])
    return ReversePackOperationPayload(reversed=True, errors=[])
