"""insurance: minimum wages, people registry, state categories, contribution payments and their months

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PAYMENT_STATUS = ("ACCEPTED", "CREDITED", "RETURNED", "REFUNDED")
# The law's minimum wages from 2020 (insurance rules, "МЗП"): reference data, not demo data.
_MINIMUM_WAGES = ((date(2020, 1, 1), 42_500), (date(2022, 1, 1), 60_000), (date(2023, 1, 1), 70_000),
                  (date(2024, 1, 1), 85_000))  # fmt: skip


def upgrade() -> None:
    wages = op.create_table(
        "minimum_wages",
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("amount_tiyn", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("effective_from", name=op.f("pk_minimum_wages")),
    )
    now = datetime(2026, 11, 26, tzinfo=UTC)
    op.bulk_insert(
        wages,
        [
            {"effective_from": day, "amount_tiyn": tenge * 100, "set_at": now, "set_by": "law"}
            for day, tenge in _MINIMUM_WAGES
        ],
    )
    op.create_table(
        "people",
        sa.Column("iin", sa.String(length=12), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("iin", name=op.f("pk_people")),
    )
    op.create_table(
        "state_category_periods",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("iin", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_category_periods")),
    )
    op.create_index(op.f("ix_state_category_periods_iin"), "state_category_periods", ["iin"])
    status = sa.Enum(*_PAYMENT_STATUS, name="contribution_payment_status")
    op.create_table(
        "contribution_payments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("bank_bin", sa.String(length=12), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("payer_iin", sa.String(length=12), nullable=False),
        sa.Column("payer_name", sa.String(length=300), nullable=False),
        sa.Column("payer_kind", sa.Enum("INDEPENDENT", "ENTREPRENEUR", name="payer_kind"), nullable=False),
        sa.Column("amount_tiyn", sa.BigInteger(), nullable=False),
        sa.Column("knp", sa.String(length=3), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("bank_reference", sa.String(length=100), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_payments")),
        sa.UniqueConstraint("bank_bin", "idempotency_key", name=op.f("uq_contribution_payments_bank_bin")),
    )
    op.create_index(op.f("ix_contribution_payments_bank_bin"), "contribution_payments", ["bank_bin", "business_day"])
    op.create_index(op.f("ix_contribution_payments_payer_iin"), "contribution_payments", ["payer_iin"])
    op.create_table(
        "contribution_months",
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("payer_iin", sa.String(length=12), nullable=False),
        sa.Column("amount_tiyn", sa.BigInteger(), nullable=False),
        sa.Column("minimum_wage_tiyn", sa.BigInteger(), nullable=False),
        sa.Column("standing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["contribution_payments.id"],
            name=op.f("fk_contribution_months_payment_id_contribution_payments"),
        ),
        sa.PrimaryKeyConstraint("payment_id", "month", name=op.f("pk_contribution_months")),
    )
    op.create_index(
        "uq_contribution_months_standing",
        "contribution_months",
        ["payer_iin", "month"],
        unique=True,
        postgresql_where=sa.text("standing"),
    )
    op.create_table(
        "contribution_payment_transitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status", sa.Enum(*_PAYMENT_STATUS, name="contribution_payment_status", create_type=False), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["contribution_payments.id"],
            name=op.f("fk_contribution_payment_transitions_payment_id_contribution_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_payment_transitions")),
    )
    op.create_index(
        op.f("ix_contribution_payment_transitions_payment_id"), "contribution_payment_transitions", ["payment_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_contribution_payment_transitions_payment_id"), table_name="contribution_payment_transitions")
    op.drop_table("contribution_payment_transitions")
    op.drop_index(
        "uq_contribution_months_standing", table_name="contribution_months", postgresql_where=sa.text("standing")
    )
    op.drop_table("contribution_months")
    op.drop_index(op.f("ix_contribution_payments_payer_iin"), table_name="contribution_payments")
    op.drop_index(op.f("ix_contribution_payments_bank_bin"), table_name="contribution_payments")
    op.drop_table("contribution_payments")
    op.drop_index(op.f("ix_state_category_periods_iin"), table_name="state_category_periods")
    op.drop_table("state_category_periods")
    op.drop_table("people")
    op.drop_table("minimum_wages")
    op.execute("DROP TYPE contribution_payment_status")
    op.execute("DROP TYPE payer_kind")
