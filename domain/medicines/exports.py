from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import write_offs
from domain.medicines.commissioning import DECLARATION_NUMBER
from domain.medicines.errors import InvalidCustomsEntry
from domain.medicines.keys import CodeKeys
from domain.medicines.models import BusinessStep, PackState
from domain.medicines.packs import SUPPLY_CHAIN, check_movable, lock_goods, read_codes, record_event, watched_gtins
from domain.medicines.stock import check_shortages
from domain.shared.access import Principal, require_organisation
from domain.shared.calendar import local_date
from domain.shared.countries import is_country

_EXPORT = text(
    "UPDATE packs SET state = 'EXPORTED', state_changed_at = :now, container_sscc = NULL WHERE id = ANY(:ids)"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))


async def export_packs(
    principal: Principal,
    session: AsyncSession,
    *,
    codes: Sequence[str],
    country: str,
    declaration: str | None,
    keys: CodeKeys,
    now: datetime,
) -> int:
    """The owner sends packs abroad: they leave the national circulation (reversible by it within 10 days)."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    owner = str(staff.organisation_bin)
    if declaration is not None and not DECLARATION_NUMBER.fullmatch(declaration):
        raise InvalidCustomsEntry("a declaration number is 1 to 40 letters, digits, / or -", field="declaration")
    if not is_country(country) or country == "KZ":
        raise InvalidCustomsEntry("another country's ISO code, e.g. RU", field="country")
    scanned = read_codes(codes, keys)
    async with write_offs.alerting_turned_up(session, staff, now=now), session.begin():
        goods = await lock_goods(session, scanned)
        today = local_date(now)
        for pack in goods.packs:
            check_movable(pack, owner, "export", states=frozenset({PackState.ACTIVE}), today=today)
        ids = [pack.id for pack in goods.packs]
        await session.execute(_EXPORT, {"now": now, "ids": ids})
        await record_event(
            session,
            biz_step=BusinessStep.SHIPPING,
            disposition="in_transit",
            pack_ids=ids,
            organisation_bin=owner,
            actor=staff.user_id,
            now=now,
            details={"export": True, "sender": owner, "country": country, "customsDeclaration": declaration},
        )
    await check_shortages(session, owner_bins=[owner], gtins=watched_gtins(goods.packs), now=now)
    return len(goods.packs)
