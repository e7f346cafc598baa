"""Imports: batches with their provenance and outcome, background import jobs, withdrawn
contracts and engagements, and invoices as postings.

A ledger splits one invoice over several postings (accounts, units), so the same vendor and
invoice number may now stand on several rows; a plain index replaces the unique constraint
(hand entry still refuses a second invoice with a number, in the service). Going back down
fails if such rows exist, which is the point.

Revision ID: c1a762e9780f
Revises: 180d87d0e89b
Create Date: 2026-11-25 07:42:09.899557

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1a762e9780f"
down_revision = "180d87d0e89b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_rows", sa.Integer(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_import_jobs_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_jobs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_jobs_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("counts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("totals", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("undone_by", sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_import_batches_user_id_users"), "users", ["user_id"], ["id"]
        )

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_invoices_vendor_id_invoice_number"), type_="unique")
        batch_op.create_index(
            "ix_invoices_vendor_id_invoice_number", ["vendor_id", "invoice_number"], unique=False
        )


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_vendor_id_invoice_number")
        batch_op.create_unique_constraint(
            batch_op.f("uq_invoices_vendor_id_invoice_number"), ["vendor_id", "invoice_number"]
        )

    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_batches_user_id_users"), type_="foreignkey")
        batch_op.drop_column("undone_by")
        batch_op.drop_column("undone_at")
        batch_op.drop_column("totals")
        batch_op.drop_column("counts")
        batch_op.drop_column("actor")
        batch_op.drop_column("user_id")
        batch_op.drop_column("size_bytes")

    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_at")

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_at")

    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_jobs_user_id"))

    op.drop_table("import_jobs")
