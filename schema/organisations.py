from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from domain.medicines.verification import Place
from domain.shared import organisations
from domain.shared.access import OrganisationKind
from domain.shared.bin import Bin
from domain.shared.regions import Region
from schema.context import Context


@strawberry.type(description="A legal entity that acts in a service: a manufacturer, a pharmacy, a kindergarten …")
class Organisation(relay.Node):
    key: relay.NodeID[str]
    bin: Bin
    name: str
    kind: OrganisationKind
    region: Region

    @classmethod
    def from_domain(cls, organisation: organisations.Organisation | Place) -> Organisation:
        return cls(
            key=organisation.bin,
            bin=Bin(organisation.bin),
            name=organisation.name,
            kind=organisation.kind,
            region=organisation.region,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Organisation | None]:
        found = await info.context.loaders.organisation_by_bin.load_many(list(node_ids))
        return [cls.from_domain(o) if o is not None else None for o in found]


async def organisation_by_bin(info: strawberry.Info[Context, Any], bin_: str | None) -> Organisation | None:
    if bin_ is None:
        return None
    found = await info.context.loaders.organisation_by_bin.load(bin_)
    return Organisation.from_domain(found) if found is not None else None
