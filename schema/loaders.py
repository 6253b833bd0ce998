from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from domain.kindergarten import queries as kindergarten_queries
from domain.kindergarten import registry as kindergarten_registry
from domain.kindergarten.models import Kindergarten, KindergartenCapacity
from domain.kindergarten.queries import ApplicationView, QueueStats
from domain.medicines import registry
from domain.medicines.models import MaxRetailPrice, Product
from domain.shared import organisations
from domain.shared.access import ANONYMOUS, Principal
from domain.shared.organisations import Organisation

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Loaders:
    """The request's DataLoaders: one batched query per kind of lookup, whatever the shape of the document."""

    organisation_by_bin: DataLoader[str, Organisation | None]
    product_by_gtin: DataLoader[str, Product | None]
    price_in_force: DataLoader[tuple[str, date], MaxRetailPrice | None]
    price_history: DataLoader[str, list[MaxRetailPrice]]
    kindergarten_by_id: DataLoader[int, Kindergarten | None]
    kindergarten_capacities: DataLoader[int, list[KindergartenCapacity]]
    kindergarten_queue_stats: DataLoader[tuple[int, datetime], list[QueueStats]]
    kindergarten_application_by_id: DataLoader[int, ApplicationView | None]  # the caller's own only


def make_loaders(sessions: async_sessionmaker[AsyncSession], principal: Principal = ANONYMOUS) -> Loaders:
    def batched(fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[T]]]) -> DataLoader[K, T]:
        async def load(keys: list[K]) -> Sequence[T]:
            async with sessions() as session:  # one per batch: sibling fields resolve concurrently
                return await fetch(session, keys)

        return DataLoader(load_fn=load)

    return Loaders(
        organisation_by_bin=batched(organisations.organisations_by_bin),
        product_by_gtin=batched(registry.products_by_gtin),
        price_in_force=batched(registry.prices_in_force),
        price_history=batched(registry.price_histories),
        kindergarten_by_id=batched(kindergarten_registry.kindergartens_by_id),
        kindergarten_capacities=batched(kindergarten_registry.capacities_by_kindergarten),
        kindergarten_queue_stats=batched(kindergarten_queries.queue_stats_by_kindergarten),
        kindergarten_application_by_id=batched(functools.partial(kindergarten_queries.applications_by_id, principal)),
    )
