from __future__ import annotations

import functools
from datetime import date
from typing import Annotated

import strawberry

from domain.medicines import verification
from domain.medicines.codes import CodeProblem, FormProblem
from domain.medicines.models import PackState
from domain.medicines.signals import VerificationRecord
from domain.medicines.verification import Place, ProductCard, Severity, Verdict
from domain.shared.money import Money
from domain.shared.regions import Region
from schema import messages
from schema.context import Context
from schema.medicines.products import Product
from schema.messages import Locale
from schema.organisations import Organisation

strawberry.enum(Verdict, name="Verdict")
strawberry.enum(Severity, name="VerdictSeverity")
strawberry.enum(CodeProblem, name="CodeProblem")
strawberry.enum(FormProblem, name="PackFormProblem")
strawberry.enum(PackState, name="PackState")


@strawberry.type(description="Why a code could not be read: what was expected where.")
class CodeReadingProblem:
    problem: CodeProblem
    message: str = strawberry.field(description="What is wrong, for the person who scanned, in their language.")
    detail: str = strawberry.field(description="What the parser expected where, in English, for developers.")
    field: str | None = strawberry.field(description="The GS1 application identifier at fault, e.g. `17`.")
    position: int | None = strawberry.field(description="Offset in the code as sent, from 0.")


@strawberry.type(description="What the scanned code itself says.")
class ScannedCode:
    gtin: str
    serial: str
    batch: str | None
    expiry: date | None


@strawberry.type(description="Where the pack is now.")
class PackLocation:
    organisation: Organisation
    state: PackState


@strawberry.type(description="The answer to a scan: the verdict and what the registry knows of the pack.")
class PackVerification:
    verdict: Verdict
    severity: Severity
    message: str = strawberry.field(description="The verdict in words for the person who scanned.")
    code: ScannedCode | None
    problem: CodeReadingProblem | None
    form_problems: list[FormProblem]
    notes: list[str] = strawberry.field(description="How a damaged reading was repaired, e.g. swapped letter case.")
    product: Product | None
    manufacturer: Organisation | None
    batch: str | None = strawberry.field(description="The batch in the registry.")
    expiry: date | None = strawberry.field(description="The expiry in the registry.")
    max_retail_price: Money | None = strawberry.field(description="The state's maximum retail price in force today.")
    location: PackLocation | None

    @classmethod
    def from_domain(cls, result: verification.Verification, locale: Locale) -> PackVerification:
        code, unreadable, batch = result.code, result.unreadable, result.batch
        return cls(
            verdict=result.verdict,
            severity=result.severity,
            message=messages.render(f"VERDICT_{result.verdict.value}", locale),
            code=ScannedCode(gtin=code.gtin, serial=code.serial, batch=code.batch, expiry=code.expiry)
            if code
            else None,
            problem=CodeReadingProblem(
                problem=unreadable.problem,
                message=messages.render(
                    f"CODE_PROBLEM_{unreadable.problem.value}",
                    locale,
                    ai=unreadable.ai or "",
                    position=unreadable.position,
                ),
                detail=unreadable.message,
                field=unreadable.ai,
                position=unreadable.position,
            )
            if unreadable
            else None,
            form_problems=list(result.form_problems),
            notes=list(result.notes),
            product=_product(result.product) if result.product else None,
            manufacturer=_organisation(result.manufacturer) if result.manufacturer else None,
            batch=batch.number if batch else None,
            expiry=batch.expiry if batch else None,
            max_retail_price=Money(result.max_retail_price_tiyn) if result.max_retail_price_tiyn is not None else None,
            location=PackLocation(organisation=_organisation(result.holder), state=result.pack.state)
            if result.holder and result.pack
            else None,
        )


# A few hundred products and a few thousand pharmacies answer millions of scans: their GraphQL objects are made
# once per distinct card (the views are frozen, so equal cards give equal objects) instead of once per scan.
@functools.lru_cache(maxsize=8192)
def _product(card: ProductCard) -> Product:
    return Product.from_domain(card)


@functools.lru_cache(maxsize=16384)
def _organisation(place: Place) -> Organisation:
    return Organisation.from_domain(place)


async def verify_pack(
    info: strawberry.Info[Context, None],
    code: Annotated[str, strawberry.argument(description="The code as scanned, in any form: raw, bracketed, link.")],
    region: Annotated[
        Region | None, strawberry.argument(description="The region the app is in, if it may say; nothing finer.")
    ] = None,
) -> PackVerification:
    ctx = info.context
    now = ctx.clock.now()
    result = await verification.verify_pack(ctx.reads, text=code, keys=ctx.code_keys, now=now)
    ctx.verification_log.record(VerificationRecord.of(result, region=region.value if region else None, at=now))
    return PackVerification.from_domain(result, ctx.locale)
