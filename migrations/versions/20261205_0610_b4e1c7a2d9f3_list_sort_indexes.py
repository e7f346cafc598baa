"""Indexes for keyset paging: each order a list offers, with the id that breaks ties.

A list page is read by seeking to the last row of the page before in an index on
``(sort column, id)`` (``WHERE (invoiced_on, id) < (:day, :id) ORDER BY invoiced_on DESC,
id DESC LIMIT 51``), in either direction, so that the thousandth page costs what the first
does. The single-column indexes these replace are prefixes of them.

Revision ID: b4e1c7a2d9f3
Revises: b7e41c9d2f56
Create Date: 2026-12-05 06:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b4e1c7a2d9f3"
down_revision = "b7e41c9d2f56"
branch_labels = None
depends_on = None

#: (table, old single-column index or None, new index, columns)
INDEXES = [
    ("invoices", "ix_invoices_invoiced_on", "ix_invoices_invoiced_on_id", ["invoiced_on", "id"]),
    ("invoices", "ix_invoices_paid_on", "ix_invoices_paid_on_id", ["paid_on", "id"]),
    ("invoices", None, "ix_invoices_invoice_number_id", ["invoice_number", "id"]),
    ("invoices", None, "ix_invoices_net_amount_id", ["net_amount", "id"]),
    ("vendors", "ix_vendors_name_key", "ix_vendors_name_key_id", ["name_key", "id"]),
    ("vendors", None, "ix_vendors_created_at_id", ["created_at", "id"]),
    ("engagements", "ix_engagements_first_day", "ix_engagements_first_day_id", ["first_day", "id"]),
    ("contracts", None, "ix_contracts_starts_on_id", ["starts_on", "id"]),
]


def upgrade():
    for table, old, new, columns in INDEXES:
        op.create_index(new, table, columns)
        if old:
            op.drop_index(old, table_name=table)


def downgrade():
    for table, old, new, columns in reversed(INDEXES):
        if old:
            op.create_index(old, table, columns[:1])
        op.drop_index(new, table_name=table)
