from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from domain.kindergarten import queries, registry, staff
from domain.shared.errors import InvalidPage, NotFound
from domain.shared.regions import Region
from schema.context import Context
from schema.kindergarten.types import (
    Kindergarten,
    KindergartenApplication,
    KindergartenNotification,
    KindergartenOffer,
    KindergartenQueueStats,
    key_of,
    queue_stats_of,
)
from schema.relay import PageRequest, connection_page, encode_cursor

First = Annotated[int | None, strawberry.argument(description="At most this many (0 to 100; 100 when left out).")]
After = Annotated[str | None, strawberry.argument(description="The cursor of the last item read.")]


def _after_key(page: PageRequest) -> int | None:
    if page.after is None:
        return None
    if not (page.after.isascii() and page.after.isdigit()):
        raise InvalidPage(page.after, "not a cursor of this connection")
    return int(page.after)


@strawberry.type(description="An edge of the parent's notifications.")
class KindergartenNotificationEdge:
    cursor: str
    node: KindergartenNotification


@strawberry.type(description="A page of the parent's notifications, oldest first.")
class KindergartenNotificationConnection:
    edges: list[KindergartenNotificationEdge]
    page_info: relay.PageInfo


@strawberry.type
class KindergartenQuery:
    @strawberry.field(
        description="The signed-in parent's applications for their children, newest first, with the child's "
        "position in each chosen kindergarten and why it moved."
    )
    async def my_kindergarten_applications(self, info: strawberry.Info[Context, None]) -> list[KindergartenApplication]:
        found = await queries.my_applications(info.context.principal, info.context.session)
        return [KindergartenApplication.from_domain(view) for view in found]

    @strawberry.field(
        description="The signed-in parent's stored notifications about their applications, oldest first: what a "
        "parent who was offline reads on return. Page on with the last edge's cursor; the last node's `id` is also "
        "the `after` of `kindergartenApplicationEvents`, which goes on live from there."
    )
    async def my_kindergarten_notifications(
        self, info: strawberry.Info[Context, None], first: First = None, after: After = None
    ) -> KindergartenNotificationConnection:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        found = await queries.my_notifications(
            info.context.principal, info.context.session, after_id=_after_key(page) or 0, limit=page.size + 1
        )
        edges = [
            KindergartenNotificationEdge(
                cursor=encode_cursor(str(notification.id)), node=KindergartenNotification.from_domain(notification)
            )
            for notification in found[: page.size]
        ]
        return KindergartenNotificationConnection(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=len(found) > page.size,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="The kindergartens of a region in registry order; public.")
    async def kindergartens(
        self,
        info: strawberry.Info[Context, None],
        region: Annotated[Region, strawberry.argument(description="The region whose kindergartens to list.")],
        first: First = None,
        after: After = None,
    ) -> relay.Connection[Kindergarten]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        rows, more = await registry.kindergartens_page(
            info.context.session, region=region, after_id=_after_key(page), size=page.size
        )
        edges = [relay.Edge(cursor=encode_cursor(str(row.id)), node=Kindergarten.from_domain(row)) for row in rows]
        return connection_page(edges, has_next_page=more, after=after)

    @strawberry.field(
        description="Public figures of a kindergarten's queue per cohort and language group: children waiting, and "
        "places offered since the start of the current month in Almaty. No person is in them."
    )
    async def kindergarten_queue_stats(
        self,
        info: strawberry.Info[Context, None],
        kindergarten_id: Annotated[strawberry.ID, strawberry.argument(description="The kindergarten's ID.")],
    ) -> list[KindergartenQueueStats]:
        key = key_of(str(kindergarten_id), "Kindergarten")
        if await info.context.loaders.kindergarten_by_id.load(key) is None:
            raise NotFound("kindergarten", key)
        return await queue_stats_of(info, key)

    @strawberry.field(
        description="Staff of a kindergarten: its open offers (to confirm, or to sign), oldest first; children's "
        "IINs are masked."
    )
    async def kindergarten_open_offers(
        self, info: strawberry.Info[Context, None], first: First = None, after: After = None
    ) -> relay.Connection[KindergartenOffer]:
        page = PageRequest.from_arguments(first=first, after=after, last=None, before=None)
        found = await staff.open_offers(
            info.context.principal, info.context.session, after_id=_after_key(page), limit=page.size + 1
        )
        edges = [
            relay.Edge(cursor=encode_cursor(str(offer.id)), node=KindergartenOffer.from_domain(offer))
            for offer in found[: page.size]
        ]
        return connection_page(edges, has_next_page=len(found) > page.size, after=after)
