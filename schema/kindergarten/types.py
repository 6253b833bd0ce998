from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.relay.utils import to_base64

from domain.kindergarten import models, queries, staff
from domain.kindergarten.journal import EventKind, QueueChange
from domain.kindergarten.models import ApplicationStatus, BenefitCategory, ClosedReason, Language, OfferStatus
from domain.shared.errors import DomainError, InvalidId
from domain.shared.iin import Iin
from domain.shared.regions import Region
from schema.context import Context
from schema.relay import decode_global_id

strawberry.enum(Language, name="KindergartenLanguage", description="The language of a kindergarten group.")
strawberry.enum(
    ApplicationStatus,
    name="KindergartenApplicationStatus",
    description="QUEUED → OFFERED → CONFIRMED → ENROLLED; INACTIVE after a lapsed offer (may be reactivated once), "
    "REFUSED, WITHDRAWN by the parent, CLOSED when a window ran out, a contract expired or the child turned 6.",
)
strawberry.enum(OfferStatus, name="KindergartenOfferStatus", description="Where an offer of a place stands.")
strawberry.enum(
    BenefitCategory,
    name="KindergartenBenefitCategory",
    description="A category of the order: SERVICEMAN_CHILD and SPECIAL_STATE_BODY_CHILD are extraordinary, the "
    "others first priority.",
)
strawberry.enum(ClosedReason, name="KindergartenClosedReason", description="Why an application was closed.")
# The subscription (subscriptions.py) shares these: one registration each, here, so that a name never depends on
# the order modules are imported in.
strawberry.enum(EventKind, name="KindergartenEventKind", description="What changed in a kindergarten application.")
strawberry.enum(QueueChange, name="KindergartenQueueChange", description="What happened in a kindergarten's order.")

# The largest key PostgreSQL's bigint holds has 19 digits; a longer one names nothing we issued.
_MAX_KEY_DIGITS = 18


def key_of(value: str, type_name: str, *, field: tuple[str, ...] = ()) -> int:
    """The number inside a global ID of `type_name`; a malformed one is INVALID_ID naming the input field."""
    try:
        _, key = decode_global_id(value, expected_type=type_name)
    except DomainError as error:
        error.field = field
        raise
    if not (key.isascii() and key.isdigit() and len(key) <= _MAX_KEY_DIGITS):
        raise InvalidId(value, "not an ID issued by this service", field=field)
    return int(key)


def _keys(node_ids: Iterable[str]) -> list[int | None]:
    return [int(k) if k.isascii() and k.isdigit() and len(k) <= _MAX_KEY_DIGITS else None for k in node_ids]


async def kindergarten_by_id(info: strawberry.Info[Context, Any], kindergarten_id: int | None) -> Kindergarten | None:
    if kindergarten_id is None:
        return None
    found = await info.context.loaders.kindergarten_by_id.load(kindergarten_id)
    return Kindergarten.from_domain(found) if found is not None else None


@strawberry.type(description="How many children of one birth cohort a kindergarten takes in all.")
class KindergartenCapacity:
    cohort: int = strawberry.field(description="The birth cohort: the calendar year of birth.")
    capacity: int = strawberry.field(description="Places for children of this cohort.")


@strawberry.type(description="Public figures of one order of a kindergarten (cohort and language): no person in them.")
class KindergartenQueueStats:
    cohort: int = strawberry.field(description="The birth cohort: the calendar year of birth.")
    language: Language = strawberry.field(description="The language group.")
    waiting: int = strawberry.field(description="Children waiting in this order now.")
    offered_this_month: int = strawberry.field(
        description="Places offered in this order since the start of the current month in Almaty."
    )
    kindergarten_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, stats: queries.QueueStats) -> KindergartenQueueStats:
        return cls(
            cohort=stats.cohort,
            language=stats.language,
            waiting=stats.waiting,
            offered_this_month=stats.offered_this_month,
            kindergarten_id=stats.kindergarten_id,
        )

    @strawberry.field(description="The kindergarten of this order.")
    async def kindergarten(self, info: strawberry.Info[Context, None]) -> Kindergarten | None:
        return await kindergarten_by_id(info, self.kindergarten_id)


async def queue_stats_of(info: strawberry.Info[Context, Any], kindergarten_id: int) -> list[KindergartenQueueStats]:
    month_start = queries.stats_month_start(info.context.clock.now())
    found = await info.context.loaders.kindergarten_queue_stats.load((kindergarten_id, month_start))
    return [KindergartenQueueStats.from_domain(stats) for stats in found]


@strawberry.type(description="A kindergarten of the state registry; anyone may read it.")
class Kindergarten(relay.Node):
    key: relay.NodeID[int]
    name: str = strawberry.field(description="The kindergarten's name as registered.")
    address: str = strawberry.field(description="Its postal address.")
    region: Region = strawberry.field(description="The region it lies in; all choices of an application share one.")
    languages: list[Language] = strawberry.field(description="The languages of its groups.")

    @classmethod
    def from_domain(cls, kindergarten: models.Kindergarten) -> Kindergarten:
        return cls(
            key=kindergarten.id,
            name=kindergarten.name,
            address=kindergarten.address,
            region=kindergarten.region,
            languages=list(kindergarten.languages),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Kindergarten | None]:
        keys = _keys(node_ids)
        found = await info.context.loaders.kindergarten_by_id.load_many([k for k in keys if k is not None])
        rows = {row.id: row for row in found if row is not None}
        return [cls.from_domain(rows[k]) if k in rows else None for k in keys]

    @strawberry.field(description="Places per birth cohort, youngest cohort first.")
    async def capacities(self, info: strawberry.Info[Context, None]) -> list[KindergartenCapacity]:
        rows = await info.context.loaders.kindergarten_capacities.load(self.key)
        return [KindergartenCapacity(cohort=row.cohort, capacity=row.capacity) for row in rows]

    @strawberry.field(description="Children waiting and places offered this month, per cohort and language group.")
    async def queue_stats(self, info: strawberry.Info[Context, None]) -> list[KindergartenQueueStats]:
        return await queue_stats_of(info, self.key)


@strawberry.type(description="A benefit claimed on an application, with the document that proves it.")
class KindergartenBenefit:
    category: BenefitCategory = strawberry.field(description="The category of the order claimed.")
    document_reference: str | None = strawberry.field(description="The reference of the proving document.")
    confirmed: bool = strawberry.field(description="Staff of the offering kindergarten have seen the document.")


def _benefit(category: str | None, document: str | None, confirmed: bool) -> KindergartenBenefit | None:
    if category is None:
        return None
    return KindergartenBenefit(category=BenefitCategory(category), document_reference=document, confirmed=confirmed)


@strawberry.type(description="Why a child's position in an order moved.")
class KindergartenPositionChange:
    at: datetime = strawberry.field(description="When it happened.")
    change: QueueChange = strawberry.field(description="Someone joined the order, left it, or took an offer.")
    reason: str = strawberry.field(
        description="Why: NEW, UPDATED, BENEFIT_CLAIMED, REACTIVATED, OFFER_REFUSED, BENEFIT_DROPPED (joined); "
        "WITHDRAWN, AGED_OUT, UPDATED (left); OFFER_MADE (took an offer)."
    )
    own: bool = strawberry.field(description="The change is the child's own application's.")
    moves_back: bool = strawberry.field(description="The child moved back (someone joined ahead); else forward.")


@strawberry.type(description="One ranked kindergarten of an application and the child's place in its order.")
class KindergartenChoice:
    rank: int = strawberry.field(description="1 is the parent's first choice.")
    position: int | None = strawberry.field(
        description="The child's place in this order, 1 being the next offer; null while the application waits in "
        "no order (it holds an offer, or is inactive or closed)."
    )
    waiting_in_order: int = strawberry.field(description="All children waiting in this order.")
    position_changes: list[KindergartenPositionChange] = strawberry.field(
        description="The latest changes of the order that moved the child, newest first (at most 20)."
    )
    kindergarten_id: strawberry.Private[int]

    @strawberry.field(description="The chosen kindergarten.")
    async def kindergarten(self, info: strawberry.Info[Context, None]) -> Kindergarten | None:
        return await kindergarten_by_id(info, self.kindergarten_id)


@strawberry.type(description="The place an application holds, and the deadlines to answer it.")
class KindergartenApplicationOffer:
    status: OfferStatus = strawberry.field(description="OFFERED until confirmed, then CONFIRMED until signed.")
    rank: int = strawberry.field(description="Which of the application's choices the place is in.")
    offered_at: datetime = strawberry.field(description="When the place was offered.")
    confirm_by: datetime = strawberry.field(description="Confirm before this instant, or the offer lapses.")
    sign_by: datetime | None = strawberry.field(description="Sign the contract before this; set once confirmed.")
    extended: bool = strawberry.field(description="The contract period was extended (once only).")
    benefit_by: datetime | None = strawberry.field(
        description="Staff must confirm the claimed benefit before this, or the offer is cancelled; null when there "
        "is nothing to confirm."
    )
    kindergarten_id: strawberry.Private[int]

    @strawberry.field(description="The kindergarten the place is in.")
    async def kindergarten(self, info: strawberry.Info[Context, None]) -> Kindergarten | None:
        return await kindergarten_by_id(info, self.kindergarten_id)


@strawberry.type(description="A child's application to the kindergarten queue, as the parent sees it.")
class KindergartenApplication(relay.Node):
    key: relay.NodeID[int]
    child_iin: Iin = strawberry.field(description="The child's IIN (the caller's own child).")
    status: ApplicationStatus = strawberry.field(description="Where the application stands.")
    queued_at: datetime = strawberry.field(description="The queue date: the first submission; it never changes.")
    cohort: int = strawberry.field(description="The child's birth cohort: the calendar year of birth.")
    region: Region = strawberry.field(description="The region of the chosen kindergartens.")
    language: Language = strawberry.field(description="The language group asked for.")
    desired_start: date = strawberry.field(description="When the parent would like the child to start.")
    benefit: KindergartenBenefit | None = strawberry.field(description="The benefit claimed, if any.")
    reactivation_used: bool = strawberry.field(description="The one reactivation has been used.")
    reactivate_by: datetime | None = strawberry.field(
        description="An INACTIVE application may be reactivated before this instant."
    )
    closed_reason: ClosedReason | None = strawberry.field(description="Why a CLOSED application was closed.")
    choices: list[KindergartenChoice] = strawberry.field(description="The ranked kindergartens, first choice first.")
    offer: KindergartenApplicationOffer | None = strawberry.field(description="The open offer, if it holds one.")

    @classmethod
    def from_domain(cls, view: queries.ApplicationView) -> KindergartenApplication:
        return cls(
            key=view.id,
            child_iin=Iin(view.child_iin),
            status=view.status,
            queued_at=view.queued_at,
            cohort=view.cohort,
            region=view.region,
            language=view.language,
            desired_start=view.desired_start,
            benefit=_benefit(view.benefit, view.benefit_document, view.benefit_confirmed),
            reactivation_used=view.reactivation_used,
            reactivate_by=view.reactivate_by,
            closed_reason=view.closed_reason,
            choices=[_choice(choice) for choice in view.choices],
            offer=_offer(view.offer) if view.offer is not None else None,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[KindergartenApplication | None]:
        keys = _keys(node_ids)
        loader = info.context.loaders.kindergarten_application_by_id
        views = {view.id: view for view in await loader.load_many([k for k in keys if k is not None]) if view}
        return [cls.from_domain(views[k]) if k in views else None for k in keys]


def _choice(choice: queries.ChoiceView) -> KindergartenChoice:
    changes = [
        KindergartenPositionChange(
            at=change.at,
            change=QueueChange(change.change),
            reason=change.reason,
            own=change.own,
            moves_back=change.moves_back,
        )
        for change in choice.changes
    ]
    return KindergartenChoice(
        rank=choice.rank,
        position=choice.position,
        waiting_in_order=choice.waiting_in_order,
        position_changes=changes,
        kindergarten_id=choice.kindergarten_id,
    )


def _offer(offer: queries.OfferView) -> KindergartenApplicationOffer:
    return KindergartenApplicationOffer(
        status=offer.status,
        rank=offer.rank,
        offered_at=offer.offered_at,
        confirm_by=offer.confirm_by,
        sign_by=offer.sign_by,
        extended=offer.extended,
        benefit_by=offer.benefit_by,
        kindergarten_id=offer.kindergarten_id,
    )


async def application_by_id(
    info: strawberry.Info[Context, Any], application_id: int | None
) -> KindergartenApplication | None:
    """The caller's own application; another family's, or any for a caller who is not a parent, is null."""
    if application_id is None:
        return None
    found = await info.context.loaders.kindergarten_application_by_id.load(application_id)
    return KindergartenApplication.from_domain(found) if found is not None else None


@strawberry.type(description="An offer of a place, as staff of the kindergarten see it: the child's IIN masked.")
class KindergartenOffer(relay.Node):
    key: relay.NodeID[int]
    child_iin_masked: str = strawberry.field(
        description="The child's IIN with all but the birth date and the last two digits hidden."
    )
    cohort: int = strawberry.field(description="The birth cohort of the place.")
    language: Language = strawberry.field(description="The language group of the place.")
    status: OfferStatus = strawberry.field(description="Where the offer stands.")
    offered_at: datetime = strawberry.field(description="When the place was offered.")
    confirm_by: datetime = strawberry.field(description="The parent must confirm before this instant.")
    sign_by: datetime | None = strawberry.field(description="The contract must be signed before this.")
    benefit: KindergartenBenefit | None = strawberry.field(description="The benefit claimed, to check.")
    benefit_by: datetime | None = strawberry.field(
        description="Confirm or reject the claimed benefit before this, or the offer is cancelled."
    )
    desired_start: date = strawberry.field(description="When the parent would like the child to start.")
    kindergarten_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, offer: staff.OpenOffer) -> KindergartenOffer:
        return cls(
            key=offer.id,
            child_iin_masked=offer.child_iin_masked,
            cohort=offer.cohort,
            language=offer.language,
            status=offer.status,
            offered_at=offer.offered_at,
            confirm_by=offer.confirm_by,
            sign_by=offer.sign_by,
            benefit=_benefit(offer.benefit, offer.benefit_document, offer.benefit_confirmed),
            benefit_by=offer.benefit_by,
            desired_start=offer.desired_start,
            kindergarten_id=offer.kindergarten_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[KindergartenOffer | None]:
        keys = _keys(node_ids)
        async with info.context.sessions() as session:
            found = await staff.offers_by_id(info.context.principal, session, [k for k in keys if k is not None])
        offers = {offer.id: offer for offer in found if offer is not None}
        return [cls.from_domain(offers[k]) if k in offers else None for k in keys]

    @strawberry.field(description="The kindergarten of the place: the caller's own.")
    async def kindergarten(self, info: strawberry.Info[Context, None]) -> Kindergarten | None:
        return await kindergarten_by_id(info, self.kindergarten_id)


# A stored notification and a live event of the subscription are the same stored event: their IDs are one kind,
# so either may be given as `after` to the other.
EVENT = "KindergartenApplicationEvent"


@strawberry.type(description="A stored event of one of the parent's applications: what a parent who was offline "
                 "reads on return.")  # fmt: skip
class KindergartenNotification:
    id: strawberry.ID = strawberry.field(
        description="Opaque; give it as `after` here or to `kindergartenApplicationEvents` to get only what came later."
    )
    kind: EventKind = strawberry.field(description="What happened.")
    status: ApplicationStatus = strawberry.field(description="The application's status after it.")
    at: datetime = strawberry.field(description="When it happened.")
    reason: str | None = strawberry.field(
        description="Why, where there is a why: staff's words when they reject a benefit, or a code such as AGED_OUT."
    )
    deadline: datetime | None = strawberry.field(
        description="The deadline the event sets or warns of: to confirm (OFFER_MADE), to sign (OFFER_CONFIRMED, "
        "CONTRACT_EXTENDED), to reactivate (OFFER_LAPSED) or whose last day has begun (DEADLINE_NEAR)."
    )
    rank: int | None = strawberry.field(description="OFFER_MADE: which of the choices the offered place is in.")
    choices_left: int | None = strawberry.field(
        description="OFFER_REFUSED: how many higher choices the child still waits for."
    )
    closed_reason: ClosedReason | None = strawberry.field(description="Why the application was closed by it.")
    application_id: strawberry.Private[int]
    kindergarten_id: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, notification: queries.Notification) -> KindergartenNotification:
        details = notification.details
        deadline = next((details[k] for k in _DEADLINES if isinstance(details.get(k), str)), None)
        closed = details.get("closed_reason")
        if notification.kind == EventKind.CLOSED:
            closed = notification.reason
        return cls(
            id=strawberry.ID(to_base64(EVENT, notification.id)),
            kind=EventKind(notification.kind),
            status=notification.status,
            at=notification.at,
            reason=notification.reason,
            deadline=datetime.fromisoformat(deadline) if deadline is not None else None,
            rank=details.get("rank"),
            choices_left=details.get("choices_left"),
            closed_reason=ClosedReason(closed) if isinstance(closed, str) and closed in set(ClosedReason) else None,
            application_id=notification.application_id,
            kindergarten_id=notification.kindergarten_id,
        )

    @strawberry.field(description="The application it is about.")
    async def application(self, info: strawberry.Info[Context, None]) -> KindergartenApplication | None:
        return await application_by_id(info, self.application_id)

    @strawberry.field(description="The kindergarten it concerns, if one.")
    async def kindergarten(self, info: strawberry.Info[Context, None]) -> Kindergarten | None:
        return await kindergarten_by_id(info, self.kindergarten_id)


# Which detail of a stored event holds its deadline, by the kind of event (domain/kindergarten/*.py, journal.record).
_DEADLINES = ("deadline", "confirm_by", "sign_by", "reactivate_by")
