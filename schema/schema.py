from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.schema.config import StrawberryConfig

from schema import identity
from schema.context import Context
from schema.identity import Viewer
from schema.relay import resolve_nodes
from schema.scalars import SCALARS


@strawberry.type
class Query:
    me: Viewer | None = strawberry.field(resolver=identity.me, description="The signed-in caller; null if anonymous.")

    @strawberry.field(description="Any object by its global ID, if the caller may see it.")
    async def node(self, info: strawberry.Info[Context, None], id: strawberry.ID) -> relay.Node | None:
        return (await resolve_nodes(info, [id]))[0]

    @strawberry.field(description="Objects by their global IDs, in order; null where absent or hidden.")
    async def nodes(self, info: strawberry.Info[Context, None], ids: list[strawberry.ID]) -> list[relay.Node | None]:
        return await resolve_nodes(info, ids)


schema = strawberry.Schema(query=Query, config=StrawberryConfig(scalar_map=SCALARS))
