"""medicines: registry, prices, batches, codes, packs, events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "biz_step",
            sa.Enum(
                "commissioning",
                "packing",
                "unpacking",
                "shipping",
                "receiving",
                "void_shipping",
                "retail_selling",
                "dispensing",
                "decommissioning",
                "destroying",
                name="business_step",
            ),
            nullable=False,
        ),
        sa.Column("disposition", sa.String(length=50), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("organisation_bin", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("corrects_id", sa.BigInteger(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["pack_events.id"], name=op.f("fk_pack_events_corrects_id_pack_events")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_bin"], ["organisations.bin"], name=op.f("fk_pack_events_organisation_bin_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_events")),
    )
    op.create_index(
        op.f("ix_pack_events_organisation_bin"), "pack_events", ["organisation_bin", "occurred_at"], unique=False
    )
    op.create_table(
        "products",
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("trade_name", sa.String(length=300), nullable=False),
        sa.Column("inn", sa.String(length=300), nullable=False),
        sa.Column("dosage_form", sa.String(length=200), nullable=False),
        sa.Column("strength", sa.String(length=100), nullable=False),
        sa.Column("units_per_pack", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(length=300), nullable=False),
        sa.Column("registration_number", sa.String(length=50), nullable=False),
        sa.Column("manufacturer_bin", sa.String(length=12), nullable=True),
        sa.Column("importer_bin", sa.String(length=12), nullable=True),
        sa.Column("status", sa.Enum("REGISTERED", "SUSPENDED", "WITHDRAWN", name="product_status"), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["importer_bin"], ["organisations.bin"], name=op.f("fk_products_importer_bin_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_bin"], ["organisations.bin"], name=op.f("fk_products_manufacturer_bin_organisations")
        ),
        sa.PrimaryKeyConstraint("gtin", name=op.f("pk_products")),
        sa.UniqueConstraint("registration_number", name=op.f("uq_products_registration_number")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("produced_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Enum("RELEASED", "RECALLED", name="batch_status"), nullable=False),
        sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["gtin"], ["products.gtin"], name=op.f("fk_batches_gtin_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("gtin", "number", name=op.f("uq_batches_gtin")),
    )
    op.create_table(
        "code_orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("organisation_bin", sa.String(length=12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=4), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ordered_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["gtin"], ["products.gtin"], name=op.f("fk_code_orders_gtin_products")),
        sa.ForeignKeyConstraint(
            ["organisation_bin"], ["organisations.bin"], name=op.f("fk_code_orders_organisation_bin_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_orders")),
    )
    op.create_table(
        "max_retail_prices",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("price_tiyn", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["gtin"], ["products.gtin"], name=op.f("fk_max_retail_prices_gtin_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_max_retail_prices")),
        sa.UniqueConstraint("gtin", "effective_from", name=op.f("uq_max_retail_prices_gtin")),
    )
    op.create_table(
        "packs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("key_id", sa.String(length=4), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ISSUED",
                "ACTIVE",
                "IN_TRANSIT",
                "DISPENSED",
                "PARTIALLY_DISPENSED",
                "WRITTEN_OFF",
                "EXPORTED",
                name="pack_state",
            ),
            nullable=False,
        ),
        sa.Column("owner_bin", sa.String(length=12), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("units_remaining", sa.SmallInteger(), nullable=True),
        sa.Column(
            "write_off_reason",
            sa.Enum("DAMAGED", "DESTROYED", "LOST", "STOLEN", "SAMPLE", name="write_off_reason"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_packs_batch_id_batches")),
        sa.ForeignKeyConstraint(["gtin"], ["products.gtin"], name=op.f("fk_packs_gtin_products")),
        sa.ForeignKeyConstraint(["order_id"], ["code_orders.id"], name=op.f("fk_packs_order_id_code_orders")),
        sa.ForeignKeyConstraint(["owner_bin"], ["organisations.bin"], name=op.f("fk_packs_owner_bin_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packs")),
        sa.UniqueConstraint("gtin", "serial", name=op.f("uq_packs_gtin")),
    )
    op.create_index(op.f("ix_packs_batch_id"), "packs", ["batch_id"], unique=False)
    op.create_index(op.f("ix_packs_order_id"), "packs", ["order_id"], unique=False)
    op.create_index(op.f("ix_packs_owner_bin"), "packs", ["owner_bin"], unique=False)
    op.create_table(
        "pack_event_packs",
        sa.Column("pack_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["pack_events.id"], name=op.f("fk_pack_event_packs_event_id_pack_events")
        ),
        sa.ForeignKeyConstraint(["pack_id"], ["packs.id"], name=op.f("fk_pack_event_packs_pack_id_packs")),
        sa.PrimaryKeyConstraint("pack_id", "event_id", name=op.f("pk_pack_event_packs")),
    )


def downgrade() -> None:
    op.drop_table("pack_event_packs")
    op.drop_index(op.f("ix_packs_owner_bin"), table_name="packs")
    op.drop_index(op.f("ix_packs_order_id"), table_name="packs")
    op.drop_index(op.f("ix_packs_batch_id"), table_name="packs")
    op.drop_table("packs")
    op.drop_table("max_retail_prices")
    op.drop_table("code_orders")
    op.drop_table("batches")
    op.drop_table("products")
    op.drop_index(op.f("ix_pack_events_organisation_bin"), table_name="pack_events")
    op.drop_table("pack_events")
    for enum in ("business_step", "write_off_reason", "pack_state", "batch_status", "product_status"):
        op.execute(f"DROP TYPE {enum}")
