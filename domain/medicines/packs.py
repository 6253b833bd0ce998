from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import ARRAY, BigInteger, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.codes import ContainerCode, PackCode, UnreadableCode, parse_logistic_code
from domain.medicines.errors import (
    AlreadyAggregated,
    BatchRecalled,
    ContainerNotFound,
    DuplicateCode,
    InvalidCode,
    InvalidQuantity,
    InvalidTransition,
    NotOwner,
    PackExpired,
    PackNotFound,
    ProductWithdrawn,
)
from domain.medicines.keys import CodeKeys
from domain.medicines.models import BatchStatus, BusinessStep, PackState, ProductStatus
from domain.shared.access import OrganisationKind
from domain.shared.db import driver
from domain.shared.errors import DomainError

# What every supply-chain operation shares: reading the codes a client scanned (packs, or boxes and pallets by
# SSCC), finding and locking the packs they name, and telling why a pack refuses an operation.

MAX_CODES_PER_OPERATION = 100_000
P = ParamSpec("P")
T = TypeVar("T")
# Who handles medicines: every kind of organisation but a kindergarten.
SUPPLY_CHAIN = (
    OrganisationKind.MANUFACTURER,
    OrganisationKind.IMPORTER,
    OrganisationKind.WHOLESALER,
    OrganisationKind.PHARMACY,
    OrganisationKind.HOSPITAL,
)


def codes_named(
    where: str, *, item: str | None = None, single: bool = False
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """A use case whose errors about the n-th code point at where its input holds it: `sales.3.code` for a sale,
    `code` for an operation on one pack (the rules here number them in a list called `codes`)."""

    def decorate(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(use_case)
        async def named(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await use_case(*args, **kwargs)
            except DomainError as error:
                if len(error.field) == 2 and error.field[0] in ("codes", where) and error.field[1].isdigit():
                    error.field = (where,) if single else (where, error.field[1], *((item,) if item else ()))
                raise

        return named

    return decorate


@dataclass(frozen=True, slots=True)
class ScannedCodes:
    """The codes of one operation, read: packs named one by one, and boxes or pallets by SSCC."""

    packs: tuple[tuple[int, PackCode], ...]  # (index in the request, code)
    containers: tuple[tuple[int, str], ...]  # (index in the request, SSCC)


def read_codes(codes: Sequence[str], keys: CodeKeys, *, field: str = "codes") -> ScannedCodes:
    """Every code read, each pack's AI 92 checked when it is printed; the first fault refuses them all."""
    if not 1 <= len(codes) <= MAX_CODES_PER_OPERATION:
        raise InvalidQuantity(len(codes), minimum=1, maximum=MAX_CODES_PER_OPERATION, field=(field,))
    packs: list[tuple[int, PackCode]] = []
    containers: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    for index, text_ in enumerate(codes):
        try:
            code = parse_logistic_code(text_)
        except UnreadableCode as error:
            raise InvalidCode(error.problem.value, error.message, index=index) from None
        if isinstance(code, ContainerCode):
            key = ("00", code.sscc)
            containers.append((index, code.sscc))
        else:
            # A code with a forged AI 92 names no pack of ours, whatever its GTIN and serial say.
            if code.verification_code is not None and not (
                code.key_id is not None and keys.verifies(code.key_id, code.gtin, code.serial, code.verification_code)
            ):
                raise InvalidCode(
                    "VERIFICATION_CODE_MISMATCH", "the verification code (92) does not match", index=index
                )
            key = (code.gtin, code.serial)
            packs.append((index, code))
        if key in seen:
            raise DuplicateCode(key[1], index=index, field=field)
        seen.add(key)
    return ScannedCodes(tuple(packs), tuple(containers))


@dataclass(frozen=True, slots=True)
class LockedPack:
    """A pack row locked for the operation, with what its rules need of its batch and product."""

    id: int
    gtin: str
    serial: str
    state: PackState
    owner_bin: str
    batch_id: int | None
    shipment_id: int | None
    container_sscc: str | None
    units_remaining: int | None
    expiry: date | None
    batch_number: str | None
    batch_status: BatchStatus | None
    product_status: ProductStatus
    units_per_pack: int
    inn: str
    watched: bool  # the substance has a shortage threshold somewhere
    index: int  # where the request named it (a pack inside a named box: the box's index)
    via: str | None = None  # the SSCC of the named box it was found in
    max_price_tiyn: int | None = None  # in force on the day asked for, when asked

    @property
    def name(self) -> str:
        return f"{self.gtin}/{self.serial}"

    @property
    def units_left(self) -> int:
        return self.units_per_pack if self.units_remaining is None else self.units_remaining

    def is_expired(self, today: date) -> bool:
        return self.expiry is not None and self.expiry < today


# `watched`: whether the regulator watches the product's substance for shortages anywhere, so that an operation
# that takes stock away checks the regions only then (most substances are not watched).
_PACK_COLUMNS = """p.id, p.gtin, p.serial, p.state, p.owner_bin, p.batch_id, p.shipment_id, p.container_sscc,
       p.units_remaining, b.expiry, b.number, b.status, pr.status, pr.units_per_pack, pr.inn,
       EXISTS (SELECT 1 FROM shortage_thresholds t WHERE t.inn = pr.inn AND t.minimum_units > 0)"""
# A sale also needs the maximum retail price in force: read in the same round trip. The first statement of
# every operation, so it goes through the driver (see `driver`).
_PRICE_ON_DAY = """(SELECT m.price_tiyn FROM max_retail_prices m
         WHERE m.gtin = p.gtin AND m.effective_from <= $4 ORDER BY m.effective_from DESC LIMIT 1)"""
_PACKS_BY_CODE_SQL = """SELECT {columns}, c.i, {price}
  FROM unnest($1::text[], $2::text[], $3::bigint[]) AS c(gtin, serial, i)
  JOIN packs p ON p.gtin = c.gtin AND p.serial = c.serial
  JOIN products pr ON pr.gtin = p.gtin
  LEFT JOIN batches b ON b.id = p.batch_id
 ORDER BY p.id
   FOR UPDATE OF p"""
_PACKS_BY_CODE_PRICED = _PACKS_BY_CODE_SQL.format(columns=_PACK_COLUMNS, price=_PRICE_ON_DAY)
_PACKS_BY_CODE = _PACKS_BY_CODE_SQL.format(columns=_PACK_COLUMNS, price="NULL")
# Boxes hold packs or boxes, pallets hold boxes: the whole tree under each named SSCC.
_CONTAINER_TREE = text(
    """WITH RECURSIVE tree(sscc, root, i) AS (
    SELECT c.sscc, c.sscc, n.i FROM unnest(:ssccs, :indexes) AS n(sscc, i)
      JOIN containers c ON c.sscc = n.sscc AND c.emptied_at IS NULL
    UNION ALL
    SELECT c.sscc, tree.root, tree.i FROM containers c JOIN tree ON c.parent_sscc = tree.sscc
     WHERE c.emptied_at IS NULL
)
SELECT sscc, root, i FROM tree"""
).bindparams(bindparam("ssccs", type_=ARRAY(String)), bindparam("indexes", type_=ARRAY(BigInteger)))
_PACKS_IN_CONTAINERS = text(
    f"""SELECT {_PACK_COLUMNS}
  FROM packs p
  JOIN products pr ON pr.gtin = p.gtin
  LEFT JOIN batches b ON b.id = p.batch_id
 WHERE p.container_sscc = ANY(:ssccs)
 ORDER BY p.id
   FOR UPDATE OF p"""
).bindparams(bindparam("ssccs", type_=ARRAY(String)))


@dataclass(frozen=True, slots=True)
class LockedGoods:
    """The packs an operation acts on, locked, and the boxes and pallets that were named or found inside."""

    packs: list[LockedPack]
    containers: dict[str, str]  # every SSCC in the named trees -> the named SSCC it is under
    container_owners: dict[str, str]  # named SSCC -> owner


async def lock_goods(session: AsyncSession, scanned: ScannedCodes, *, prices_on: date | None = None) -> LockedGoods:
    """The packs named, and those inside the boxes named, locked in id order so that operations never deadlock;
    with `prices_on`, each named pack's maximum retail price in force that day.

    An unknown pack is PackNotFound and an unknown box ContainerNotFound, before anything else is looked at.
    """
    packs: list[LockedPack] = []
    if scanned.packs:
        arrays = (
            [code.gtin for _, code in scanned.packs],
            [code.serial for _, code in scanned.packs],
            [index for index, _ in scanned.packs],
        )
        connection = await driver(session)
        if prices_on is None:
            rows = await connection.fetch(_PACKS_BY_CODE, *arrays)
        else:
            rows = await connection.fetch(_PACKS_BY_CODE_PRICED, *arrays, prices_on)
        packs = [_locked(row, index=row[16], max_price_tiyn=row[17]) for row in rows]
        if len(packs) != len(scanned.packs):
            found = {(pack.gtin, pack.serial) for pack in packs}
            index, code = next((i, c) for i, c in scanned.packs if (c.gtin, c.serial) not in found)
            raise PackNotFound(code.gtin, code.serial, field=("codes", str(index)))
    containers: dict[str, str] = {}
    owners: dict[str, str] = {}
    if scanned.containers:
        named = [sscc for _, sscc in scanned.containers]
        owner_rows = await session.execute(
            text(
                "SELECT sscc, owner_bin FROM containers WHERE sscc = ANY(:ssccs) AND emptied_at IS NULL FOR UPDATE"
            ).bindparams(bindparam("ssccs", type_=ARRAY(String))),
            {"ssccs": named},
        )
        owners = {str(sscc): str(owner) for sscc, owner in owner_rows}
        for index, sscc in scanned.containers:
            if sscc not in owners:
                raise ContainerNotFound(sscc, index=index)
        tree = await session.execute(
            _CONTAINER_TREE, {"ssccs": named, "indexes": [index for index, _ in scanned.containers]}
        )
        index_of: dict[str, tuple[int, str]] = {}
        for sscc, root, index in tree:
            containers[sscc] = root
            index_of[sscc] = (index, root)
        rows = await session.execute(_PACKS_IN_CONTAINERS, {"ssccs": list(containers)})
        inside = [_locked(row, index=index_of[row[7]][0], via=index_of[row[7]][1]) for row in rows]
        named_ids = {pack.id for pack in packs}
        for pack in inside:
            if pack.id in named_ids:
                raise DuplicateCode(pack.serial, index=pack.index, field="codes")
        packs = sorted([*packs, *inside], key=lambda pack: pack.id)
    return LockedGoods(packs, containers, owners)


def _locked(row: Any, *, index: int, via: str | None = None, max_price_tiyn: int | None = None) -> LockedPack:
    return LockedPack(
        id=row[0],
        gtin=row[1],
        serial=row[2],
        state=PackState(row[3]),
        owner_bin=row[4],
        batch_id=row[5],
        shipment_id=row[6],
        container_sscc=row[7],
        units_remaining=row[8],
        expiry=row[9],
        batch_number=row[10],
        batch_status=BatchStatus(row[11]) if row[11] is not None else None,
        product_status=ProductStatus(row[12]),
        units_per_pack=row[13],
        inn=row[14],
        watched=row[15],
        index=index,
        via=via,
        max_price_tiyn=max_price_tiyn,
    )


def watched_gtins(packs: Sequence[LockedPack]) -> set[str]:
    """The products of `packs` whose substance has a shortage threshold: what an operation must check after it."""
    return {pack.gtin for pack in packs if pack.watched}


def check_movable(
    pack: LockedPack,
    owner: str,
    operation: str,
    *,
    states: frozenset[PackState],
    today: date,
    allow_inside_box: bool = False,
    allow_unsellable: bool = False,
) -> None:
    """Raise why `owner` may not apply `operation` to `pack`; the first rule broken is the one reported.

    Medicines rules, "Pack states": after a product's withdrawal, a batch's recall or the expiry date, nothing but a
    write-off for destruction is accepted (`allow_unsellable`).
    """
    field = ("codes", str(pack.index))
    if pack.owner_bin != owner:
        raise NotOwner(pack.gtin, pack.serial, field=field)
    if pack.state not in states:
        raise InvalidTransition(pack.gtin, pack.serial, pack.state.value, operation, field=field)
    if pack.container_sscc is not None and pack.via is None and not allow_inside_box:
        raise AlreadyAggregated(pack.name, pack.container_sscc, index=pack.index)
    if allow_unsellable:
        return
    if pack.product_status is ProductStatus.WITHDRAWN:
        raise ProductWithdrawn(pack.gtin, pack.product_status.value, field=field)
    if pack.batch_status is BatchStatus.RECALLED:
        raise BatchRecalled(pack.gtin, pack.batch_number or "", field=field)
    if pack.is_expired(today):
        assert pack.expiry is not None
        raise PackExpired(pack.expiry, field=field)


# Written once per operation on the busiest paths (a sale a request): through the driver's own prepared statement,
# SQLAlchemy's per-statement work cost a sale more than PostgreSQL's.
_RECORD_EVENT = """WITH event AS (
    INSERT INTO pack_events (biz_step, disposition, occurred_at, organisation_bin, actor, corrects_id, details)
    VALUES ($1::business_step, $2, $3, $4, $5, $6, $7::jsonb)
    RETURNING id
), linked AS (
    INSERT INTO pack_event_packs (pack_id, event_id) SELECT unnest($8::bigint[]), (SELECT id FROM event)
)
SELECT id FROM event"""


async def record_event(
    session: AsyncSession,
    *,
    biz_step: BusinessStep,
    disposition: str,
    pack_ids: Sequence[int],
    organisation_bin: str,
    actor: str,
    now: datetime,
    details: dict[str, Any],
    corrects_id: int | None = None,
) -> int:
    """Write one immutable EPCIS-shaped event over `pack_ids` in one round trip; its id."""
    event_id = await (await driver(session)).fetchval(
        _RECORD_EVENT,
        biz_step.value,
        disposition,
        now,
        organisation_bin,
        actor,
        corrects_id,
        json.dumps(details),
        list(pack_ids),
    )
    return int(event_id)
