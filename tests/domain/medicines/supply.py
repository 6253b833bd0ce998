from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import commissioning, issuing, registry, shipping
from domain.medicines.commissioning import BatchDetails
from domain.medicines.keys import CodeKeys
from domain.shared.access import OrganisationKind, OrganisationUser
from tests.domain.medicines.conftest import (
    HOSPITAL_BIN,
    MANUFACTURER,
    NOW,
    PHARMACY_BIN,
    REGULATOR,
    WHOLESALER_BIN,
    card,
    staff,
)

# Packs made and moved through the real use cases, for the supply-chain tests.

KEYS = CodeKeys("0001", {"0001": secrets.token_bytes(32)})
BATCH = BatchDetails(number="S2026-11", expiry=date(2028, 10, 31), produced_on=date(2026, 11, 1))
WHOLESALER = staff(WHOLESALER_BIN, OrganisationKind.WHOLESALER)
PHARMACY = staff(PHARMACY_BIN, OrganisationKind.PHARMACY)
HOSPITAL = staff(HOSPITAL_BIN, OrganisationKind.HOSPITAL)
KINDERGARTEN_BIN = "200140000064"


def new_sscc() -> str:
    body = "0460" + "".join(secrets.choice("0123456789") for _ in range(13))
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


async def make_packs(
    session: AsyncSession,
    count: int,
    *,
    batch: BatchDetails = BATCH,
    units_per_pack: int = 20,
    inn: str = "Paracetamol",
) -> tuple[str, list[str]]:
    """A new product and `count` of its packs commissioned at the manufacturer: (GTIN, the codes as printed)."""
    product = await registry.register_product(
        REGULATOR, session, card=card(units_per_pack=units_per_pack, inn=inn), now=NOW
    )
    _, codes = await issuing.order_pack_codes(MANUFACTURER, session, gtin=product.gtin, count=count, keys=KEYS, now=NOW)
    await commissioning.commission_packs(
        MANUFACTURER, session, gtin=product.gtin, serials=[c.serial for c in codes], batch=batch, now=NOW
    )
    return product.gtin, [code.element_string() for code in codes]


async def deliver(
    session: AsyncSession, codes: list[str], sender: OrganisationUser, receiver: OrganisationUser
) -> None:
    shipment = await shipping.ship_packs(
        sender, session, receiver_bin=str(receiver.organisation_bin), codes=codes, document=None, keys=KEYS, now=NOW
    )
    await shipping.receive_shipment(receiver, session, shipment_id=shipment.id, codes=None, keys=KEYS, now=NOW)


async def balances(session: AsyncSession, gtin: str) -> dict[str, tuple[int, int]]:
    """owner -> (packs, units) of a product, as the maintained counters say."""
    rows = await read(
        session,
        text("SELECT owner_bin, sum(packs), sum(units) FROM stock_balances WHERE gtin = :gtin GROUP BY owner_bin"),
        {"gtin": gtin},
    )
    return {owner: (int(packs), int(units)) for owner, packs, units in rows if packs or units}


async def recount(session: AsyncSession, gtin: str) -> dict[str, tuple[int, int]]:
    """owner -> (packs, units) of a product, counted from the packs themselves."""
    rows = await read(
        session,
        text(
            """SELECT p.owner_bin, count(*), sum(coalesce(p.units_remaining, pr.units_per_pack))
                 FROM packs p JOIN products pr ON pr.gtin = p.gtin
                WHERE p.gtin = :gtin AND p.state IN ('ACTIVE', 'PARTIALLY_DISPENSED') GROUP BY p.owner_bin"""
        ),
        {"gtin": gtin},
    )
    return {owner: (int(packs), int(units)) for owner, packs, units in rows}


async def read(session: AsyncSession, statement: Any, values: dict[str, Any] | None = None) -> list[Any]:
    """Rows of a read between use cases, in a transaction of its own (each use case begins its own)."""
    async with session.begin():
        return list(await session.execute(statement, values or {}))
