from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import strawberry

from domain.kindergarten import staff
from domain.kindergarten.models import Language
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError
from schema.kindergarten.errors import user_error
from schema.kindergarten.types import KindergartenOffer, key_of

# The mutations of a kindergarten's staff: places, and the benefits claimed on the offers they made.


async def _offers(ctx: Context, ids: Sequence[int]) -> list[KindergartenOffer]:
    """The offers as they stand after the use case committed, read in a session of their own."""
    async with ctx.sessions() as session:
        found = await staff.offers_by_id(ctx.principal, session, ids)
    return [KindergartenOffer.from_domain(offer) for offer in found if offer is not None]


@strawberry.input(description="Free places of one birth cohort and language group of the caller's kindergarten.")
class PublishKindergartenPlacesInput:
    cohort: int = strawberry.field(description="The birth cohort: the calendar year of birth.")
    language: Language = strawberry.field(description="The language group.")
    count: int = strawberry.field(description="How many places (1 to 1,000, within the cohort's capacity).")


@strawberry.type
class PublishKindergartenPlacesPayload:
    places_published: int | None = strawberry.field(description="How many places were published.")
    offers_made: int | None = strawberry.field(
        description="How many of them were offered at once; the others wait for the next child who comes."
    )
    offers: list[KindergartenOffer] | None = strawberry.field(description="The offers made at once.")
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def publish_kindergarten_places(
    info: strawberry.Info[Context, None], input: PublishKindergartenPlacesInput
) -> PublishKindergartenPlacesPayload:
    ctx = info.context
    try:
        publication = await staff.publish_places(
            ctx.principal,
            ctx.session,
            cohort=input.cohort,
            language=input.language,
            count=input.count,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return PublishKindergartenPlacesPayload(
            places_published=None, offers_made=None, offers=None, errors=[user_error(error, ctx.locale)]
        )
    return PublishKindergartenPlacesPayload(
        places_published=len(publication.place_ids),
        offers_made=len(publication.offers),
        offers=await _offers(ctx, [offer.offer_id for offer in publication.offers]),
        errors=[],
    )


StaffAct = Callable[..., Awaitable[None]]


async def _decide(ctx: Context, offer_id: strawberry.ID, act: StaffAct, **arguments: object) -> tuple[
    KindergartenOffer | None, list[UserError]
]:  # fmt: skip
    try:
        key = key_of(str(offer_id), "KindergartenOffer", field=("offer_id",))
        await act(ctx.principal, ctx.session, offer_id=key, now=ctx.clock.now(), **arguments)
    except DomainError as error:
        return None, [user_error(error, ctx.locale)]
    found = await _offers(ctx, [key])
    return (found[0] if found else None), []


@strawberry.input(description="An offer whose claimed benefit staff have checked against its document.")
class ConfirmBenefitInput:
    offer_id: strawberry.ID = strawberry.field(description="An open offer of the caller's kindergarten.")


@strawberry.type
class ConfirmBenefitPayload:
    offer: KindergartenOffer | None = strawberry.field(description="The offer, its benefit confirmed.")
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def confirm_benefit(info: strawberry.Info[Context, None], input: ConfirmBenefitInput) -> ConfirmBenefitPayload:
    offer, errors = await _decide(info.context, input.offer_id, staff.confirm_benefit)
    return ConfirmBenefitPayload(offer=offer, errors=errors)


@strawberry.input(description="An offer whose claimed benefit its document does not prove.")
class RejectBenefitInput:
    offer_id: strawberry.ID = strawberry.field(description="An open offer of the caller's kindergarten.")
    reason: str = strawberry.field(description="Why, for the parent (up to 300 characters).")


@strawberry.type
class RejectBenefitPayload:
    offer: KindergartenOffer | None = strawberry.field(
        description="The offer, CANCELLED: the child is back in the general order and the place went to the next."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def reject_benefit(info: strawberry.Info[Context, None], input: RejectBenefitInput) -> RejectBenefitPayload:
    offer, errors = await _decide(info.context, input.offer_id, staff.reject_benefit, reason=input.reason)
    return RejectBenefitPayload(offer=offer, errors=errors)
