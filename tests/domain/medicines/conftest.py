from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.demo import seed_demo
from domain.medicines.registry import ProductCard, register_product
from domain.shared import access
from domain.shared.access import AuthorityKind, OrganisationKind
from domain.shared.bin import Bin

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 11:00 in Almaty
REGULATOR = access.AuthorityUser("regulator-1", AuthorityKind.MEDICINES_REGULATOR, None)

MANUFACTURER_BIN = "050140000011"
IMPORTER_BIN = "100340000020"
WHOLESALER_BIN = "150640000030"
PHARMACY_BIN = "981240000041"
HOSPITAL_BIN = "120840000052"


def staff(bin_: str, kind: OrganisationKind) -> access.OrganisationUser:
    return access.OrganisationUser(user_id=f"user-of-{bin_}", organisation_bin=Bin.parse(bin_), organisation_kind=kind)


MANUFACTURER = staff(MANUFACTURER_BIN, OrganisationKind.MANUFACTURER)
IMPORTER = staff(IMPORTER_BIN, OrganisationKind.IMPORTER)
PHARMACY = staff(PHARMACY_BIN, OrganisationKind.PHARMACY)


def new_gtin() -> str:
    """A random GTIN-14 with a valid check digit (GS1: weights 3, 1, 3 … from the right of the first 13)."""
    body = "0460" + "".join(secrets.choice("0123456789") for _ in range(9))
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def card(gtin: str | None = None, **overrides: object) -> ProductCard:
    gtin = gtin or new_gtin()
    values: dict[str, object] = {
        "gtin": gtin,
        "trade_name": "Парацетамол-Демо",
        "inn": "Paracetamol",
        "dosage_form": "tablets",
        "strength": "500 mg",
        "units_per_pack": 20,
        "holder_name": "ТОО «Демо Фарм Завод»",
        "registration_number": f"РК-ЛС-5№{gtin[-6:]}",
        "manufacturer_bin": MANUFACTURER_BIN,
        "importer_bin": None,
    }
    values.update(overrides)
    return ProductCard(**values)  # type: ignore[arg-type]


async def add_organisations(session: AsyncSession) -> None:
    """The demo organisations (the same rows `govgraph seed-demo` loads), whichever test needs them first."""
    await seed_demo(session)


@pytest.fixture
async def organisations(session: AsyncSession) -> None:
    await add_organisations(session)


@pytest.fixture
async def product(session: AsyncSession, organisations: None):
    return await register_product(REGULATOR, session, card=card(), now=NOW)
