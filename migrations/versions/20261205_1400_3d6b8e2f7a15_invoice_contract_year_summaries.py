"""Invoice contract year summaries: the valid invoices' sums per (date basis, year, contract,
vendor, currency), filled here from the invoice summaries.

A year's flags choose the contracts with most invoices that year and sum each vendor's
spend without a contract (contract 0); these rows answer both with the year as the key's
prefix, instead of the invoice summaries' rows per month, category and department. Every
write that changes an invoice keeps them exact in its own transaction, as it does the other
summaries (``app.services.summaries``).

Revision ID: 3d6b8e2f7a15
Revises: 9a4f2c6e1b08
Create Date: 2026-12-05 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3d6b8e2f7a15"
down_revision = "9a4f2c6e1b08"
branch_labels = None
depends_on = None

_KEY = ["date_basis", "year", "contract_id", "vendor_id", "currency"]
_SUMS = ["net_amount", "vat_amount", "invoice_count"]
_SUMMARIES = sa.table("invoice_summaries", *(sa.column(name) for name in _KEY + _SUMS))


def upgrade():
    years = op.create_table(
        "invoice_contract_year_summaries",
        sa.Column("date_basis", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("invoice_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "date_basis IN ('invoiced', 'paid')",
            name=op.f("ck_invoice_contract_year_summaries_date_basis"),
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_invoice_contract_year_summaries")),
    )
    keys = [_SUMMARIES.c[name] for name in _KEY]
    grouped = sa.select(*keys, *(sa.func.sum(_SUMMARIES.c[name]) for name in _SUMS)).group_by(*keys)
    op.execute(sa.insert(years).from_select(_KEY + _SUMS, grouped))


def downgrade():
    op.drop_table("invoice_contract_year_summaries")
