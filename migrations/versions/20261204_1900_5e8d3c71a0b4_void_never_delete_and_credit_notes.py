"""Void, never delete: amendments and day rates are voided with a reason like invoices,
contracts and engagements; every void has its reason (a CHECK on each table); a credit note
points at the invoice it credits.

A rate card's first day is no longer unique: a voided card keeps its date while a corrected
one takes its place (the service refuses overlapping cards in force). Contracts and
engagements voided before this revision always got a reason; the UPDATEs below only make sure
of it before the CHECKs are added.

Revision ID: 5e8d3c71a0b4
Revises: 492c06ee5d0d
Create Date: 2026-12-04 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e8d3c71a0b4"
down_revision = "492c06ee5d0d"
branch_labels = None
depends_on = None

VOID_HAS_REASON = (
    "(voided_at IS NULL AND void_reason IS NULL) "
    "OR (voided_at IS NOT NULL AND void_reason IS NOT NULL)"
)
#: Tables that had a void before this revision, and those that get one now.
HAD_VOID = ("contracts", "engagements")
NEW_VOID = ("contract_amendments", "rate_cards")


def upgrade():
    for table in HAD_VOID:
        op.execute(
            f"UPDATE {table} SET void_reason = 'withdrawn' "  # noqa: S608 - a fixed table name
            "WHERE voided_at IS NOT NULL AND void_reason IS NULL"
        )
        op.execute(
            f"UPDATE {table} SET void_reason = NULL "  # noqa: S608 - a fixed table name
            "WHERE voided_at IS NULL AND void_reason IS NOT NULL"
        )
    for table in NEW_VOID:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
    for table in HAD_VOID + NEW_VOID:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_void_has_reason"), VOID_HAS_REASON)

    with op.batch_alter_table("rate_cards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_rate_cards_valid_from"), type_="unique")
        batch_op.create_index(batch_op.f("ix_rate_cards_valid_from"), ["valid_from"], unique=False)

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credits_invoice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invoices_credits_invoice_id_invoices"),
            "invoices",
            ["credits_invoice_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_credits_invoice_id"), ["credits_invoice_id"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_invoices_credits"), "credits_invoice_id IS NULL OR credits_invoice_id <> id"
        )


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invoices_credits"), type_="check")
        batch_op.drop_index(batch_op.f("ix_invoices_credits_invoice_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_invoices_credits_invoice_id_invoices"), type_="foreignkey"
        )
        batch_op.drop_column("credits_invoice_id")

    # Going down fails if two rate cards share a first day (a voided one and its correction),
    # which is the point: the older schema cannot hold them.
    with op.batch_alter_table("rate_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_cards_valid_from"))
        batch_op.create_unique_constraint(batch_op.f("uq_rate_cards_valid_from"), ["valid_from"])

    for table in HAD_VOID + NEW_VOID:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_void_has_reason"), type_="check")
    for table in NEW_VOID:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("void_reason")
            batch_op.drop_column("voided_at")
