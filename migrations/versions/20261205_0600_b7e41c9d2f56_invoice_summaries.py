"""Invoice summaries: the valid invoices' sums per (date basis, vendor, year, month,
currency, category, department, contract), and per (date basis, year, vendor, currency),
with counts, filled here from the invoices.

Reports, the balance, the front page and a vendor's yearly bars read these sums instead of
the invoices whenever their filters allow; every write that changes an invoice keeps them
exact in its own transaction (``app.services.summaries``). By invoice date every valid
invoice is in a row; by payment date only the paid ones. A category, department or contract
of 0 means none.

The grouping is written out here, not imported, so that this revision keeps meaning what it
meant when it was applied.

Revision ID: b7e41c9d2f56
Revises: f0811bef4f63
Create Date: 2026-12-05 06:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e41c9d2f56"
down_revision = "f0811bef4f63"
branch_labels = None
depends_on = None

_INVOICES = sa.table(
    "invoices",
    sa.column("vendor_id", sa.Integer),
    sa.column("invoiced_on", sa.Date),
    sa.column("paid_on", sa.Date),
    sa.column("currency", sa.String),
    sa.column("category_id", sa.Integer),
    sa.column("department_id", sa.Integer),
    sa.column("contract_id", sa.Integer),
    sa.column("net_amount", sa.BigInteger),
    sa.column("vat_amount", sa.BigInteger),
    sa.column("voided_at", sa.DateTime),
)
_COLUMNS = [
    "date_basis",
    "vendor_id",
    "year",
    "month",
    "currency",
    "category_id",
    "department_id",
    "contract_id",
    "net_amount",
    "vat_amount",
    "invoice_count",
]


_YEAR_COLUMNS = [
    "date_basis",
    "year",
    "vendor_id",
    "currency",
    "net_amount",
    "vat_amount",
    "invoice_count",
]


def _grouped(basis: str, date, by_year: bool = False):
    i = _INVOICES.c
    year = sa.cast(sa.extract("year", date), sa.Integer)
    keys = [
        sa.literal(basis, sa.String),
        i.vendor_id,
        year,
        sa.cast(sa.extract("month", date), sa.Integer),
        i.currency,
        sa.func.coalesce(i.category_id, 0),
        sa.func.coalesce(i.department_id, 0),
        sa.func.coalesce(i.contract_id, 0),
    ]
    if by_year:
        keys = [keys[0], year, i.vendor_id, i.currency]
    return (
        sa.select(*keys, sa.func.sum(i.net_amount), sa.func.sum(i.vat_amount), sa.func.count())
        .where(i.voided_at.is_(None), date.is_not(None))
        .group_by(*keys[1:])
    )


def upgrade():
    summaries = op.create_table(
        "invoice_summaries",
        sa.Column("date_basis", sa.String(length=8), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("invoice_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "date_basis IN ('invoiced', 'paid')", name=op.f("ck_invoice_summaries_date_basis")
        ),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_invoice_summaries_month")),
        sa.PrimaryKeyConstraint(
            "date_basis",
            "vendor_id",
            "year",
            "month",
            "currency",
            "category_id",
            "department_id",
            "contract_id",
            name=op.f("pk_invoice_summaries"),
        ),
    )
    op.create_index(
        "ix_invoice_summaries_date_basis_year",
        "invoice_summaries",
        ["date_basis", "year", "month"],
        unique=False,
    )
    years = op.create_table(
        "invoice_year_summaries",
        sa.Column("date_basis", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("invoice_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "date_basis IN ('invoiced', 'paid')", name=op.f("ck_invoice_year_summaries_date_basis")
        ),
        sa.PrimaryKeyConstraint(
            "date_basis", "year", "vendor_id", "currency", name=op.f("pk_invoice_year_summaries")
        ),
    )
    for basis, date in (("invoiced", _INVOICES.c.invoiced_on), ("paid", _INVOICES.c.paid_on)):
        op.execute(sa.insert(summaries).from_select(_COLUMNS, _grouped(basis, date)))
        op.execute(sa.insert(years).from_select(_YEAR_COLUMNS, _grouped(basis, date, True)))


def downgrade():
    op.drop_table("invoice_year_summaries")
    op.drop_index("ix_invoice_summaries_date_basis_year", table_name="invoice_summaries")
    op.drop_table("invoice_summaries")
