from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.relay.utils import to_base64

from domain.kindergarten import live
from domain.kindergarten.journal import EventKind
from domain.kindergarten.models import ApplicationStatus
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError

# EventKind and ApplicationStatus are registered as GraphQL enums in types.py, shared with the queries.
from schema.kindergarten import types as _types  # noqa: F401  # imported for those registrations
from schema.relay import decode_global_id

_EVENT = "KindergartenApplicationEvent"


@strawberry.type(description="A change of one of the caller's kindergarten applications.")
class KindergartenApplicationEvent:
    id: strawberry.ID | None = strawberry.field(
        description="The stored event's ID: pass the last one received as `after` when reconnecting, to read what "
        "was missed. Null for a position change, which is computed rather than stored."
    )
    kind: EventKind
    application_id: strawberry.ID
    status: ApplicationStatus = strawberry.field(description="The application's status after the change.")
    at: datetime
    kindergarten_id: strawberry.ID | None = strawberry.field(description="The kindergarten concerned, if one is.")
    position: int | None = strawberry.field(description="For POSITION_CHANGED: the new position in that order.")
    deadline: datetime | None = strawberry.field(
        description="The deadline the event sets or warns of: to confirm, to sign, to reactivate."
    )
    reason: str | None

    @classmethod
    def from_domain(cls, event: live.LiveEvent) -> KindergartenApplicationEvent:
        details = event.details
        deadline = next(
            (details[key] for key in ("deadline", "confirm_by", "sign_by", "reactivate_by") if key in details), None
        )
        return cls(
            id=strawberry.ID(to_base64(_EVENT, event.id)) if event.id is not None else None,
            kind=event.kind,
            application_id=strawberry.ID(to_base64("KindergartenApplication", event.application_id)),
            status=event.status,
            at=event.at,
            kindergarten_id=strawberry.ID(to_base64("Kindergarten", event.kindergarten_id))
            if event.kindergarten_id is not None
            else None,
            position=event.position,
            deadline=datetime.fromisoformat(deadline) if deadline else None,
            reason=event.reason,
        )


@strawberry.type
class KindergartenSubscription:
    @strawberry.subscription(
        description="Every change of the caller's kindergarten applications: offer made, deadline near, offer "
        "lapsed, position changed, enrolled … from any instance of the service. With `after` (the ID of the last "
        "event received), the events stored since are delivered first."
    )
    async def kindergarten_application_events(
        self, info: strawberry.Info[Context, None], after: strawberry.ID | None = None
    ) -> AsyncGenerator[KindergartenApplicationEvent, None]:
        ctx = info.context
        try:
            after_id = None
            if after is not None:
                _, key = decode_global_id(str(after), expected_type=_EVENT)
                after_id = int(key) if (key.isascii() and key.isdigit()) else 0
            events = live.application_events(
                ctx.principal, ctx.sessions, ctx.kindergarten_hub, after_id=after_id, now=ctx.clock.now
            )
            first = await anext(events)
        except DomainError as error:
            refused = UserError.from_domain(error, ctx.locale)
            raise GraphQLError(refused.message, extensions={"code": refused.code.value}) from None
        yield KindergartenApplicationEvent.from_domain(first)
        async for event in events:
            yield KindergartenApplicationEvent.from_domain(event)
