from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, String, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import write_offs
from domain.medicines.codes import ContainerCode, UnreadableCode, parse_logistic_code
from domain.medicines.errors import AlreadyAggregated, ContainerNotFound, InvalidCode, InvalidTransition
from domain.medicines.keys import CodeKeys
from domain.medicines.models import BusinessStep, Container, PackState
from domain.medicines.packs import SUPPLY_CHAIN, check_movable, lock_goods, read_codes, record_event
from domain.shared.access import Principal, require_organisation
from domain.shared.calendar import local_date

_PACKABLE = frozenset({PackState.ACTIVE})
_INTO_BOX = text("UPDATE packs SET container_sscc = :sscc WHERE id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(BigInteger))
)
_BOXES_INTO = text("UPDATE containers SET parent_sscc = :sscc WHERE sscc = ANY(:children)").bindparams(
    bindparam("children", type_=ARRAY(String))
)


def read_sscc(text_: str) -> str:
    """The SSCC (AI 00) of a box or pallet, in any form a client sends."""
    try:
        code = parse_logistic_code(text_)
    except UnreadableCode as error:
        raise InvalidCode(error.problem.value, error.message, field="container") from None
    if not isinstance(code, ContainerCode):
        raise InvalidCode("NOT_A_CONTAINER", "expected an SSCC (00) of a box or pallet", field="container")
    return code.sscc


async def aggregate(
    principal: Principal,
    session: AsyncSession,
    *,
    container: str,
    codes: Sequence[str],
    keys: CodeKeys,
    now: datetime,
) -> Container:
    """The owner packs packs, or boxes, into a box or pallet under a new SSCC; from then on it moves as one."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    owner = str(staff.organisation_bin)
    sscc = read_sscc(container)
    scanned = read_codes(codes, keys)
    async with write_offs.alerting_turned_up(session, staff, now=now), session.begin():
        if await session.get(Container, sscc) is not None:
            raise InvalidTransition("container", sscc, "USED", "aggregate", field=("container",))
        goods = await lock_goods(session, scanned)
        today = local_date(now)
        children = list(goods.container_owners)
        for child in children:
            if goods.container_owners[child] != owner:
                raise ContainerNotFound(child)
        parents = await session.execute(
            select(Container.sscc, Container.parent_sscc).where(Container.sscc.in_(children))
        )
        for child, parent in parents:
            if parent is not None:
                index = next(i for i, s in scanned.containers if s == child)
                raise AlreadyAggregated(child, parent, index=index)
        loose = [pack for pack in goods.packs if pack.via is None]
        for pack in goods.packs:
            check_movable(pack, owner, "aggregate", states=_PACKABLE, today=today)
        # Two aggregations under one new SSCC at once: the second finds it taken, not a key violation.
        box: Container | None = await session.scalar(
            insert(Container).values(sscc=sscc, owner_bin=owner, packed_at=now).on_conflict_do_nothing()
            .returning(Container)
        )  # fmt: skip
        if box is None:
            raise InvalidTransition("container", sscc, "USED", "aggregate", field=("container",))
        if loose:
            await session.execute(_INTO_BOX, {"sscc": sscc, "ids": [pack.id for pack in loose]})
        if children:
            await session.execute(_BOXES_INTO, {"sscc": sscc, "children": children})
        await record_event(
            session,
            biz_step=BusinessStep.PACKING,
            disposition="in_progress",
            pack_ids=[pack.id for pack in goods.packs],
            organisation_bin=owner,
            actor=staff.user_id,
            now=now,
            details={"parent": sscc, "childContainers": sorted(children)},
        )
    return box


async def disaggregate(principal: Principal, session: AsyncSession, *, container: str, now: datetime) -> int:
    """The owner opens a box or pallet: what was in it is loose again (boxes in a pallet stay whole); how many
    packs were inside."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    owner = str(staff.organisation_bin)
    sscc = read_sscc(container)
    async with session.begin():
        box = await session.scalar(select(Container).where(Container.sscc == sscc).with_for_update())
        if box is None or box.owner_bin != owner or box.emptied_at is not None:
            raise ContainerNotFound(sscc)
        if box.parent_sscc is not None:
            raise AlreadyAggregated(sscc, box.parent_sscc, index=0)
        released = list(
            await session.scalars(
                text(
                    "UPDATE packs SET container_sscc = NULL WHERE container_sscc = :sscc AND state = 'ACTIVE' "
                    "RETURNING id"
                ),
                {"sscc": sscc},
            )
        )
        await session.execute(
            text("UPDATE containers SET parent_sscc = NULL WHERE parent_sscc = :sscc"), {"sscc": sscc}
        )
        box.emptied_at = now
        await record_event(
            session,
            biz_step=BusinessStep.UNPACKING,
            disposition="in_progress",
            pack_ids=released,
            organisation_bin=owner,
            actor=staff.user_id,
            now=now,
            details={"parent": sscc},
        )
    return len(released)
