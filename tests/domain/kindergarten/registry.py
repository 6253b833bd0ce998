from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.kindergarten.models import Language
from domain.shared import access
from domain.shared.access import OrganisationKind
from domain.shared.bin import Bin
from domain.shared.iin import Iin, iin_check_digit
from domain.shared.regions import Region

# Kindergartens, families and staff made for one test: fresh keys, so tests on a shared database never meet.

NOW = datetime(2026, 3, 9, 5, 0, tzinfo=UTC)  # Monday 10:00 in Almaty, a day off (8 March fell on a Sunday)
BORN = date(2023, 5, 17)  # day 137 of 2023


def _eleven_to_twelve(first: str) -> str | None:
    digit = iin_check_digit(first)
    return None if digit is None else first + str(digit)


def new_bin() -> str:
    while True:
        made = _eleven_to_twelve(f"{secrets.randbelow(25):02d}{1 + secrets.randbelow(12):02d}40"
                                 + "".join(secrets.choice("0123456789") for _ in range(5)))  # fmt: skip
        if made is not None:
            return str(Bin.parse(made))


def new_iin(born: date, *, adult: bool = False) -> str:
    century = ("3", "4") if born.year < 2000 else ("5", "6")
    while True:
        made = _eleven_to_twelve(f"{born:%y%m%d}{secrets.choice(century)}"
                                 + "".join(secrets.choice("0123456789") for _ in range(4)))  # fmt: skip
        if made is not None:
            return str(Iin(made))


@dataclass(frozen=True, slots=True)
class Family:
    parent: access.Citizen
    children: tuple[str, ...]

    @property
    def child(self) -> str:
        return self.children[0]


@dataclass(frozen=True, slots=True)
class Garden:
    id: int
    bin: str
    staff: access.OrganisationUser


async def add_family(sessions: AsyncSession | async_sessionmaker[AsyncSession], *born: date) -> Family:
    parent = new_iin(date(1990, 1, 1) + timedelta(days=secrets.randbelow(3000)))
    # Any day of 2023 (the cohort the tests publish for): with a fixed day, a few hundred children would collide.
    children = tuple(new_iin(day) for day in (born or (BORN + timedelta(days=secrets.randbelow(365) - 136),)))
    await _run(
        sessions,
        "INSERT INTO parent_children (parent_iin, child_iin) SELECT :parent, unnest(CAST(:children AS text[]))",
        parent=parent,
        children=list(children),
    )
    return Family(access.Citizen(Iin(parent)), children)


async def add_kindergarten(
    sessions: AsyncSession | async_sessionmaker[AsyncSession],
    *,
    region: Region = Region.ASTANA,
    languages: tuple[Language, ...] = (Language.KK, Language.RU),
    capacity: int = 50,
    cohorts: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025, 2026),
) -> Garden:
    bin_ = new_bin()
    await _run(
        sessions,
        "INSERT INTO organisations (bin, name, kind, region) VALUES (:bin, :name, 'KINDERGARTEN', :region)",
        bin=bin_,
        name=f"Балабақша {bin_}",
        region=region.value,
    )
    kindergarten_id = await _run(
        sessions,
        "INSERT INTO kindergartens (bin, name, address, region, languages)"
        " VALUES (:bin, :name, 'Астана, 1', :region, CAST(:languages AS kindergarten_language[])) RETURNING id",
        bin=bin_, name=f"Балабақша {bin_}", region=region.value, languages=[lang.value for lang in languages],
    )  # fmt: skip
    await _run(sessions, "INSERT INTO kindergarten_capacities (kindergarten_id, cohort, capacity)"
               " SELECT :id, unnest(CAST(:cohorts AS integer[])), :capacity",
               id=kindergarten_id, cohorts=list(cohorts), capacity=capacity)  # fmt: skip
    staff = access.OrganisationUser(f"staff-of-{bin_}", Bin.parse(bin_), OrganisationKind.KINDERGARTEN)
    return Garden(kindergarten_id, bin_, staff)


async def _run(sessions: AsyncSession | async_sessionmaker[AsyncSession], sql: str, **params: object) -> object:
    if isinstance(sessions, AsyncSession):
        async with sessions.begin():
            result = await sessions.execute(text(sql), params)
            return result.scalar() if result.returns_rows else None
    async with sessions() as session, session.begin():
        result = await session.execute(text(sql), params)
        return result.scalar() if result.returns_rows else None
