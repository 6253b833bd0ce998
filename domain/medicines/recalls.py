from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.errors import InvalidTransition
from domain.medicines.models import Batch, BatchStatus, StockBalance
from domain.shared.access import AuthorityKind, Principal, require_authority
from domain.shared.errors import MissingValue, NotFound, TextTooLong

MAX_REASON_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Recall:
    """A recalled batch, and how much of it was in stock when it was recalled."""

    batch: Batch
    reason: str
    holders: int
    packs_in_stock: int


async def recall_batch(
    principal: Principal, session: AsyncSession, *, gtin: str, batch_number: str, reason: str, now: datetime
) -> Recall:
    """The regulator recalls a batch: every pack of it answers RECALLED and nothing but destruction is accepted."""
    official = require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    if not reason.strip():
        raise MissingValue("the reason for the recall", field=("reason",))
    if len(reason) > MAX_REASON_LENGTH:
        raise TextTooLong(len(reason), MAX_REASON_LENGTH, field=("reason",))
    async with session.begin():
        batch = await session.scalar(
            select(Batch).where(Batch.gtin == gtin, Batch.number == batch_number).with_for_update()
        )
        if batch is None:
            raise NotFound("batch", f"{gtin}/{batch_number}", field=("batch",))
        if batch.status is BatchStatus.RECALLED:
            raise InvalidTransition(gtin, batch_number, batch.status.value, "recall", field=("batch",))
        batch.status, batch.recalled_at = BatchStatus.RECALLED, now
        held = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(StockBalance.packs), 0)).where(
                    StockBalance.batch_id == batch.id, StockBalance.packs > 0
                )
            )
        ).one()
    del official  # who recalled is in the batch's history through recalled_at; the user is in the access log
    return Recall(batch, reason, int(held[0]), int(held[1]))
