from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.codes import PackCode, UnreadableCode, parse_pack_code
from domain.medicines.digital_link import format_link
from domain.medicines.errors import InvalidCode, PackNotFound
from domain.medicines.models import Pack, PackEvent, pack_event_packs
from domain.shared.access import Anonymous, AuthorityKind, AuthorityUser, OrganisationUser, Principal
from domain.shared.errors import Unauthenticated

# The details keys that name the organisations a pack passes between (shipping, receiving, void_shipping).
_PARTIES = ("sender", "receiver")
# Which argument a failed application identifier belongs to, when the pack is named by GTIN and serial apart.
_ARGUMENT_OF_AI = {"01": "gtin", "21": "serial"}


async def pack_history(principal: Principal, session: AsyncSession, *, gtin: str, serial: str) -> list[PackEvent]:
    """The events of a pack, oldest first, for the regulator and for the organisations the pack has passed through."""
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    code = named_pack(gtin, serial)
    rows = (
        await session.execute(
            select(Pack, PackEvent)
            .outerjoin(pack_event_packs, pack_event_packs.c.pack_id == Pack.id)
            .outerjoin(PackEvent, PackEvent.id == pack_event_packs.c.event_id)
            .where(Pack.gtin == code.gtin, Pack.serial == code.serial)
            .order_by(PackEvent.occurred_at, PackEvent.id)
        )
    ).all()
    if not rows:
        raise PackNotFound(code.gtin, code.serial, field=())
    pack = rows[0][0]
    events = [event for _, event in rows if event is not None]
    if not can_see(principal, pack, events):
        raise PackNotFound(code.gtin, code.serial, field=())  # another's pack reads as absent
    return events


async def pack_history_by_code(principal: Principal, session: AsyncSession, *, code: str) -> list[PackEvent]:
    """pack_history for a pack named by a code in any form a client sends; InvalidCode when it cannot be read."""
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    try:
        pack = parse_pack_code(code)
    except UnreadableCode as unreadable:
        raise InvalidCode(unreadable.problem.value, unreadable.message, field="code") from None
    return await pack_history(principal, session, gtin=pack.gtin, serial=pack.serial)


def named_pack(gtin: str, serial: str) -> PackCode:
    """The pack a GTIN and a serial name, held to GS1's rules as in a Digital Link (a short GTIN is padded)."""
    try:
        return parse_pack_code(format_link("https://id.gs1.org", [("01", gtin), ("21", serial)], []))
    except UnreadableCode as unreadable:
        field = _ARGUMENT_OF_AI.get(unreadable.ai or "", "gtin")
        raise InvalidCode(unreadable.problem.value, unreadable.message, field=field) from None


def can_see(principal: Principal, pack: Pack, events: Sequence[PackEvent]) -> bool:
    """The regulator sees every pack; an organisation, a pack it holds or has held, sent or been sent."""
    if isinstance(principal, AuthorityUser):
        return principal.authority is AuthorityKind.MEDICINES_REGULATOR
    if not isinstance(principal, OrganisationUser):
        return False
    organisation = str(principal.organisation_bin)
    return pack.owner_bin == organisation or any(_involves(event, organisation) for event in events)


def _involves(event: PackEvent, organisation: str) -> bool:
    if event.organisation_bin == organisation:
        return True
    details = event.details if isinstance(event.details, dict) else {}  # whatever a writer left there
    return any(details.get(key) == organisation for key in _PARTIES)
