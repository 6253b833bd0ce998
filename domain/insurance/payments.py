from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insurance.errors import (
    AmountMismatch,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    MonthAlreadyPaid,
    NameMismatch,
)
from domain.insurance.models import (
    ContributionMonth,
    ContributionPayment,
    MinimumWageRow,
    PaymentStatus,
    PaymentTransition,
    Person,
)
from domain.insurance.pricing import Price, price_months
from domain.insurance.rates import MinimumWage, PayerKind
from domain.shared.access import (
    AuthorityKind,
    AuthorityUser,
    BankClient,
    Citizen,
    Principal,
    require_bank,
    require_citizen,
)
from domain.shared.calendar import local_date
from domain.shared.errors import MissingValue, TextTooLong
from domain.shared.iin import Iin
from domain.shared.money import Money
from domain.shared.months import YearMonth

# A bank's client token carries these scopes: quoting and reading, and paying, which moves money.
READ_SCOPE = "contributions:read"
PAY_SCOPE = "contributions:pay"
# Insurance rules, "Paying": where the money goes, and the payment purpose code of contributions.
RECIPIENT = {"iban": "KZ92009MEDS368609103", "bin": "160440007161", "bic": "GCVPKZ2A"}
KNP = "122"
# How long a request waits for another one under the same idempotency key before it says so.
IDEMPOTENCY_WAIT = "3s"
_STANDING = (PaymentStatus.ACCEPTED, PaymentStatus.CREDITED)
_KEY = re.compile(r"[!-~]{1,100}")  # printable ASCII, as banks' UUIDs and references are


@dataclass(frozen=True, slots=True)
class Quote:
    """What a payer's months cost today, which of them are already covered, and where the money goes."""

    price: Price | None  # None when every month asked for is already covered
    covered: tuple[YearMonth, ...]
    purpose: str


async def minimum_wages(session: AsyncSession) -> list[MinimumWage]:
    """The minimum-wage table, oldest first."""
    rows = await session.scalars(select(MinimumWageRow).order_by(MinimumWageRow.effective_from))
    return [MinimumWage(row.effective_from, Money(row.amount_tiyn)) for row in rows]


async def standing_months(session: AsyncSession, iin: str) -> set[YearMonth]:
    """The months a person has paid or is paying (accepted or credited), under any payer kind."""
    rows = await session.scalars(
        select(ContributionMonth.month).where(ContributionMonth.payer_iin == iin, ContributionMonth.standing)
    )
    return {YearMonth.of(month) for month in rows}


async def quote_contributions(
    principal: Principal, session: AsyncSession, *, payer_iin: str, kind: PayerKind, months: Sequence[YearMonth],
    now: datetime,
) -> Quote:  # fmt: skip
    """A bank asks what a payer's months cost today; months already covered are listed apart, not priced."""
    require_bank(principal, READ_SCOPE)
    iin = Iin.parse(payer_iin, today=local_date(now), field=("payer_iin",))
    async with session.begin():
        table = await minimum_wages(session)
        taken = await standing_months(session, str(iin))
    covered = tuple(sorted(month for month in set(months) if month in taken))
    rest = [month for month in months if month not in taken]
    price = price_months(table, kind, rest, today=local_date(now), born=iin.birth_date) if rest else None
    return Quote(price, covered, purpose(kind, [line.month for line in price.lines] if price else []))


def purpose(kind: PayerKind, months: Sequence[YearMonth]) -> str:
    """The payment purpose text banks print: what is paid, by whom, for which months."""
    who = "independent payer" if kind is PayerKind.INDEPENDENT else "entrepreneur"
    return f"CSMI contributions ({who}) for {', '.join(str(m) for m in sorted(months))}"[:500]


@dataclass(frozen=True, slots=True)
class Payment:
    """A contribution payment as stored, with the months it covers."""

    row: ContributionPayment
    months: tuple[YearMonth, ...]
    replayed: bool  # the same request seen again under its idempotency key: nothing new was written


async def pay_contributions(
    principal: Principal,
    session: AsyncSession,
    *,
    idempotency_key: str,
    payer_iin: str,
    payer_name: str,
    kind: PayerKind,
    months: Sequence[YearMonth],
    amount: Money,
    bank_reference: str,
    now: datetime,
) -> Payment:
    """A bank pays a payer's months. The same key and request give back the same payment, a retry after a timeout
    never pays twice, and two payments for one month never both stand (the database's unique index decides)."""
    bank = require_bank(principal, PAY_SCOPE)
    if not _KEY.fullmatch(idempotency_key):
        raise MissingValue("an idempotency key of 1 to 100 printable characters", field=("idempotency_key",))
    if not bank_reference.strip() or len(bank_reference) > 100:
        raise MissingValue("the bank's own reference, up to 100 characters", field=("bank_reference",))
    if len(payer_name) > 300:
        raise TextTooLong(len(payer_name), 300, field=("payer_name",))
    today = local_date(now)
    iin = Iin.parse(payer_iin, today=today, field=("payer_iin",))
    digest = _digest(str(iin), payer_name, kind, months, amount, bank_reference)
    bank_bin = str(bank.bank_bin)
    async with session.begin():
        await session.execute(text(f"SET LOCAL lock_timeout = '{IDEMPOTENCY_WAIT}'"))
        earlier = await _by_key(session, bank_bin, idempotency_key)
        if earlier is not None:
            return _replay(earlier, digest, idempotency_key)
        person = await session.get(Person, str(iin))
        if person is None or _name(person.full_name) != _name(payer_name):
            raise NameMismatch()
        price = price_months(
            await minimum_wages(session), kind, months, today=today, born=iin.birth_date,
            taken=await standing_months(session, str(iin)),
        )  # fmt: skip
        if amount != price.total:
            raise AmountMismatch(amount, price.total)
        payment_id = await _insert(session, bank_bin, bank.client_id, idempotency_key, digest, iin, payer_name, kind,
                                   price, bank_reference, now)  # fmt: skip
        if payment_id is None:  # the same key committed meanwhile by a concurrent request
            earlier = await _by_key(session, bank_bin, idempotency_key)
            assert earlier is not None
            return _replay(earlier, digest, idempotency_key)
        await _insert_months(session, payment_id, str(iin), price, months)
        session.add(PaymentTransition(payment_id=payment_id, status=PaymentStatus.ACCEPTED, at=now, by=bank.client_id))
        row = await session.get(ContributionPayment, payment_id)
        assert row is not None
    return Payment(row, tuple(line.month for line in price.lines), replayed=False)


async def _by_key(session: AsyncSession, bank_bin: str, key: str) -> tuple[ContributionPayment, list[date]] | None:
    row = await session.scalar(
        select(ContributionPayment).where(
            ContributionPayment.bank_bin == bank_bin, ContributionPayment.idempotency_key == key
        )
    )
    if row is None:
        return None
    months = list(await session.scalars(select(ContributionMonth.month).where(ContributionMonth.payment_id == row.id)))
    return row, months


def _replay(earlier: tuple[ContributionPayment, list[date]], digest: str, key: str) -> Payment:
    row, months = earlier
    if row.request_digest != digest:
        raise IdempotencyKeyReused(key)
    return Payment(row, tuple(sorted(YearMonth.of(month) for month in months)), replayed=True)


_INSERT_PAYMENT = text(
    """INSERT INTO contribution_payments (bank_bin, client_id, idempotency_key, request_digest, payer_iin, payer_name,
       payer_kind, amount_tiyn, knp, purpose, bank_reference, status, accepted_at, business_day, status_changed_at)
VALUES (:bank_bin, :client_id, :key, :digest, :iin, :name, CAST(:kind AS payer_kind), :amount, :knp, :purpose,
        :reference, 'ACCEPTED', :now, :day, :now)
ON CONFLICT (bank_bin, idempotency_key) DO NOTHING
RETURNING id"""
)


async def _insert(
    session: AsyncSession, bank_bin: str, client_id: str, key: str, digest: str, iin: Iin, name: str,
    kind: PayerKind, price: Price, reference: str, now: datetime,
) -> int | None:  # fmt: skip
    try:
        payment_id = await session.scalar(
            _INSERT_PAYMENT,
            {
                "bank_bin": bank_bin, "client_id": client_id, "key": key, "digest": digest, "iin": str(iin),
                "name": name, "kind": kind.value, "amount": price.total.tiyn, "knp": KNP,
                "purpose": purpose(kind, [line.month for line in price.lines]), "reference": reference, "now": now,
                "day": local_date(now),
            },
        )  # fmt: skip
    except DBAPIError as error:
        # SQLAlchemy wraps the driver's error in its own, which keeps the SQLSTATE: 55P03 is lock_not_available.
        if getattr(error.orig, "sqlstate", None) == asyncpg.LockNotAvailableError.sqlstate:
            raise IdempotencyInProgress(key) from None
        raise
    return int(payment_id) if payment_id is not None else None


async def _insert_months(
    session: AsyncSession, payment_id: int, iin: str, price: Price, asked: Sequence[YearMonth]
) -> None:
    rows = [
        {"payment_id": payment_id, "month": line.month.first_day, "payer_iin": iin, "amount_tiyn": line.amount.tiyn,
         "minimum_wage_tiyn": line.minimum_wage.tiyn, "standing": True}
        for line in price.lines
    ]  # fmt: skip
    try:
        await session.execute(insert(ContributionMonth), rows)
    except IntegrityError as error:
        # Another payment for one of these months committed while this one was being made.
        found = re.search(r"\d{4}-\d{2}-\d{2}", str(error.orig))
        month = YearMonth.of(date.fromisoformat(found[0])) if found else price.lines[0].month
        raise MonthAlreadyPaid(month, index=list(asked).index(month) if month in asked else 0) from None


def _name(value: str) -> str:
    # The registry writes names in capitals or not, with Ё or Е, with one space or two: none of that is a mismatch.
    return " ".join(value.casefold().replace("ё", "е").split())


def _digest(iin: str, name: str, kind: PayerKind, months: Sequence[YearMonth], amount: Money, reference: str) -> str:
    canonical = json.dumps(
        [iin, _name(name), kind.value, sorted(str(m) for m in months), amount.tiyn, reference], ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def payments_page(
    principal: Principal, session: AsyncSession, *, before_id: int | None, size: int
) -> tuple[list[Payment], bool]:
    """A bank's own payments, newest first; and whether more follow."""
    bank = require_bank(principal, READ_SCOPE)
    query = (
        select(ContributionPayment)
        .where(ContributionPayment.bank_bin == str(bank.bank_bin))
        .order_by(ContributionPayment.id.desc())
        .limit(size + 1)
    )
    if before_id is not None:
        query = query.where(ContributionPayment.id < before_id)
    async with session.begin():
        rows = list(await session.scalars(query))
        found = await with_months(session, rows[:size])
    return found, len(rows) > size


async def payments_of_citizen(principal: Principal, session: AsyncSession) -> list[Payment]:
    """The payments made for the citizen who asks, newest first."""
    citizen = require_citizen(principal)
    async with session.begin():
        rows = list(
            await session.scalars(
                select(ContributionPayment)
                .where(ContributionPayment.payer_iin == str(citizen.iin))
                .order_by(ContributionPayment.id.desc())
                .limit(500)
            )
        )
        return await with_months(session, rows)


async def payments_by_id(principal: Principal, session: AsyncSession, ids: Sequence[int]) -> list[Payment | None]:
    """One answer per id, in order: the payment for the bank that made it, its payer or the fund's operator; to
    anyone else it reads as absent."""
    async with session.begin():
        rows = await session.scalars(select(ContributionPayment).where(ContributionPayment.id.in_(ids)))
        found = {p.row.id: p for p in await with_months(session, [r for r in rows if _may_read(principal, r)])}
    return [found.get(payment_id) for payment_id in ids]


def _may_read(principal: Principal, row: ContributionPayment) -> bool:
    if isinstance(principal, AuthorityUser) and principal.authority is AuthorityKind.INSURANCE_FUND:
        return True
    if isinstance(principal, BankClient) and READ_SCOPE in principal.scopes:
        return str(principal.bank_bin) == row.bank_bin
    return isinstance(principal, Citizen) and str(principal.iin) == row.payer_iin


async def with_months(session: AsyncSession, rows: Sequence[ContributionPayment]) -> list[Payment]:
    """The payments with the months each covers, in one read."""
    months: dict[int, list[YearMonth]] = {row.id: [] for row in rows}
    if rows:
        for payment_id, month in await session.execute(
            select(ContributionMonth.payment_id, ContributionMonth.month).where(
                ContributionMonth.payment_id.in_(list(months))
            )
        ):
            months[payment_id].append(YearMonth.of(month))
    return [Payment(row, tuple(sorted(months[row.id])), replayed=False) for row in rows]
