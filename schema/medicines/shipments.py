from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from domain.medicines import models, shipping
from domain.medicines.models import ShipmentStatus
from domain.shared.bin import Bin
from domain.shared.errors import DomainError, InvalidPage
from schema.context import Context
from schema.errors import UserError
from schema.organisations import Organisation, organisation_by_bin
from schema.relay import PageRequest, connection_page, decode_global_id, encode_cursor

strawberry.enum(ShipmentStatus, name="ShipmentStatus")


@strawberry.type(description="Packs on their way from one organisation to another.")
class Shipment(relay.Node):
    key: relay.NodeID[int]
    status: ShipmentStatus
    document: str | None = strawberry.field(description="The sender's own waybill number.")
    packs: int = strawberry.field(description="How many packs were sent.")
    received: int | None = strawberry.field(description="How many of them the receiver accepted.")
    shipped_at: datetime
    closed_at: datetime | None = strawberry.field(description="When it was received or cancelled.")
    sender_bin: strawberry.Private[str]
    receiver_bin: strawberry.Private[str]

    @classmethod
    def from_domain(cls, shipment: models.Shipment) -> Shipment:
        return cls(
            key=shipment.id,
            status=shipment.status,
            document=shipment.document,
            packs=shipment.packs,
            received=shipment.received,
            shipped_at=shipment.shipped_at,
            closed_at=shipment.closed_at,
            sender_bin=shipment.sender_bin,
            receiver_bin=shipment.receiver_bin,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Shipment | None]:
        ids = [shipment_key(key) for key in node_ids]
        async with info.context.sessions() as session:
            found = await shipping.shipments_by_id(info.context.principal, session, ids)
        return [cls.from_domain(s) if s is not None else None for s in found]

    @strawberry.field
    async def sender(self, info: strawberry.Info[Context, None]) -> Organisation | None:
        return await organisation_by_bin(info, self.sender_bin)

    @strawberry.field
    async def receiver(self, info: strawberry.Info[Context, None]) -> Organisation | None:
        return await organisation_by_bin(info, self.receiver_bin)


def shipment_key(key: str) -> int:
    if not (key.isascii() and key.isdigit()):
        raise InvalidPage(key, "not a key of this list")
    return int(key)


def shipment_id(value: strawberry.ID) -> int:
    """The shipment's number inside its global ID (an error names the input's `shipmentId`)."""
    try:
        _, key = decode_global_id(str(value), expected_type="Shipment")
        return shipment_key(key)
    except DomainError as error:
        error.field = ("shipment_id",)
        raise


@strawberry.type
class ShipmentQueries:
    @strawberry.field(description="Your organisation's shipments, newest first: those it sent, or those to receive.")
    async def shipments(
        self,
        info: strawberry.Info[Context, None],
        incoming: bool = False,
        status: ShipmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[Shipment]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        rows, more = await shipping.shipments_page(
            info.context.principal,
            info.context.session,
            incoming=incoming,
            status=status,
            before_id=shipment_key(page.after) if page.after else None,
            size=page.size,
        )
        edges = [relay.Edge(cursor=encode_cursor(str(r.id)), node=Shipment.from_domain(r)) for r in rows]
        return connection_page(edges, has_next_page=more, after=after)


@strawberry.input
class ShipPacksInput:
    receiver_bin: Bin = strawberry.field(description="The BIN of the organisation the packs go to.")
    codes: list[str] = strawberry.field(description="Codes of packs, or SSCCs (00) of boxes and pallets, as scanned.")
    document: str | None = strawberry.field(default=None, description="Your own waybill number.")


@strawberry.type
class ShipPacksPayload:
    shipment: Shipment | None
    errors: list[UserError]


async def ship_packs(info: strawberry.Info[Context, None], input: ShipPacksInput) -> ShipPacksPayload:
    ctx = info.context
    try:
        shipment = await shipping.ship_packs(
            ctx.principal,
            ctx.session,
            receiver_bin=str(input.receiver_bin),
            codes=input.codes,
            document=input.document,
            keys=ctx.code_keys,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return ShipPacksPayload(shipment=None, errors=[UserError.from_domain(error, ctx.locale)])
    return ShipPacksPayload(shipment=Shipment.from_domain(shipment), errors=[])


@strawberry.input
class ReceiveShipmentInput:
    shipment_id: strawberry.ID
    codes: list[str] | None = strawberry.field(
        default=None, description="What arrived, as scanned; leave it out to accept the whole shipment."
    )


@strawberry.type
class ReceiveShipmentPayload:
    shipment: Shipment | None
    received: int | None
    missing: int | None = strawberry.field(description="Sent and not received: they stay in transit.")
    extra: int | None = strawberry.field(description="Received and not sent: left where they were.")
    foreign: int | None = strawberry.field(description="Codes of no pack we know.")
    errors: list[UserError]


async def receive_shipment(info: strawberry.Info[Context, None], input: ReceiveShipmentInput) -> ReceiveShipmentPayload:
    ctx = info.context
    try:
        receipt = await shipping.receive_shipment(
            ctx.principal,
            ctx.session,
            shipment_id=shipment_id(input.shipment_id),
            codes=input.codes,
            keys=ctx.code_keys,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        errors = [UserError.from_domain(error, ctx.locale)]
        return ReceiveShipmentPayload(
            shipment=None, received=None, missing=None, extra=None, foreign=None, errors=errors
        )
    return ReceiveShipmentPayload(
        shipment=Shipment.from_domain(receipt.shipment),
        received=receipt.received,
        missing=receipt.missing,
        extra=receipt.extra,
        foreign=receipt.foreign,
        errors=[],
    )


@strawberry.input
class CancelShipmentInput:
    shipment_id: strawberry.ID


@strawberry.type
class CancelShipmentPayload:
    shipment: Shipment | None
    errors: list[UserError]


async def cancel_shipment(info: strawberry.Info[Context, None], input: CancelShipmentInput) -> CancelShipmentPayload:
    ctx = info.context
    try:
        shipment = await shipping.cancel_shipment(
            ctx.principal, ctx.session, shipment_id=shipment_id(input.shipment_id), now=ctx.clock.now()
        )
    except DomainError as error:
        return CancelShipmentPayload(shipment=None, errors=[UserError.from_domain(error, ctx.locale)])
    return CancelShipmentPayload(shipment=Shipment.from_domain(shipment), errors=[])
