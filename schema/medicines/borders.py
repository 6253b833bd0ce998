from __future__ import annotations

from datetime import date

import strawberry

from domain.medicines import commissioning, exports
from domain.medicines.gtin import Gtin
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError


@strawberry.input
class ImportPacksInput:
    gtin: Gtin
    serials: list[str] = strawberry.field(description="Serials (AI 21) of codes the importer ordered, 1 to 100,000.")
    batch: str
    expiry: date
    produced_on: date
    customs_declaration: str = strawberry.field(description="The customs declaration that cleared them.")
    country_of_origin: str = strawberry.field(description="ISO 3166-1 alpha-2 code of the country they were made in.")


@strawberry.type
class ImportPacksPayload:
    imported: int | None
    errors: list[UserError]


async def import_packs(info: strawberry.Info[Context, None], input: ImportPacksInput) -> ImportPacksPayload:
    ctx = info.context
    try:
        await commissioning.commission_packs(
            ctx.principal,
            ctx.session,
            gtin=str(input.gtin),
            serials=input.serials,
            batch=commissioning.BatchDetails(number=input.batch, expiry=input.expiry, produced_on=input.produced_on),
            now=ctx.clock.now(),
            customs=commissioning.CustomsEntry(input.customs_declaration, input.country_of_origin),
        )
    except DomainError as error:
        return ImportPacksPayload(imported=None, errors=[UserError.from_domain(error, ctx.locale)])
    return ImportPacksPayload(imported=len(input.serials), errors=[])


@strawberry.input
class ExportPacksInput:
    codes: list[str] = strawberry.field(description="Codes of packs, or SSCCs of boxes, as scanned.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code of the country of destination.")
    customs_declaration: str | None = None


@strawberry.type
class ExportPacksPayload:
    exported: int | None
    errors: list[UserError]


async def export_packs(info: strawberry.Info[Context, None], input: ExportPacksInput) -> ExportPacksPayload:
    ctx = info.context
    try:
        count = await exports.export_packs(
            ctx.principal,
            ctx.session,
            codes=input.codes,
            country=input.country,
            declaration=input.customs_declaration,
            keys=ctx.code_keys,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return ExportPacksPayload(exported=None, errors=[UserError.from_domain(error, ctx.locale)])
    return ExportPacksPayload(exported=count, errors=[])
