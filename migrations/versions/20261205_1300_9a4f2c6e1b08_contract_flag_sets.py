"""Contract flag sets: each contract's flags as last computed, so that pages listing many
contracts' flags read them instead of every invoice of every contract.

Created empty: a contract without a row has its flags computed from its invoices when shown,
as before, and ``insyn db rebuild-summaries`` fills the table (every later write keeps the
rows it touches exact, in its own transaction; ``app.services.flag_store``).

Revision ID: 9a4f2c6e1b08
Revises: c5d2e8a41f07
Create Date: 2026-12-05 13:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9a4f2c6e1b08"
down_revision = "c5d2e8a41f07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contract_flag_sets",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("settings", sa.String(length=80), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_flag_sets_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_contract_flag_sets")),
    )


def downgrade():
    op.drop_table("contract_flag_sets")
