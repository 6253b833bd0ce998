"""shared: organisations, working calendar, outbox, development clock

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REGIONS = (
    "KZ-10",
    "KZ-11",
    "KZ-15",
    "KZ-19",
    "KZ-23",
    "KZ-27",
    "KZ-31",
    "KZ-33",
    "KZ-35",
    "KZ-39",
    "KZ-43",
    "KZ-47",
    "KZ-55",
    "KZ-59",
    "KZ-61",
    "KZ-62",
    "KZ-63",
    "KZ-71",
    "KZ-75",
    "KZ-79",
)
region = postgresql.ENUM(*REGIONS, name="region", create_type=False)
organisation_kind = postgresql.ENUM(
    "MANUFACTURER",
    "IMPORTER",
    "WHOLESALER",
    "PHARMACY",
    "HOSPITAL",
    "KINDERGARTEN",
    name="organisation_kind",
    create_type=False,
)
calendar_day_kind = postgresql.ENUM("HOLIDAY", "DAY_OFF", "WORKING_DAY", name="calendar_day_kind", create_type=False)

# Kazakhstan's national working calendar for 2026 and 2027, from the `holidays` package (0.109) at the time of
# writing: public holidays and the days off that replace holidays falling on a weekend. Eid al-Adha is the
# package's estimate until the Muftiate announces the date; the government's transferred days are added by
# later migrations as the decrees are published (an operator can add a region's own days at any time).
NATIONAL_DAYS = [
    ("2026-01-01", "HOLIDAY", "New Year's Day"),
    ("2026-01-02", "HOLIDAY", "New Year's Day"),
    ("2026-01-07", "HOLIDAY", "Orthodox Christmas"),
    ("2026-03-08", "HOLIDAY", "International Women's Day"),
    ("2026-03-09", "DAY_OFF", "International Women's Day (observed)"),
    ("2026-03-21", "HOLIDAY", "Nowruz Holiday"),
    ("2026-03-22", "HOLIDAY", "Nowruz Holiday"),
    ("2026-03-23", "HOLIDAY", "Nowruz Holiday"),
    ("2026-03-24", "DAY_OFF", "Nowruz Holiday (observed)"),
    ("2026-03-25", "DAY_OFF", "Nowruz Holiday (observed)"),
    ("2026-05-01", "HOLIDAY", "Kazakhstan's People Solidarity Holiday"),
    ("2026-05-07", "HOLIDAY", "Defender of the Fatherland Day"),
    ("2026-05-09", "HOLIDAY", "Victory Day"),
    ("2026-05-11", "DAY_OFF", "Victory Day (observed)"),
    ("2026-05-27", "HOLIDAY", "Eid al-Adha (estimated)"),
    ("2026-07-06", "HOLIDAY", "Capital Day"),
    ("2026-10-25", "HOLIDAY", "Republic Day"),
    ("2026-10-26", "DAY_OFF", "Republic Day (observed)"),
    ("2026-12-16", "HOLIDAY", "Independence Day"),
    ("2027-01-01", "HOLIDAY", "New Year's Day"),
    ("2027-01-02", "HOLIDAY", "New Year's Day"),
    ("2027-01-04", "DAY_OFF", "New Year's Day (observed)"),
    ("2027-01-07", "HOLIDAY", "Orthodox Christmas"),
    ("2027-03-08", "HOLIDAY", "International Women's Day"),
    ("2027-03-15", "HOLIDAY", "Constitution Day"),
    ("2027-03-21", "HOLIDAY", "Nowruz Holiday"),
    ("2027-03-22", "HOLIDAY", "Nowruz Holiday"),
    ("2027-03-23", "HOLIDAY", "Nowruz Holiday"),
    ("2027-03-24", "DAY_OFF", "Nowruz Holiday (observed)"),
    ("2027-05-01", "HOLIDAY", "Kazakhstan's People Solidarity Holiday"),
    ("2027-05-03", "DAY_OFF", "Kazakhstan's People Solidarity Holiday (observed)"),
    ("2027-05-07", "HOLIDAY", "Defender of the Fatherland Day"),
    ("2027-05-09", "HOLIDAY", "Victory Day"),
    ("2027-05-10", "DAY_OFF", "Victory Day (observed)"),
    ("2027-05-16", "HOLIDAY", "Eid al-Adha (estimated)"),
    ("2027-07-06", "HOLIDAY", "Capital Day"),
    ("2027-10-25", "HOLIDAY", "Republic Day"),
    ("2027-12-16", "HOLIDAY", "Independence Day"),
]


def upgrade() -> None:
    for enum in (region, organisation_kind, calendar_day_kind):
        enum.create(op.get_bind(), checkfirst=False)
    op.create_table(
        "organisations",
        sa.Column("bin", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", organisation_kind, nullable=False),
        sa.Column("region", region, nullable=False),
        sa.PrimaryKeyConstraint("bin", name=op.f("pk_organisations")),
    )
    calendar_days = op.create_table(
        "calendar_days",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("region", region, nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", calendar_day_kind, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("region", "day", name=op.f("uq_calendar_days_region"), postgresql_nulls_not_distinct=True),
    )
    op.bulk_insert(
        calendar_days,
        [
            {"region": None, "day": date.fromisoformat(day), "kind": kind, "name": name}
            for day, kind, name in NATIONAL_DAYS
        ],
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(op.f("ix_outbox_events_topic"), "outbox_events", ["topic"], unique=False)
    development_clock = op.create_table(
        "development_clock",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("offset_s", sa.Float(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_development_clock_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_clock")),
    )
    op.bulk_insert(development_clock, [{"id": 1, "offset_s": 0.0, "frozen_at": None}])


def downgrade() -> None:
    op.drop_table("development_clock")
    op.drop_index(op.f("ix_outbox_events_topic"), table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_table("calendar_days")
    op.drop_table("organisations")
    for enum in (calendar_day_kind, organisation_kind, region):
        enum.drop(op.get_bind(), checkfirst=False)
