"""medicines: shipments, boxes and pallets, stock balances kept by triggers, shortage thresholds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NEW_ALERT_KINDS = ("OPERATED_AFTER_WRITE_OFF", "SHIPMENT_DISCREPANCY", "SHORTAGE")

# A pack is in stock while ACTIVE or PARTIALLY_DISPENSED: a whole pack counts its product's units, an opened one
# what is left in it. Each statement that writes packs moves the balances by the difference of its transition
# tables, grouped, in key order (two transactions touching the same balances lock them in the same order).
_DELTAS = {
    "new": """SELECT n.owner_bin, n.gtin, n.batch_id, 1 AS packs,
                     coalesce(n.units_remaining, pr.units_per_pack)::bigint AS units
                FROM new_packs n JOIN products pr ON pr.gtin = n.gtin
               WHERE n.state IN ('ACTIVE', 'PARTIALLY_DISPENSED')""",
    "old": """SELECT o.owner_bin, o.gtin, o.batch_id, -1, -coalesce(o.units_remaining, pr.units_per_pack)::bigint
                FROM old_packs o JOIN products pr ON pr.gtin = o.gtin
               WHERE o.state IN ('ACTIVE', 'PARTIALLY_DISPENSED')""",
}


def _balance_function(name: str, parts: tuple[str, ...]) -> str:
    deltas = "\n UNION ALL ".join(_DELTAS[part] for part in parts)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stock_balances AS s (owner_bin, gtin, batch_id, packs, units)
    SELECT owner_bin, gtin, batch_id, sum(packs), sum(units)
      FROM ({deltas}) AS d
     GROUP BY owner_bin, gtin, batch_id
    HAVING sum(packs) <> 0 OR sum(units) <> 0
     ORDER BY owner_bin, gtin, batch_id
    ON CONFLICT (owner_bin, gtin, batch_id)
    DO UPDATE SET packs = s.packs + excluded.packs, units = s.units + excluded.units;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    for kind in _NEW_ALERT_KINDS:
        op.execute(f"ALTER TYPE alert_kind ADD VALUE IF NOT EXISTS '{kind}'")
    op.execute("ALTER TYPE write_off_reason ADD VALUE IF NOT EXISTS 'EXPIRED'")

    op.create_table(
        "shipments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("sender_bin", sa.String(length=12), nullable=False),
        sa.Column("receiver_bin", sa.String(length=12), nullable=False),
        sa.Column("status", sa.Enum("IN_TRANSIT", "RECEIVED", "CANCELLED", name="shipment_status"), nullable=False),
        sa.Column("document", sa.String(length=100), nullable=True),
        sa.Column("packs", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipped_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["receiver_bin"], ["organisations.bin"], name=op.f("fk_shipments_receiver_bin_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["sender_bin"], ["organisations.bin"], name=op.f("fk_shipments_sender_bin_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_receiver_bin"), "shipments", ["receiver_bin", "status"])
    op.create_index(op.f("ix_shipments_sender_bin"), "shipments", ["sender_bin", "status"])
    op.create_table(
        "containers",
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("owner_bin", sa.String(length=12), nullable=False),
        sa.Column("parent_sscc", sa.String(length=18), nullable=True),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emptied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_bin"], ["organisations.bin"], name=op.f("fk_containers_owner_bin_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["parent_sscc"], ["containers.sscc"], name=op.f("fk_containers_parent_sscc_containers")
        ),
        sa.PrimaryKeyConstraint("sscc", name=op.f("pk_containers")),
    )
    op.create_index(op.f("ix_containers_owner_bin"), "containers", ["owner_bin"])
    op.create_index(op.f("ix_containers_parent_sscc"), "containers", ["parent_sscc"])
    op.add_column("packs", sa.Column("shipment_id", sa.BigInteger(), nullable=True))
    op.add_column("packs", sa.Column("container_sscc", sa.String(length=18), nullable=True))
    op.create_foreign_key(op.f("fk_packs_shipment_id_shipments"), "packs", "shipments", ["shipment_id"], ["id"])
    op.create_foreign_key(
        op.f("fk_packs_container_sscc_containers"), "packs", "containers", ["container_sscc"], ["sscc"]
    )
    op.create_index(op.f("ix_packs_shipment_id"), "packs", ["shipment_id"])
    op.create_index(op.f("ix_packs_container_sscc"), "packs", ["container_sscc"])

    op.create_table(
        "stock_balances",
        sa.Column("owner_bin", sa.String(length=12), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("packs", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner_bin", "gtin", "batch_id", name=op.f("pk_stock_balances")),
    )
    op.execute(_balance_function("stock_after_insert", ("new",)))
    op.execute(_balance_function("stock_after_update", ("new", "old")))
    op.execute(_balance_function("stock_after_delete", ("old",)))
    op.execute(
        "CREATE TRIGGER packs_stock_insert AFTER INSERT ON packs REFERENCING NEW TABLE AS new_packs "
        "FOR EACH STATEMENT EXECUTE FUNCTION stock_after_insert()"
    )
    op.execute(
        "CREATE TRIGGER packs_stock_update AFTER UPDATE ON packs "
        "REFERENCING OLD TABLE AS old_packs NEW TABLE AS new_packs "
        "FOR EACH STATEMENT EXECUTE FUNCTION stock_after_update()"
    )
    op.execute(
        "CREATE TRIGGER packs_stock_delete AFTER DELETE ON packs REFERENCING OLD TABLE AS old_packs "
        "FOR EACH STATEMENT EXECUTE FUNCTION stock_after_delete()"
    )
    # Packs already in stock when this runs.
    op.execute(
        "INSERT INTO stock_balances (owner_bin, gtin, batch_id, packs, units) "
        + "SELECT owner_bin, gtin, batch_id, sum(packs), sum(units) FROM ("
        + _DELTAS["new"].replace("new_packs", "packs")
        + ") AS d GROUP BY owner_bin, gtin, batch_id"
    )

    op.create_table(
        "shortage_thresholds",
        sa.Column("region", sa.String(length=5), nullable=False),
        sa.Column("inn", sa.String(length=300), nullable=False),
        sa.Column("minimum_units", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("region", "inn", name=op.f("pk_shortage_thresholds")),
    )

    op.alter_column("medicine_alerts", "gtin", existing_type=sa.String(length=14), nullable=True)
    op.alter_column("medicine_alerts", "serial", existing_type=sa.String(length=20), nullable=True)
    op.add_column("medicine_alerts", sa.Column("inn", sa.String(length=300), nullable=True))
    op.add_column("medicine_alerts", sa.Column("shipment_id", sa.BigInteger(), nullable=True))
    op.add_column("medicine_alerts", sa.Column("organisation_bin", sa.String(length=12), nullable=True))
    op.create_index(
        "uq_medicine_alerts_open_shortage",
        "medicine_alerts",
        ["region", "inn"],
        unique=True,
        postgresql_where=sa.text("inn IS NOT NULL AND status <> 'CLOSED'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_medicine_alerts_open_shortage",
        table_name="medicine_alerts",
        postgresql_where=sa.text("inn IS NOT NULL AND status <> 'CLOSED'"),
    )
    op.execute("DELETE FROM medicine_alerts WHERE gtin IS NULL OR serial IS NULL")
    op.drop_column("medicine_alerts", "organisation_bin")
    op.drop_column("medicine_alerts", "shipment_id")
    op.drop_column("medicine_alerts", "inn")
    op.alter_column("medicine_alerts", "serial", existing_type=sa.String(length=20), nullable=False)
    op.alter_column("medicine_alerts", "gtin", existing_type=sa.String(length=14), nullable=False)
    op.drop_table("shortage_thresholds")
    for operation in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER packs_stock_{operation} ON packs")
        op.execute(f"DROP FUNCTION stock_after_{operation}()")
    op.drop_table("stock_balances")
    op.drop_index(op.f("ix_packs_container_sscc"), table_name="packs")
    op.drop_index(op.f("ix_packs_shipment_id"), table_name="packs")
    op.drop_constraint(op.f("fk_packs_container_sscc_containers"), "packs", type_="foreignkey")
    op.drop_constraint(op.f("fk_packs_shipment_id_shipments"), "packs", type_="foreignkey")
    op.drop_column("packs", "container_sscc")
    op.drop_column("packs", "shipment_id")
    op.drop_index(op.f("ix_containers_parent_sscc"), table_name="containers")
    op.drop_index(op.f("ix_containers_owner_bin"), table_name="containers")
    op.drop_table("containers")
    op.drop_index(op.f("ix_shipments_sender_bin"), table_name="shipments")
    op.drop_index(op.f("ix_shipments_receiver_bin"), table_name="shipments")
    op.drop_table("shipments")
    op.execute("DROP TYPE shipment_status")
    # PostgreSQL cannot drop an enum value: the types are made again without the values this revision added.
    kinds = ", ".join(f"'{kind}'" for kind in _NEW_ALERT_KINDS)
    op.execute(f"DELETE FROM medicine_alerts WHERE kind::text IN ({kinds})")
    _shrink_enum("alert_kind", "medicine_alerts", "kind", exclude=_NEW_ALERT_KINDS)
    op.execute("UPDATE packs SET write_off_reason = 'DESTROYED' WHERE write_off_reason::text = 'EXPIRED'")
    _shrink_enum("write_off_reason", "packs", "write_off_reason", exclude=("EXPIRED",))


def _shrink_enum(name: str, table: str, column: str, *, exclude: tuple[str, ...]) -> None:
    values = [
        row[0]
        for row in op.get_bind().execute(
            sa.text("SELECT unnest(enum_range(NULL::" + name + "))::text")  # the type's values, in order
        )
        if row[0] not in exclude
    ]
    op.execute(f"ALTER TYPE {name} RENAME TO {name}_old")
    op.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(repr(value) for value in values)})")
    op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {name} USING {column}::text::{name}")
    op.execute(f"DROP TYPE {name}_old")
