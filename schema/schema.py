from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema import identity
from schema.context import Context
from schema.identity import Viewer
from schema.insurance.mutations import InsuranceMutation
from schema.insurance.queries import InsuranceQuery
from schema.kindergarten.mutations import KindergartenMutation
from schema.kindergarten.queries import KindergartenQuery
from schema.kindergarten.region import KindergartenRegionMutation, KindergartenRegionQuery
from schema.kindergarten.subscriptions import KindergartenSubscription
from schema.medicines.mutations import MedicinesMutation
from schema.medicines.queries import MedicinesQuery
from schema.relay import resolve_nodes
from schema.scalars import SCALARS
from schema.set_clock import SetClockPayload, set_clock


@strawberry.type
class Query(MedicinesQuery, InsuranceQuery, KindergartenQuery, KindergartenRegionQuery):
    me: Viewer | None = strawberry.field(resolver=identity.me, description="The signed-in caller; null if anonymous.")

    @strawberry.field(description="Any object by its global ID, if the caller may see it.")
    async def node(self, info: strawberry.Info[Context, None], id: strawberry.ID) -> relay.Node | None:
        return (await resolve_nodes(info, [id]))[0]

    @strawberry.field(description="Objects by their global IDs, in order; null where absent or hidden.")
    async def nodes(self, info: strawberry.Info[Context, None], ids: list[strawberry.ID]) -> list[relay.Node | None]:
        return await resolve_nodes(info, ids)

    @strawberry.field(description="The service's time: real time in production, the settable clock in development.")
    def now(self, info: strawberry.Info[Context, None]) -> datetime:
        return info.context.clock.now()


@strawberry.type
class Mutation(MedicinesMutation, InsuranceMutation, KindergartenMutation, KindergartenRegionMutation):
    set_clock: SetClockPayload = strawberry.mutation(
        resolver=set_clock,
        description="Development and test only: set or move the clock of every instance. Refused in production.",
    )


@strawberry.type
class Subscription(KindergartenSubscription):
    pass


def build_schema(extensions: Sequence[Callable[[], SchemaExtension]] = ()) -> strawberry.Schema:
    """The schema; the websocket edge adds strawberry's own limit extensions, the HTTP edge applies ours."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=list(extensions),
    )


schema = build_schema()
