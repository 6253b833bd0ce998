from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.insurance.models import Person, StateCategoryPeriod
from domain.kindergarten import applications
from domain.kindergarten.models import BenefitCategory, Kindergarten, KindergartenCapacity, Language, ParentChild
from domain.medicines import commissioning, issuing, registry, shipping
from domain.medicines.codes import PackCode
from domain.medicines.commissioning import BatchDetails
from domain.medicines.keys import CodeKeys
from domain.medicines.models import MaxRetailPrice, Pack, PackState, Product
from domain.medicines.registry import ProductCard
from domain.shared.access import AuthorityKind, AuthorityUser, Citizen, OrganisationKind, OrganisationUser
from domain.shared.bin import Bin
from domain.shared.calendar import local_date
from domain.shared.iin import Iin
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
    ("210240000109", "ГККП «Демо детский сад Айгөлек»", OrganisationKind.KINDERGARTEN, Region.ALMATY),
    ("210340000201", "ТОО «Демо детский сад Шуақ»", OrganisationKind.KINDERGARTEN, Region.ALMATY),
    ("210440000304", "ГККП «Демо ясли-сад Жұлдыз»", OrganisationKind.KINDERGARTEN, Region.ASTANA),
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


# Products of the demo manufacturer and importer (GTINs with valid check digits under the test prefix 0460…),
# with a maximum retail price in force, and a few packs already at the demo pharmacy: a newcomer can scan one.
DEMO_PRODUCTS = [
    ProductCard(
        gtin="04600000000015",
        trade_name="Парацетамол-Демо",
        inn="Paracetamol",
        dosage_form="tablets",
        strength="500 mg",
        units_per_pack=20,
        holder_name="ТОО «Демо Фарм Завод»",
        registration_number="РК-ЛС-5№DEMO01",
        manufacturer_bin="050140000011",
        importer_bin=None,
    ),
    ProductCard(
        gtin="04600000000022",
        trade_name="Амоксициллин-Демо",
        inn="Amoxicillin",
        dosage_form="capsules",
        strength="250 mg",
        units_per_pack=16,
        holder_name="Demo Pharma GmbH",
        registration_number="РК-ЛС-5№DEMO02",
        manufacturer_bin=None,
        importer_bin="100340000020",
    ),
]
DEMO_MAX_PRICES_TENGE = {"04600000000015": 650, "04600000000022": 1800}
_PHARMACY = "981240000041"
_DEMO_REGULATOR = AuthorityUser("demo-loader", AuthorityKind.MEDICINES_REGULATOR, None)


def _staff(bin_: str, kind: OrganisationKind) -> OrganisationUser:
    return OrganisationUser(user_id="demo-loader", organisation_bin=Bin.parse(bin_), organisation_kind=kind)


async def seed_demo_medicines(sessions: async_sessionmaker[AsyncSession], keys: CodeKeys, now: datetime) -> str:
    """The demo products, their prices, and five packs of the first at the demo pharmacy (once); the printed form
    of a genuine one, for the start-up banner."""
    manufacturer = _staff("050140000011", OrganisationKind.MANUFACTURER)
    async with sessions() as session:
        async with session.begin():
            loaded = await session.get(Product, DEMO_PRODUCTS[0].gtin) is not None
        if not loaded:
            for card in DEMO_PRODUCTS:
                await registry.register_product(_DEMO_REGULATOR, session, card=card, now=now)
            async with session.begin():
                for gtin, tenge in DEMO_MAX_PRICES_TENGE.items():
                    session.add(
                        MaxRetailPrice(
                            gtin=gtin, price_tiyn=tenge * 100, effective_from=date(2026, 1, 1), set_at=now,
                            set_by="demo-loader",
                        )
                    )  # fmt: skip
            gtin = DEMO_PRODUCTS[0].gtin
            _, codes = await issuing.order_pack_codes(manufacturer, session, gtin=gtin, count=5, keys=keys, now=now)
            batch = BatchDetails(number="DEMO-1", expiry=date(2029, 12, 31), produced_on=local_date(now))
            serials = [code.serial for code in codes]
            await commissioning.commission_packs(
                manufacturer, session, gtin=gtin, serials=serials, batch=batch, now=now
            )
            shipment = await shipping.ship_packs(
                manufacturer, session, receiver_bin=_PHARMACY, codes=[c.element_string() for c in codes],
                document="DEMO", keys=keys, now=now,
            )  # fmt: skip
            await shipping.receive_shipment(
                _staff(_PHARMACY, OrganisationKind.PHARMACY), session, shipment_id=shipment.id, codes=None, keys=keys,
                now=now,
            )  # fmt: skip
        async with session.begin():
            serial = await session.scalar(
                select(Pack.serial)
                .where(
                    Pack.gtin == DEMO_PRODUCTS[0].gtin, Pack.state == PackState.ACTIVE, Pack.owner_bin == "981240000041"
                )
                .limit(1)
            )
    if serial is None:
        return ""
    key_id, mac = keys.sign(DEMO_PRODUCTS[0].gtin, serial)
    return PackCode(DEMO_PRODUCTS[0].gtin, serial, key_id, mac).human_readable()


# The demo citizen and two more in the people registry: a pensioner the state insures, and a payer to try the banks'
# calls with (`contributionQuote`, `payContributions` under the registry's name).
DEMO_PEOPLE = [
    ("850315400015", "Демо Азамат Ерланович"),
    ("560101400010", "Демо Бибигуль Сериковна"),
    ("900620300019", "Демо Нурлан Болатович"),
]


async def seed_demo_insurance(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The demo people and the demo pensioner's state category (once)."""
    async with sessions() as session, session.begin():
        await session.execute(
            insert(Person).values([{"iin": iin, "full_name": name} for iin, name in DEMO_PEOPLE])
            .on_conflict_do_nothing(index_elements=["iin"])
        )  # fmt: skip
        if (
            await session.scalar(select(StateCategoryPeriod.id).where(StateCategoryPeriod.iin == "560101400010"))
            is None
        ):
            session.add(StateCategoryPeriod(iin="560101400010", category="PENSIONER", valid_from=date(2021, 1, 1),
                                            valid_to=None))  # fmt: skip


# The kindergartens of the demo organisations, with groups and capacity; the demo citizen's two children (one to
# apply for by hand) and four other families already queued at Балапан, so that positions and offers mean something.
DEMO_KINDERGARTENS = [
    ("200140000064", "Алматы, Абай даңғылы, 10", (Language.KK, Language.RU)),
    ("210240000109", "Алматы, Төле би көшесі, 55", (Language.KK,)),
    ("210340000201", "Алматы, Сәтбаев көшесі, 3", (Language.RU,)),
    ("210440000304", "Астана, Мәңгілік Ел даңғылы, 8", (Language.KK, Language.RU)),
]
DEMO_CHILDREN = [("850315400015", "220614500006"), ("850315400015", "240302600000")]
DEMO_QUEUED_FAMILIES = [
    ("880704300009", "230911500002", None, datetime(2025, 2, 3, 4, 0, tzinfo=UTC)),
    ("910210400008", "221205600001", BenefitCategory.LARGE_FAMILY, datetime(2025, 3, 10, 5, 30, tzinfo=UTC)),
    ("870523300003", "230427600008", None, datetime(2025, 4, 1, 9, 0, tzinfo=UTC)),
    ("930817400001", "220830500000", None, datetime(2025, 5, 20, 3, 15, tzinfo=UTC)),
]


async def seed_demo_kindergarten(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The demo kindergartens, families and queue (once: nothing is added when the kindergartens exist)."""
    async with sessions() as session, session.begin():
        if await session.scalar(select(Kindergarten.id).where(Kindergarten.bin == DEMO_KINDERGARTENS[0][0])):
            return
        names = {bin_: name for bin_, name, _, _ in DEMO_ORGANISATIONS}
        regions = {bin_: region for bin_, _, _, region in DEMO_ORGANISATIONS}
        for bin_, address, languages in DEMO_KINDERGARTENS:
            garden = Kindergarten(bin=bin_, name=names[bin_], address=address, region=regions[bin_],
                                  languages=list(languages))  # fmt: skip
            session.add(garden)
            await session.flush()
            session.add_all(KindergartenCapacity(kindergarten_id=garden.id, cohort=year, capacity=40)
                            for year in range(2020, 2027))  # fmt: skip
        links = DEMO_CHILDREN + [(parent, child) for parent, child, _, _ in DEMO_QUEUED_FAMILIES]
        session.add_all(ParentChild(parent_iin=parent, child_iin=child) for parent, child in links)
    async with sessions() as session:
        balapan = await session.scalar(select(Kindergarten.id).where(Kindergarten.bin == DEMO_KINDERGARTENS[0][0]))
    assert balapan is not None
    for parent, child, category, at in DEMO_QUEUED_FAMILIES:
        benefit = applications.Benefit(category, "Демо анықтама №1") if category else None
        async with sessions() as session:
            await applications.submit_application(
                Citizen(Iin(parent)), session, child_iin=child, choices=[balapan], language=Language.KK,
                desired_start=date(2026, 9, 1), benefit=benefit, now=at,
            )  # fmt: skip
