from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date

import strawberry

from domain.kindergarten import applications, offers, queries
from domain.kindergarten.applications import Benefit
from domain.kindergarten.models import BenefitCategory, Language
from domain.shared.errors import DomainError
from domain.shared.iin import Iin
from schema.context import Context
from schema.errors import UserError
from schema.kindergarten.errors import user_error
from schema.kindergarten.staff import (
    ConfirmBenefitPayload,
    PublishKindergartenPlacesPayload,
    RejectBenefitPayload,
    confirm_benefit,
    publish_kindergarten_places,
    reject_benefit,
)
from schema.kindergarten.types import KindergartenApplication, key_of


async def _application(ctx: Context, application_id: int) -> KindergartenApplication | None:
    """The application as it stands after the use case committed, read in a session of its own."""
    async with ctx.sessions() as session:
        [view] = await queries.applications_by_id(ctx.principal, session, [application_id])
    return KindergartenApplication.from_domain(view) if view is not None else None


def _application_id(value: strawberry.ID) -> int:
    return key_of(str(value), "KindergartenApplication", field=("application_id",))


def _choices(values: Sequence[strawberry.ID]) -> list[int]:
    return [key_of(str(v), "Kindergarten", field=("choices", str(i))) for i, v in enumerate(values)]


@strawberry.input(description="A benefit claimed on an application: a category of the order and its proof.")
class KindergartenBenefitInput:
    category: BenefitCategory = strawberry.field(description="The category claimed.")
    document_reference: str = strawberry.field(
        description="The reference of the document that proves it (up to 100 characters); staff check it when a "
        "place is offered."
    )


def _benefit(value: KindergartenBenefitInput | None) -> Benefit | None:
    return Benefit(value.category, value.document_reference) if value is not None else None


@strawberry.input(description="A child to queue for up to four kindergartens of one region.")
class SubmitKindergartenApplicationInput:
    child_iin: Iin = strawberry.field(description="The IIN of the caller's child; the birth date is read from it.")
    choices: list[strawberry.ID] = strawberry.field(
        description="1 to 4 distinct kindergartens of one region, the first choice first."
    )
    language: Language = strawberry.field(description="The language group asked for; each choice must have it.")
    desired_start: date = strawberry.field(
        description="When the child should start; shown to staff, it does not affect offers."
    )
    benefit: KindergartenBenefitInput | None = strawberry.field(
        default=None, description="A benefit category claimed, if any."
    )


@strawberry.type
class SubmitKindergartenApplicationPayload:
    application: KindergartenApplication | None = strawberry.field(description="The new application, queued.")
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def submit_kindergarten_application(
    info: strawberry.Info[Context, None], input: SubmitKindergartenApplicationInput
) -> SubmitKindergartenApplicationPayload:
    ctx = info.context
    try:
        application_id = await applications.submit_application(
            ctx.principal,
            ctx.session,
            child_iin=str(input.child_iin),
            choices=_choices(input.choices),
            language=input.language,
            desired_start=input.desired_start,
            benefit=_benefit(input.benefit),
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return SubmitKindergartenApplicationPayload(application=None, errors=[user_error(error, ctx.locale)])
    return SubmitKindergartenApplicationPayload(application=await _application(ctx, application_id), errors=[])


@strawberry.input(description="New choices or benefit of a queued or inactive application; the queue date stays.")
class UpdateKindergartenApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="The application to change.")
    choices: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="1 to 4 distinct kindergartens of one region (another region too), the first choice first; "
        "leave out to keep the choices.",
    )
    benefit: KindergartenBenefitInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Leave out to keep the benefit claimed; give one to claim or replace it; give null to drop it.",
    )


@strawberry.type
class UpdateKindergartenApplicationPayload:
    application: KindergartenApplication | None = strawberry.field(description="The application as changed.")
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def update_kindergarten_application(
    info: strawberry.Info[Context, None], input: UpdateKindergartenApplicationInput
) -> UpdateKindergartenApplicationPayload:
    ctx = info.context
    try:
        application_id = _application_id(input.application_id)
        # Left out, the benefit is not passed at all: the use case keeps it. Null drops it.
        benefit = {} if input.benefit is strawberry.UNSET else {"benefit": _benefit(input.benefit)}
        await applications.update_application(
            ctx.principal,
            ctx.session,
            application_id=application_id,
            choices=_choices(input.choices) if input.choices is not None else None,
            now=ctx.clock.now(),
            **benefit,
        )
    except DomainError as error:
        return UpdateKindergartenApplicationPayload(application=None, errors=[user_error(error, ctx.locale)])
    return UpdateKindergartenApplicationPayload(application=await _application(ctx, application_id), errors=[])


# The parent's answers to the queue all name one application and change it; each has its own input and payload.
Act = Callable[..., Awaitable[object]]


async def _act(ctx: Context, application_id: strawberry.ID, act: Act, **arguments: object) -> tuple[
    KindergartenApplication | None, list[UserError]
]:  # fmt: skip
    try:
        key = _application_id(application_id)
        await act(ctx.principal, ctx.session, application_id=key, now=ctx.clock.now(), **arguments)
    except DomainError as error:
        return None, [user_error(error, ctx.locale)]
    return await _application(ctx, key), []


@strawberry.input(description="The application to withdraw.")
class WithdrawKindergartenApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="An active application of the caller's child.")


@strawberry.type
class WithdrawKindergartenApplicationPayload:
    application: KindergartenApplication | None = strawberry.field(description="The application, WITHDRAWN.")
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def withdraw_kindergarten_application(
    info: strawberry.Info[Context, None], input: WithdrawKindergartenApplicationInput
) -> WithdrawKindergartenApplicationPayload:
    application, errors = await _act(info.context, input.application_id, applications.withdraw_application)
    return WithdrawKindergartenApplicationPayload(application=application, errors=errors)


@strawberry.input(description="The inactive application to bring back to the queue.")
class ReactivateKindergartenApplicationInput:
    application_id: strawberry.ID = strawberry.field(description="An INACTIVE application of the caller's child.")


@strawberry.type
class ReactivateKindergartenApplicationPayload:
    application: KindergartenApplication | None = strawberry.field(
        description="The application, QUEUED again at its queue date."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def reactivate_kindergarten_application(
    info: strawberry.Info[Context, None], input: ReactivateKindergartenApplicationInput
) -> ReactivateKindergartenApplicationPayload:
    application, errors = await _act(info.context, input.application_id, applications.reactivate_application)
    return ReactivateKindergartenApplicationPayload(application=application, errors=errors)


@strawberry.input(description="The application whose offered place the parent takes.")
class ConfirmKindergartenOfferInput:
    application_id: strawberry.ID = strawberry.field(description="An application holding an offer (OFFERED).")


@strawberry.type
class ConfirmKindergartenOfferPayload:
    application: KindergartenApplication | None = strawberry.field(
        description="The application, CONFIRMED, with the deadline to sign the contract."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def confirm_kindergarten_offer(
    info: strawberry.Info[Context, None], input: ConfirmKindergartenOfferInput
) -> ConfirmKindergartenOfferPayload:
    application, errors = await _act(info.context, input.application_id, offers.confirm_offer)
    return ConfirmKindergartenOfferPayload(application=application, errors=errors)


@strawberry.input(description="The application whose offered place the parent declines.")
class RefuseKindergartenOfferInput:
    application_id: strawberry.ID = strawberry.field(description="An application holding an offer.")


@strawberry.type
class RefuseKindergartenOfferPayload:
    application: KindergartenApplication | None = strawberry.field(
        description="The application: QUEUED for the higher choices only, or REFUSED when none is left."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def refuse_kindergarten_offer(
    info: strawberry.Info[Context, None], input: RefuseKindergartenOfferInput
) -> RefuseKindergartenOfferPayload:
    application, errors = await _act(info.context, input.application_id, offers.refuse_offer)
    return RefuseKindergartenOfferPayload(application=application, errors=errors)


@strawberry.input(description="More time to sign the contract, asked for once before the period ends.")
class RequestContractExtensionInput:
    application_id: strawberry.ID = strawberry.field(description="A CONFIRMED application.")
    days: int = strawberry.field(default=30, description="Calendar days added to the last day (1 to 30).")


@strawberry.type
class RequestContractExtensionPayload:
    application: KindergartenApplication | None = strawberry.field(
        description="The application; its offer's `signBy` is the new deadline."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def request_contract_extension(
    info: strawberry.Info[Context, None], input: RequestContractExtensionInput
) -> RequestContractExtensionPayload:
    application, errors = await _act(
        info.context, input.application_id, offers.request_contract_extension, days=input.days
    )
    return RequestContractExtensionPayload(application=application, errors=errors)


@strawberry.input(description="The application whose contract the parent signs.")
class SignKindergartenContractInput:
    application_id: strawberry.ID = strawberry.field(description="A CONFIRMED application.")


@strawberry.type
class SignKindergartenContractPayload:
    application: KindergartenApplication | None = strawberry.field(description="The application, ENROLLED.")
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if anything failed.")


async def sign_kindergarten_contract(
    info: strawberry.Info[Context, None], input: SignKindergartenContractInput
) -> SignKindergartenContractPayload:
    application, errors = await _act(info.context, input.application_id, offers.sign_contract)
    return SignKindergartenContractPayload(application=application, errors=errors)


@strawberry.type
class KindergartenMutation:
    submit_kindergarten_application: SubmitKindergartenApplicationPayload = strawberry.mutation(
        resolver=submit_kindergarten_application,
        description="A parent queues a child: one active application per child in the country.",
    )
    update_kindergarten_application: UpdateKindergartenApplicationPayload = strawberry.mutation(
        resolver=update_kindergarten_application,
        description="A parent changes the choices or the benefit of a queued or inactive application.",
    )
    withdraw_kindergarten_application: WithdrawKindergartenApplicationPayload = strawberry.mutation(
        resolver=withdraw_kindergarten_application,
        description="A parent withdraws an application; a place it held goes to the next child at once.",
    )
    reactivate_kindergarten_application: ReactivateKindergartenApplicationPayload = strawberry.mutation(
        resolver=reactivate_kindergarten_application,
        description="A parent brings an inactive application back, once, within 28 days, at its queue date.",
    )
    confirm_kindergarten_offer: ConfirmKindergartenOfferPayload = strawberry.mutation(
        resolver=confirm_kindergarten_offer,
        description="A parent takes the offered place before the end of the 2nd business day.",
    )
    refuse_kindergarten_offer: RefuseKindergartenOfferPayload = strawberry.mutation(
        resolver=refuse_kindergarten_offer,
        description="A parent declines the offered place: that choice and every lower one are dropped.",
    )
    request_contract_extension: RequestContractExtensionPayload = strawberry.mutation(
        resolver=request_contract_extension,
        description="A parent asks, once, for up to 30 more calendar days to sign the contract.",
    )
    sign_kindergarten_contract: SignKindergartenContractPayload = strawberry.mutation(
        resolver=sign_kindergarten_contract,
        description="A parent signs the contract: the child is enrolled and the application ends ENROLLED.",
    )
    publish_kindergarten_places: PublishKindergartenPlacesPayload = strawberry.mutation(
        resolver=publish_kindergarten_places,
        description="Staff publish free places; each is offered at once to the first child of the order.",
    )
    confirm_benefit: ConfirmBenefitPayload = strawberry.mutation(
        resolver=confirm_benefit,
        description="Staff confirm the benefit an offered child's application claims, after seeing its document.",
    )
    reject_benefit: RejectBenefitPayload = strawberry.mutation(
        resolver=reject_benefit,
        description="Staff reject a claimed benefit: the offer is cancelled and the place goes to the next child.",
    )
