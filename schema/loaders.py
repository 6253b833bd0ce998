from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from domain.medicines import registry
from domain.medicines.models import MaxRetailPrice, Product
from domain.shared import organisations
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


def make_loaders(sessions: async_sessionmaker[AsyncSession]) -> Loaders:
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
    )
