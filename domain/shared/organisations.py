from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Enum, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from domain.shared.access import OrganisationKind
from domain.shared.db import Base
from domain.shared.regions import Region


class Organisation(Base):
    """A legal entity that acts in a service: a manufacturer, a pharmacy, a kindergarten."""

    __tablename__ = "organisations"

    bin: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[OrganisationKind] = mapped_column(Enum(OrganisationKind, name="organisation_kind"))
    region: Mapped[Region] = mapped_column(Enum(Region, name="region", values_callable=lambda r: [m.value for m in r]))


async def organisations_by_bin(session: AsyncSession, bins: Sequence[str]) -> list[Organisation | None]:
    """One answer per BIN asked for, in the same order; None where the BIN is unknown."""
    rows = await session.scalars(select(Organisation).where(Organisation.bin.in_(bins)))
    found = {organisation.bin: organisation for organisation in rows}
    return [found.get(bin_) for bin_ in bins]
