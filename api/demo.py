from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.shared.access import OrganisationKind
from domain.shared.organisations import Organisation
from domain.shared.regions import Region

# Fictional organisations with valid BINs, one of each kind, so that every role can be tried at once.
DEMO_ORGANISATIONS = [
    ("050140000011", "ТОО «Демо Фарм Завод»", OrganisationKind.MANUFACTURER, Region.SHYMKENT),
    ("100340000020", "ТОО «Демо Импорт Мед»", OrganisationKind.IMPORTER, Region.ALMATY),
    ("150640000030", "ТОО «Демо Дистрибуция»", OrganisationKind.WHOLESALER, Region.ASTANA),
    ("981240000041", "ТОО «Демо Аптека №1»", OrganisationKind.PHARMACY, Region.ASTANA),
    ("120840000052", "ГКП «Демо городская больница №1»", OrganisationKind.HOSPITAL, Region.ALMATY),
    ("200140000064", "ГККП «Демо ясли-сад Балапан»", OrganisationKind.KINDERGARTEN, Region.ALMATY),
]
DEMO_CITIZEN_IIN = "850315400015"


async def seed_demo(session: AsyncSession) -> int:
    """Load the demo data; rows already there are left alone, so running it again changes nothing."""
    async with session.begin():
        result = await session.execute(
            insert(Organisation)
            .values([{"bin": b, "name": n, "kind": k, "region": r} for b, n, k, r in DEMO_ORGANISATIONS])
            .on_conflict_do_nothing(index_elements=["bin"])
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of an INSERT has rowcount
