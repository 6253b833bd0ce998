"""medicines: verifications, alerts, reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "medicine_alerts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "UNKNOWN_SERIAL",
                "INVALID_VERIFICATION_CODE",
                "DATA_MISMATCH",
                "VERIFIED_AFTER_DISPENSING",
                "VERIFIED_AFTER_WRITE_OFF",
                "SEEN_IN_SEVERAL_REGIONS",
                "PRICE_ABOVE_MAXIMUM",
                "REPORTED_COUNTERFEIT",
                name="alert_kind",
            ),
            nullable=False,
        ),
        sa.Column("status", sa.Enum("NEW", "INVESTIGATING", "CLOSED", name="alert_status"), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("pack_id", sa.BigInteger(), nullable=True),
        sa.Column("region", sa.String(length=5), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("closing_reason", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medicine_alerts")),
    )
    op.create_index(op.f("ix_medicine_alerts_status"), "medicine_alerts", ["status", "id"], unique=False)
    op.create_index(
        "uq_medicine_alerts_open",
        "medicine_alerts",
        ["kind", "gtin", "serial"],
        unique=True,
        postgresql_where="status <> 'CLOSED'",
    )
    op.create_table(
        "pack_verifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("pack_id", sa.BigInteger(), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=5), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_verifications")),
    )
    op.create_index(
        op.f("ix_pack_verifications_pack_id"), "pack_verifications", ["pack_id", "occurred_at"], unique=False
    )
    op.create_table(
        "suspicious_pack_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("kind", sa.Enum("COUNTERFEIT", "OVERCHARGE", name="report_kind"), nullable=False),
        sa.Column("code", sa.String(length=512), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("price_paid_tiyn", sa.BigInteger(), nullable=True),
        sa.Column("max_retail_price_tiyn", sa.BigInteger(), nullable=True),
        sa.Column("pharmacy_bin", sa.String(length=12), nullable=True),
        sa.Column("pharmacy_name", sa.String(length=300), nullable=True),
        sa.Column("region", sa.String(length=5), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspicious_pack_reports")),
    )


def downgrade() -> None:
    op.drop_table("suspicious_pack_reports")
    op.drop_index(op.f("ix_pack_verifications_pack_id"), table_name="pack_verifications")
    op.drop_table("pack_verifications")
    op.drop_index("uq_medicine_alerts_open", table_name="medicine_alerts", postgresql_where="status <> 'CLOSED'")
    op.drop_index(op.f("ix_medicine_alerts_status"), table_name="medicine_alerts")
    op.drop_table("medicine_alerts")
    for enum in ("report_kind", "alert_status", "alert_kind"):
        op.execute(f"DROP TYPE {enum}")
