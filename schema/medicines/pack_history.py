from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.relay.utils import to_base64

from domain.medicines import epcis, history
from domain.medicines.event_details import EventDetails
from domain.medicines.models import BusinessStep, PackEvent
from domain.shared.errors import InvalidPage
from domain.shared.money import Money
from schema.context import Context
from schema.organisations import Organisation
from schema.relay import PageRequest, encode_cursor

strawberry.enum(BusinessStep, name="BusinessStep", description="The GS1 CBV 2.0 business step of a pack event.")


@strawberry.type(description="One operation on a pack, as its history shows it; the same event as in its EPCIS export.")
class PackHistoryEvent:
    event_id: str = strawberry.field(description="The event's EPCIS eventID, the same in every export.")
    biz_step: BusinessStep
    disposition: str = strawberry.field(description="The pack's CBV 2.0 disposition after it: active, in_transit …")
    occurred_at: datetime
    shipment_id: strawberry.ID | None = strawberry.field(description="The global ID of the shipment of a transfer.")
    price: Money | None = strawberry.field(description="The price of a retail sale.")
    max_retail_price: Money | None = strawberry.field(description="The maximum retail price in force at the sale.")
    reason: str | None = strawberry.field(
        description="Why the pack was written off: DAMAGED, LOST, STOLEN, SAMPLE, EXPIRED or DESTROYED."
    )
    units: int | None = strawberry.field(description="Units dispensed from the pack.")
    units_remaining: int | None = strawberry.field(description="Units left in the pack after dispensing.")
    corrects_event_id: str | None = strawberry.field(description="The eventID of the earlier event this one reverses.")
    corrected_by_event_id: str | None = strawberry.field(
        description="The eventID of a later event that reverses this one (a sale or an administration undone)."
    )
    organisation_bin: strawberry.Private[str]

    @strawberry.field(description="The organisation that recorded the event.")
    async def organisation(self, info: strawberry.Info[Context, None]) -> Organisation:
        found = await info.context.loaders.organisation_by_bin.load(self.organisation_bin)
        assert found is not None  # pack_events.organisation_bin is a foreign key
        return Organisation.from_domain(found)

    @classmethod
    def from_domain(cls, event: PackEvent, corrected_by: PackEvent | None) -> PackHistoryEvent:
        details = EventDetails.read(event.details if isinstance(event.details, dict) else {})
        return cls(
            event_id=epcis.event_uri(event.id),
            biz_step=event.biz_step,
            disposition=event.disposition,
            occurred_at=event.occurred_at,
            # Shipments become nodes with the supply chain; the ID is theirs already.
            shipment_id=strawberry.ID(to_base64("Shipment", details.shipment))
            if details.shipment is not None
            else None,
            price=details.price,
            max_retail_price=details.max_retail_price,
            reason=details.reason,
            units=details.units,
            units_remaining=details.remaining,
            corrects_event_id=epcis.event_uri(event.corrects_id) if event.corrects_id is not None else None,
            corrected_by_event_id=epcis.event_uri(corrected_by.id) if corrected_by is not None else None,
            organisation_bin=event.organisation_bin,
        )


@strawberry.type(description="An event in a pack's history and its place in the list.")
class PackHistoryEventEdge:
    cursor: str
    node: PackHistoryEvent


@strawberry.type(description="A page of a pack's history, oldest first.")
class PackHistoryEventConnection:
    page_info: relay.PageInfo
    edges: list[PackHistoryEventEdge]
    total_count: int = strawberry.field(description="How many events the pack has, on every page.")

    @classmethod
    def from_domain(cls, events: Sequence[PackEvent], page: PageRequest) -> PackHistoryEventConnection:
        # A pack has tens of events at most, all read at once: the page is cut here, after the access check.
        keys = [str(event.id) for event in events]
        if page.after is not None and page.after not in keys:
            raise InvalidPage(page.after, "not a cursor of this pack's history")
        start = keys.index(page.after) + 1 if page.after is not None else 0
        corrected_by: dict[int, PackEvent] = {}
        for event in events:
            if event.corrects_id is not None:
                corrected_by.setdefault(event.corrects_id, event)
        edges = [
            PackHistoryEventEdge(
                cursor=encode_cursor(str(event.id)),
                node=PackHistoryEvent.from_domain(event, corrected_by.get(event.id)),
            )
            for event in events[start : start + page.size]
        ]
        return cls(
            page_info=relay.PageInfo(
                has_next_page=start + page.size < len(events),
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            edges=edges,
            total_count=len(events),
        )


@strawberry.type
class PackHistoryQueries:
    @strawberry.field(
        description="The events of the pack behind a code, oldest first: for the regulator and the organisations "
        "the pack has passed through. Null, with PACK_NOT_FOUND, for a pack the caller may not see; the same "
        "history as EPCIS 2.0 JSON-LD is at GET /epcis/packs/{gtin}/{serial}."
    )
    async def pack_history(
        self,
        info: strawberry.Info[Context, None],
        code: Annotated[str, strawberry.argument(description="The pack's code in any form: raw, bracketed, link.")],
        first: int | None = None,
        after: str | None = None,
    ) -> PackHistoryEventConnection | None:
        ctx = info.context
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        events = await history.pack_history_by_code(ctx.principal, ctx.session, code=code)
        return PackHistoryEventConnection.from_domain(events, page)
