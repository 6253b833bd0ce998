from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from domain.medicines import registry
from domain.medicines.gtin import Gtin
from schema.context import Context
from schema.medicines.alerts import AlertQueries
from schema.medicines.images import ImageQueries
from schema.medicines.pack_history import PackHistoryQueries
from schema.medicines.products import Product
from schema.medicines.shipments import ShipmentQueries
from schema.medicines.stock import StockQueries
from schema.medicines.verify_pack import PackVerification, verify_pack
from schema.relay import PageRequest, encode_cursor


@strawberry.type
class MedicinesQuery(AlertQueries, ImageQueries, PackHistoryQueries, ShipmentQueries, StockQueries):
    @strawberry.field(description="A product of the state registry by its GTIN; public.")
    async def product(self, info: strawberry.Info[Context, None], gtin: Gtin) -> Product | None:
        found = await info.context.loaders.product_by_gtin.load(str(gtin))
        return Product.from_domain(found) if found is not None else None

    @strawberry.field(description="The state registry of medicinal products in GTIN order; public.")
    async def products(
        self,
        info: strawberry.Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        search: Annotated[str | None, strawberry.argument(description="Part of a trade name or substance.")] = None,
    ) -> relay.Connection[Product]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        rows, more = await registry.products_page(info.context.session, after=page.after, size=page.size, search=search)
        edges = [relay.Edge(cursor=encode_cursor(row.gtin), node=Product.from_domain(row)) for row in rows]
        return relay.Connection(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=more,
                has_previous_page=page.after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    verify_pack: PackVerification = strawberry.field(
        resolver=verify_pack,
        description="Anyone, signed in or not: is the pack behind a scanned code genuine, and what is it?",
    )
