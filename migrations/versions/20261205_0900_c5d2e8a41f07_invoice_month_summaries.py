"""Invoice month summaries: the valid invoices' sums per (date basis, year, month, currency,
category, department), every vendor and contract together, filled here from the invoice
summaries.

The whole ledger's figures by month, category or department (totals by month × category, a
year's costs by category) read these few thousand rows instead of the invoice summaries,
which hold a row per vendor, month, category, department and contract and so grow with the
ledger. Every write that changes an invoice keeps them exact in its own transaction, as it
does the other summaries (``app.services.summaries``).

Revision ID: c5d2e8a41f07
Revises: e7a3f9c2b1d6
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5d2e8a41f07"
down_revision = "e7a3f9c2b1d6"
branch_labels = None
depends_on = None

_KEY = ["date_basis", "year", "month", "currency", "category_id", "department_id"]
_SUMS = ["net_amount", "vat_amount", "invoice_count"]
_SUMMARIES = sa.table("invoice_summaries", *(sa.column(name) for name in _KEY + _SUMS))


def upgrade():
    months = op.create_table(
        "invoice_month_summaries",
        sa.Column("date_basis", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("invoice_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "date_basis IN ('invoiced', 'paid')",
            name=op.f("ck_invoice_month_summaries_date_basis"),
        ),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_invoice_month_summaries_month")),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_invoice_month_summaries")),
    )
    keys = [_SUMMARIES.c[name] for name in _KEY]
    grouped = sa.select(*keys, *(sa.func.sum(_SUMMARIES.c[name]) for name in _SUMS)).group_by(*keys)
    op.execute(sa.insert(months).from_select(_KEY + _SUMS, grouped))


def downgrade():
    op.drop_table("invoice_month_summaries")
