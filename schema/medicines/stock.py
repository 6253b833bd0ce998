from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from domain.medicines import stock
from domain.medicines.gtin import Gtin
from domain.medicines.models import BatchStatus
from domain.shared.bin import Bin
from domain.shared.errors import DomainError, InvalidPage
from domain.shared.regions import Region
from schema.context import Context
from schema.errors import UserError
from schema.relay import PageRequest, encode_cursor

strawberry.enum(BatchStatus, name="BatchStatus")


@strawberry.type(description="What an organisation holds of one batch of one product.")
class StockLine:
    gtin: str
    trade_name: str
    inn: str = strawberry.field(description="The active substance.")
    batch: str
    expiry: date
    batch_status: BatchStatus
    packs: int = strawberry.field(description="Packs in stock, opened ones included.")
    units: int = strawberry.field(description="Units left in them (tablets, ampoules …).")

    @classmethod
    def from_domain(cls, line: stock.BalanceLine) -> StockLine:
        return cls(
            gtin=line.gtin,
            trade_name=line.trade_name,
            inn=line.inn,
            batch=line.batch,
            expiry=line.expiry,
            batch_status=line.batch_status,
            packs=line.packs,
            units=line.units,
        )


@strawberry.type
class StockLineEdge:
    cursor: str
    node: StockLine


@strawberry.type
class StockLineConnection:
    page_info: relay.PageInfo
    edges: list[StockLineEdge]


@strawberry.type(description="How much of one substance the organisations of a region hold.")
class RegionalStock:
    region: str
    inn: str
    packs: int
    units: int
    minimum_units: int | None = strawberry.field(description="The shortage threshold, if the regulator set one.")


@strawberry.type
class StockQueries:
    @strawberry.field(
        description="An organisation's stock by product and batch, from maintained counters: your own, or any "
        "organisation's for the regulator (ownerBin). expiringWithinDays keeps what expires by then; recalledOnly "
        "what is of recalled batches."
    )
    async def stock_balance(
        self,
        info: strawberry.Info[Context, None],
        owner_bin: Bin | None = None,
        gtin: Gtin | None = None,
        expiring_within_days: int | None = None,
        recalled_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> StockLineConnection:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        offset = _offset(page.after)
        lines, more = await stock.stock_balance(
            info.context.principal,
            info.context.session,
            owner_bin=str(owner_bin) if owner_bin is not None else None,
            gtin=str(gtin) if gtin is not None else None,
            expiring_within_days=expiring_within_days,
            recalled_only=recalled_only,
            now=info.context.clock.now(),
            offset=offset,
            limit=page.size,
        )
        edges = [
            StockLineEdge(cursor=encode_cursor(str(offset + n + 1)), node=StockLine.from_domain(line))
            for n, line in enumerate(lines)
        ]
        return StockLineConnection(
            page_info=relay.PageInfo(
                has_next_page=more,
                has_previous_page=offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            edges=edges,
        )

    @strawberry.field(description="The regulator's view of stock by region and active substance.")
    async def regional_stock(
        self, info: strawberry.Info[Context, None], region: Region | None = None, inn: str | None = None
    ) -> list[RegionalStock]:
        rows = await stock.regional_stock(info.context.principal, info.context.session, region=region, inn=inn)
        return [RegionalStock(region=r.region, inn=r.inn, packs=r.packs, units=r.units, minimum_units=r.minimum_units)
                for r in rows]  # fmt: skip


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    if not (after.isascii() and after.isdigit()):
        raise InvalidPage(after, "not a cursor of this list")
    return int(after)


@strawberry.input
class SetShortageThresholdInput:
    region: Region
    inn: str = strawberry.field(description="The active substance (international non-proprietary name).")
    minimum_units: int = strawberry.field(description="Under this many units in the region a shortage alert opens.")


@strawberry.type
class SetShortageThresholdPayload:
    minimum_units: int | None
    set_at: datetime | None
    errors: list[UserError]


async def set_shortage_threshold(
    info: strawberry.Info[Context, None], input: SetShortageThresholdInput
) -> SetShortageThresholdPayload:
    ctx = info.context
    try:
        threshold = await stock.set_shortage_threshold(
            ctx.principal,
            ctx.session,
            region=input.region,
            inn=input.inn,
            minimum_units=input.minimum_units,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return SetShortageThresholdPayload(
            minimum_units=None, set_at=None, errors=[UserError.from_domain(error, ctx.locale)]
        )
    return SetShortageThresholdPayload(minimum_units=threshold.minimum_units, set_at=threshold.set_at, errors=[])
