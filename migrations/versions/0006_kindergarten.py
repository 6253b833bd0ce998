"""kindergarten: registry, applications and their choices, the orders' counters, places, offers, events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REGION = postgresql.ENUM(name="region", create_type=False)  # made by 0001
KINDERGARTEN_LANGUAGE = postgresql.ENUM("KK", "RU", name="kindergarten_language", create_type=False)
KINDERGARTEN_APPLICATION_STATUS = postgresql.ENUM(
    "QUEUED",
    "OFFERED",
    "CONFIRMED",
    "ENROLLED",
    "INACTIVE",
    "REFUSED",
    "WITHDRAWN",
    "CLOSED",
    name="kindergarten_application_status",
    create_type=False,
)
KINDERGARTEN_BENEFIT = postgresql.ENUM(
    "SERVICEMAN_CHILD",
    "SPECIAL_STATE_BODY_CHILD",
    "ORPHAN",
    "WITHOUT_PARENTAL_CARE",
    "DISABLED_PARENT",
    "LARGE_FAMILY",
    "SPECIAL_EDUCATIONAL_NEEDS",
    "DISABLED_CHILD_FAMILY",
    "TEACHER_CHILD",
    name="kindergarten_benefit",
    create_type=False,
)
KINDERGARTEN_CLOSED_REASON = postgresql.ENUM(
    "REACTIVATION_WINDOW_PASSED",
    "SECOND_LAPSE",
    "CONTRACT_EXPIRED",
    "AGED_OUT",
    name="kindergarten_closed_reason",
    create_type=False,
)
KINDERGARTEN_PRIORITY = postgresql.ENUM(
    "EXTRAORDINARY", "FIRST", "GENERAL", name="kindergarten_priority", create_type=False
)
KINDERGARTEN_PLACE_STATUS = postgresql.ENUM(
    "OPEN", "HELD", "TAKEN", name="kindergarten_place_status", create_type=False
)
KINDERGARTEN_OFFER_STATUS = postgresql.ENUM(
    "OFFERED",
    "CONFIRMED",
    "ENROLLED",
    "LAPSED",
    "REFUSED",
    "EXPIRED",
    "CANCELLED",
    "WITHDRAWN",
    name="kindergarten_offer_status",
    create_type=False,
)
_OWN_ENUMS = (
    KINDERGARTEN_LANGUAGE,
    KINDERGARTEN_APPLICATION_STATUS,
    KINDERGARTEN_BENEFIT,
    KINDERGARTEN_CLOSED_REASON,
    KINDERGARTEN_PRIORITY,
    KINDERGARTEN_PLACE_STATUS,
    KINDERGARTEN_OFFER_STATUS,
)


def upgrade() -> None:
    for enum in _OWN_ENUMS:
        enum.create(op.get_bind(), checkfirst=False)
    op.create_table(
        "kindergarten_applications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("child_iin", sa.String(length=12), nullable=False),
        sa.Column("parent_iin", sa.String(length=12), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("region", REGION, nullable=False),
        sa.Column("language", KINDERGARTEN_LANGUAGE, nullable=False),
        sa.Column("desired_start", sa.Date(), nullable=False),
        sa.Column("status", KINDERGARTEN_APPLICATION_STATUS, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("benefit", KINDERGARTEN_BENEFIT, nullable=True),
        sa.Column("benefit_document", sa.String(length=100), nullable=True),
        sa.Column("benefit_confirmed", sa.Boolean(), nullable=False),
        sa.Column("reactivation_used", sa.Boolean(), nullable=False),
        sa.Column("reactivate_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", KINDERGARTEN_CLOSED_REASON, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kindergarten_applications")),
    )
    op.create_index(
        op.f("ix_kindergarten_applications_child_iin"), "kindergarten_applications", ["child_iin"], unique=False
    )
    op.create_index(
        op.f("ix_kindergarten_applications_parent_iin"), "kindergarten_applications", ["parent_iin"], unique=False
    )
    op.create_index(
        "uq_kindergarten_applications_active",
        "kindergarten_applications",
        ["child_iin"],
        unique=True,
        postgresql_where="status IN ('QUEUED', 'OFFERED', 'CONFIRMED', 'INACTIVE')",
    )
    op.create_index(
        "ix_kindergarten_applications_reactivate_by",
        "kindergarten_applications",
        ["reactivate_by"],
        unique=False,
        postgresql_where="status = 'INACTIVE'",
    )
    op.create_index(
        "ix_kindergarten_applications_birth_date",
        "kindergarten_applications",
        ["birth_date"],
        unique=False,
        postgresql_where="status IN ('QUEUED', 'INACTIVE')",
    )
    op.create_table(
        "kindergarten_policies",
        sa.Column("region", REGION, nullable=False),
        sa.Column("confirm_business_days", sa.SmallInteger(), nullable=False),
        sa.Column("contract_business_days", sa.SmallInteger(), nullable=False),
        sa.Column("extension_days", sa.SmallInteger(), nullable=False),
        sa.Column("reactivation_days", sa.SmallInteger(), nullable=False),
        sa.Column("benefit_business_days", sa.SmallInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("region", name=op.f("pk_kindergarten_policies")),
    )
    op.create_table(
        "parent_children",
        sa.Column("parent_iin", sa.String(length=12), nullable=False),
        sa.Column("child_iin", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("parent_iin", "child_iin", name=op.f("pk_parent_children")),
    )
    op.create_index(op.f("ix_parent_children_child_iin"), "parent_children", ["child_iin"], unique=False)
    op.create_table(
        "kindergartens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("bin", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("region", REGION, nullable=False),
        sa.Column("languages", postgresql.ARRAY(KINDERGARTEN_LANGUAGE), nullable=False),
        sa.ForeignKeyConstraint(["bin"], ["organisations.bin"], name=op.f("fk_kindergartens_bin_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kindergartens")),
        sa.UniqueConstraint("bin", name=op.f("uq_kindergartens_bin")),
    )
    op.create_index(op.f("ix_kindergartens_region"), "kindergartens", ["region"], unique=False)
    op.create_table(
        "kindergarten_application_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_iin", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", KINDERGARTEN_APPLICATION_STATUS, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["kindergarten_applications.id"],
            name=op.f("fk_kindergarten_application_events_application_id_kindergarten_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"],
            ["kindergartens.id"],
            name=op.f("fk_kindergarten_application_events_kindergarten_id_kindergartens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kindergarten_application_events")),
    )
    op.create_index(
        op.f("ix_kindergarten_application_events_application_id"),
        "kindergarten_application_events",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_kindergarten_application_events_parent_iin"),
        "kindergarten_application_events",
        ["parent_iin", "id"],
        unique=False,
    )
    op.create_table(
        "kindergarten_capacities",
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"],
            ["kindergartens.id"],
            name=op.f("fk_kindergarten_capacities_kindergarten_id_kindergartens"),
        ),
        sa.PrimaryKeyConstraint("kindergarten_id", "cohort", name=op.f("pk_kindergarten_capacities")),
    )
    op.create_table(
        "kindergarten_choices",
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("language", KINDERGARTEN_LANGUAGE, nullable=False),
        sa.Column("priority", KINDERGARTEN_PRIORITY, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["kindergarten_applications.id"],
            name=op.f("fk_kindergarten_choices_application_id_kindergarten_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"],
            ["kindergartens.id"],
            name=op.f("fk_kindergarten_choices_kindergarten_id_kindergartens"),
        ),
        sa.PrimaryKeyConstraint("application_id", "rank", name=op.f("pk_kindergarten_choices")),
        sa.UniqueConstraint("application_id", "kindergarten_id", name=op.f("uq_kindergarten_choices_application_id")),
    )
    op.create_index(
        "ix_kindergarten_choices_order",
        "kindergarten_choices",
        ["kindergarten_id", "cohort", "language", "priority", "queued_at", "application_id"],
        unique=False,
        postgresql_where="waiting",
    )
    op.create_table(
        "kindergarten_places",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("language", KINDERGARTEN_LANGUAGE, nullable=False),
        sa.Column("status", KINDERGARTEN_PLACE_STATUS, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"], ["kindergartens.id"], name=op.f("fk_kindergarten_places_kindergarten_id_kindergartens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kindergarten_places")),
    )
    op.create_index(
        "ix_kindergarten_places_open",
        "kindergarten_places",
        ["kindergarten_id", "cohort", "language"],
        unique=False,
        postgresql_where="status = 'OPEN'",
    )
    op.create_table(
        "kindergarten_queue_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("language", KINDERGARTEN_LANGUAGE, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("priority", KINDERGARTEN_PRIORITY, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("turn", sa.SmallInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"],
            ["kindergartens.id"],
            name=op.f("fk_kindergarten_queue_log_kindergarten_id_kindergartens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kindergarten_queue_log")),
    )
    op.create_index(
        op.f("ix_kindergarten_queue_log_kindergarten_id"),
        "kindergarten_queue_log",
        ["kindergarten_id", "cohort", "language", "id"],
        unique=False,
    )
    op.create_table(
        "kindergarten_queue_turns",
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("language", KINDERGARTEN_LANGUAGE, nullable=False),
        sa.Column("turn", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"],
            ["kindergartens.id"],
            name=op.f("fk_kindergarten_queue_turns_kindergarten_id_kindergartens"),
        ),
        sa.PrimaryKeyConstraint("kindergarten_id", "cohort", "language", name=op.f("pk_kindergarten_queue_turns")),
    )
    op.create_table(
        "kindergarten_offers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("place_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("kindergarten_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("priority", KINDERGARTEN_PRIORITY, nullable=False),
        sa.Column("status", KINDERGARTEN_OFFER_STATUS, nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sign_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("benefit_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("warned_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["kindergarten_applications.id"],
            name=op.f("fk_kindergarten_offers_application_id_kindergarten_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["kindergarten_id"], ["kindergartens.id"], name=op.f("fk_kindergarten_offers_kindergarten_id_kindergartens")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["kindergarten_places.id"], name=op.f("fk_kindergarten_offers_place_id_kindergarten_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kindergarten_offers")),
    )
    op.create_index(
        op.f("ix_kindergarten_offers_application_id"), "kindergarten_offers", ["application_id"], unique=False
    )
    op.create_index(
        op.f("ix_kindergarten_offers_kindergarten_id"),
        "kindergarten_offers",
        ["kindergarten_id", "offered_at"],
        unique=False,
    )
    op.create_index(
        "ix_kindergarten_offers_open_kindergarten",
        "kindergarten_offers",
        ["kindergarten_id", "id"],
        unique=False,
        postgresql_where="status IN ('OFFERED', 'CONFIRMED')",
    )
    op.create_index(
        "uq_kindergarten_offers_open_application",
        "kindergarten_offers",
        ["application_id"],
        unique=True,
        postgresql_where="status IN ('OFFERED', 'CONFIRMED')",
    )
    op.create_index(
        "uq_kindergarten_offers_open_place",
        "kindergarten_offers",
        ["place_id"],
        unique=True,
        postgresql_where="status IN ('OFFERED', 'CONFIRMED')",
    )


def downgrade() -> None:
    op.drop_index(
        "uq_kindergarten_offers_open_place",
        table_name="kindergarten_offers",
        postgresql_where="status IN ('OFFERED', 'CONFIRMED')",
    )
    op.drop_index(
        "uq_kindergarten_offers_open_application",
        table_name="kindergarten_offers",
        postgresql_where="status IN ('OFFERED', 'CONFIRMED')",
    )
    op.drop_index(
        "ix_kindergarten_offers_open_kindergarten",
        table_name="kindergarten_offers",
        postgresql_where="status IN ('OFFERED', 'CONFIRMED')",
    )
    op.drop_index(op.f("ix_kindergarten_offers_kindergarten_id"), table_name="kindergarten_offers")
    op.drop_index(op.f("ix_kindergarten_offers_application_id"), table_name="kindergarten_offers")
    op.drop_table("kindergarten_offers")
    op.drop_table("kindergarten_queue_turns")
    op.drop_index(op.f("ix_kindergarten_queue_log_kindergarten_id"), table_name="kindergarten_queue_log")
    op.drop_table("kindergarten_queue_log")
    op.drop_index("ix_kindergarten_places_open", table_name="kindergarten_places", postgresql_where="status = 'OPEN'")
    op.drop_table("kindergarten_places")
    op.drop_index("ix_kindergarten_choices_order", table_name="kindergarten_choices", postgresql_where="waiting")
    op.drop_table("kindergarten_choices")
    op.drop_table("kindergarten_capacities")
    op.drop_index(op.f("ix_kindergarten_application_events_parent_iin"), table_name="kindergarten_application_events")
    op.drop_index(
        op.f("ix_kindergarten_application_events_application_id"), table_name="kindergarten_application_events"
    )
    op.drop_table("kindergarten_application_events")
    op.drop_index(op.f("ix_kindergartens_region"), table_name="kindergartens")
    op.drop_table("kindergartens")
    op.drop_index(op.f("ix_parent_children_child_iin"), table_name="parent_children")
    op.drop_table("parent_children")
    op.drop_table("kindergarten_policies")
    op.drop_index(
        "ix_kindergarten_applications_birth_date",
        table_name="kindergarten_applications",
        postgresql_where="status IN ('QUEUED', 'INACTIVE')",
    )
    op.drop_index(
        "ix_kindergarten_applications_reactivate_by",
        table_name="kindergarten_applications",
        postgresql_where="status = 'INACTIVE'",
    )
    op.drop_index(
        "uq_kindergarten_applications_active",
        table_name="kindergarten_applications",
        postgresql_where="status IN ('QUEUED', 'OFFERED', 'CONFIRMED', 'INACTIVE')",
    )
    op.drop_index(op.f("ix_kindergarten_applications_parent_iin"), table_name="kindergarten_applications")
    op.drop_index(op.f("ix_kindergarten_applications_child_iin"), table_name="kindergarten_applications")
    op.drop_table("kindergarten_applications")
    for enum in reversed(_OWN_ENUMS):
        enum.drop(op.get_bind(), checkfirst=False)
