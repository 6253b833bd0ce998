from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.kindergarten.models import Kindergarten, KindergartenCapacity
from domain.shared.regions import Region

# The public registry of kindergartens: anyone may read it, so no principal is asked for.


async def kindergartens_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Kindergarten | None]:
    """One answer per id asked for, in the same order; None where no kindergarten has it."""
    rows = await session.scalars(select(Kindergarten).where(Kindergarten.id.in_(ids)))
    found = {kindergarten.id: kindergarten for kindergarten in rows}
    return [found.get(kindergarten_id) for kindergarten_id in ids]


async def capacities_by_kindergarten(session: AsyncSession, ids: Sequence[int]) -> list[list[KindergartenCapacity]]:
    """The capacity of each birth cohort, youngest cohort first, for each kindergarten asked for, in order."""
    rows = await session.scalars(
        select(KindergartenCapacity)
        .where(KindergartenCapacity.kindergarten_id.in_(ids))
        .order_by(KindergartenCapacity.cohort.desc())
    )
    found: dict[int, list[KindergartenCapacity]] = {kindergarten_id: [] for kindergarten_id in ids}
    for row in rows:
        found[row.kindergarten_id].append(row)
    return [found[kindergarten_id] for kindergarten_id in ids]


async def kindergartens_page(
    session: AsyncSession, *, region: Region, after_id: int | None, size: int
) -> tuple[list[Kindergarten], bool]:
    """A region's kindergartens in registry order after `after_id`, and whether more follow."""
    query = select(Kindergarten).where(Kindergarten.region == region)
    if after_id is not None:
        query = query.where(Kindergarten.id > after_id)
    rows = list(await session.scalars(query.order_by(Kindergarten.id).limit(size + 1)))
    return rows[:size], len(rows) > size
