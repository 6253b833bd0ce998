from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.alerts import raise_operation_alert
from domain.medicines.errors import InvalidQuantity
from domain.medicines.models import AlertKind, BatchStatus, ShortageThreshold
from domain.shared.access import (
    Anonymous,
    AuthorityKind,
    AuthorityUser,
    OrganisationUser,
    Principal,
    require_authority,
)
from domain.shared.calendar import local_date
from domain.shared.errors import Forbidden, TextTooLong, Unauthenticated
from domain.shared.regions import Region

# Balances are rows of stock_balances, which PostgreSQL keeps equal to the packs (migration 0004): nothing here
# counts packs or replays history.

MAX_EXPIRY_HORIZON_DAYS = 3660
MAX_INN_LENGTH = 300  # as products.inn


@dataclass(frozen=True, slots=True)
class BalanceLine:
    """What an organisation holds of one batch of one product."""

    owner_bin: str
    gtin: str
    trade_name: str
    inn: str
    batch: str
    expiry: date
    batch_status: BatchStatus
    packs: int
    units: int


_BALANCES = """SELECT s.owner_bin, s.gtin, pr.trade_name, pr.inn, b.number, b.expiry, b.status, s.packs, s.units
  FROM stock_balances s
  JOIN products pr ON pr.gtin = s.gtin
  JOIN batches b ON b.id = s.batch_id
 WHERE s.owner_bin = :owner AND (s.packs > 0 OR s.units > 0) {filters}
 ORDER BY s.gtin, b.expiry, b.number
 LIMIT :limit OFFSET :offset"""


def _owner_for(principal: Principal, owner_bin: str | None) -> str:
    """Whose stock the caller may read: its own organisation's, or any one's for the regulator."""
    if isinstance(principal, OrganisationUser):
        if owner_bin is not None and owner_bin != str(principal.organisation_bin):
            raise Forbidden("read another organisation's stock")
        return str(principal.organisation_bin)
    if isinstance(principal, AuthorityUser) and principal.authority is AuthorityKind.MEDICINES_REGULATOR:
        if owner_bin is None:
            raise Forbidden("read stock without naming the organisation")
        return owner_bin
    if isinstance(principal, Anonymous):
        raise Unauthenticated()
    raise Forbidden("read stock")


async def stock_balance(
    principal: Principal,
    session: AsyncSession,
    *,
    owner_bin: str | None = None,
    gtin: str | None = None,
    expiring_within_days: int | None = None,
    recalled_only: bool = False,
    now: datetime,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[BalanceLine], bool]:
    """An organisation's stock by product and batch (what expires within N days, or only recalled batches); and
    whether more lines follow."""
    owner = _owner_for(principal, owner_bin)
    filters, values = [], {"owner": owner, "limit": limit + 1, "offset": offset}
    if gtin is not None:
        filters.append("AND s.gtin = :gtin")
        values["gtin"] = gtin
    if expiring_within_days is not None:
        if not 0 <= expiring_within_days <= MAX_EXPIRY_HORIZON_DAYS:
            raise InvalidQuantity(
                expiring_within_days, minimum=0, maximum=MAX_EXPIRY_HORIZON_DAYS, field=("expiring_within_days",)
            )
        filters.append("AND b.expiry <= :horizon")
        values["horizon"] = local_date(now) + timedelta(days=expiring_within_days)
    if recalled_only:
        filters.append("AND b.status = 'RECALLED'")
    rows = list(await session.execute(text(_BALANCES.format(filters=" ".join(filters))), values))
    lines = [
        BalanceLine(row[0], row[1], row[2], row[3], row[4], row[5], BatchStatus(row[6]), row[7], row[8])
        for row in rows[:limit]
    ]
    return lines, len(rows) > limit


@dataclass(frozen=True, slots=True)
class RegionalStock:
    """How much of one active substance the organisations of one region hold."""

    region: str
    inn: str
    packs: int
    units: int
    minimum_units: int | None  # the regulator's shortage threshold, if one is set


_REGIONAL = """SELECT o.region, pr.inn, sum(s.packs)::bigint, sum(s.units)::bigint, t.minimum_units
  FROM stock_balances s
  JOIN organisations o ON o.bin = s.owner_bin
  JOIN products pr ON pr.gtin = s.gtin
  LEFT JOIN shortage_thresholds t ON t.region = o.region::text AND t.inn = pr.inn
 WHERE true {filters}
 GROUP BY o.region, pr.inn, t.minimum_units
 ORDER BY o.region, pr.inn"""


async def regional_stock(
    principal: Principal, session: AsyncSession, *, region: Region | None = None, inn: str | None = None
) -> list[RegionalStock]:
    """The regulator's view: stock by region and active substance, with the shortage thresholds."""
    require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    filters, values = [], {}
    if region is not None:
        filters.append("AND o.region = CAST(:region AS region)")
        values["region"] = region.value
    if inn is not None:
        filters.append("AND pr.inn = :inn")
        values["inn"] = inn
    rows = await session.execute(text(_REGIONAL.format(filters=" ".join(filters))), values)
    return [RegionalStock(str(r[0]), r[1], int(r[2]), int(r[3]), r[4]) for r in rows]


async def set_shortage_threshold(
    principal: Principal, session: AsyncSession, *, region: Region, inn: str, minimum_units: int, now: datetime
) -> ShortageThreshold:
    """The regulator sets the floor of a substance's stock in a region (0 removes the watch)."""
    official = require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    if not 0 <= minimum_units <= 10**12:
        raise InvalidQuantity(minimum_units, minimum=0, maximum=10**12, field=("minimum_units",))
    if not inn.strip() or len(inn) > MAX_INN_LENGTH:
        raise TextTooLong(len(inn), MAX_INN_LENGTH, field=("inn",))
    async with session.begin():
        # One statement, so that two officials setting the same floor at once cannot both insert it.
        values = {"region": region.value, "inn": inn, "minimum_units": minimum_units, "set_at": now,
                  "set_by": official.user_id}  # fmt: skip
        statement = insert(ShortageThreshold).values(**values)
        threshold = await session.scalar(
            statement.on_conflict_do_update(
                index_elements=["region", "inn"],
                set_={key: statement.excluded[key] for key in ("minimum_units", "set_at", "set_by")},
            )
            .returning(ShortageThreshold)
            .execution_options(populate_existing=True)
        )
        assert threshold is not None
        await _alert_shortages(session, [(region.value, inn)], now)
    return threshold


# The watched (region, substance) pairs that an operation's organisations and products touch, with their stock.
_SHORTAGES_AFTER = text(
    """WITH affected AS (
    SELECT DISTINCT o.region::text AS region, pr.inn FROM organisations o, products pr
     WHERE o.bin = ANY(:bins) AND pr.gtin = ANY(:gtins)
)
SELECT t.region, t.inn, t.minimum_units,
       coalesce((SELECT sum(s.units) FROM stock_balances s
                   JOIN organisations o ON o.bin = s.owner_bin
                   JOIN products pr ON pr.gtin = s.gtin
                  WHERE o.region::text = t.region AND pr.inn = t.inn), 0)::bigint
  FROM shortage_thresholds t JOIN affected a ON a.region = t.region AND a.inn = t.inn
 WHERE t.minimum_units > 0"""
).bindparams(bindparam("bins", type_=ARRAY(String)), bindparam("gtins", type_=ARRAY(String)))
_UNDER_THRESHOLD = text(
    """SELECT t.region, t.inn, t.minimum_units, coalesce(sum(s.units), 0)::bigint
  FROM shortage_thresholds t
  LEFT JOIN organisations o ON o.region::text = t.region
  LEFT JOIN stock_balances s ON s.owner_bin = o.bin
       AND s.gtin IN (SELECT gtin FROM products WHERE inn = t.inn)
 WHERE (t.region, t.inn) IN (SELECT * FROM unnest(:regions, :inns))
   AND t.minimum_units > 0
 GROUP BY t.region, t.inn, t.minimum_units
HAVING coalesce(sum(s.units), 0) < t.minimum_units"""
).bindparams(bindparam("regions", type_=ARRAY(String)), bindparam("inns", type_=ARRAY(String)))


async def check_shortages(
    session: AsyncSession, *, owner_bins: Iterable[str], gtins: Iterable[str], now: datetime
) -> None:
    """After stock of `gtins` left some organisations: open a shortage alert where their region fell under a
    threshold (nothing to do when no product is watched).

    Called once the operation has committed, in a transaction of its own: the operation's locks (the hot balance
    row of a busy pharmacy above all) are not held while the region is summed, and the sale never waits for it.
    """
    gtins = list(gtins)
    if not gtins:
        return
    async with session.begin():
        rows = await session.execute(_SHORTAGES_AFTER, {"bins": list(owner_bins), "gtins": gtins})
        await _open_shortage_alerts(session, [tuple(row) for row in rows], now)


async def _alert_shortages(session: AsyncSession, affected: Sequence[tuple[str, str]], now: datetime) -> None:
    if not affected:
        return
    rows = await session.execute(
        _UNDER_THRESHOLD, {"regions": [region for region, _ in affected], "inns": [inn for _, inn in affected]}
    )
    await _open_shortage_alerts(session, [tuple(row) for row in rows], now)


async def _open_shortage_alerts(session: AsyncSession, rows: Sequence[tuple[Any, ...]], now: datetime) -> None:
    """An alert for each (region, substance, threshold, units in stock) under its threshold."""
    for region, inn, minimum, units in rows:
        if units < minimum:
            await raise_operation_alert(
                session,
                AlertKind.SHORTAGE,
                now=now,
                region=region,
                inn=inn,
                details={"units": int(units), "minimumUnits": int(minimum)},
            )
