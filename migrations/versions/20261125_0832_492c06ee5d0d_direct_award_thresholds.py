"""Direct-award thresholds: dated amounts an administrator keeps, with one example shipped.

The example is marked as such and says it must be checked against the law: Insyn never
presents it as law. (Swedish law set the direct-award limit for municipalities to 15 % of the
threshold for goods and services, about 287 000 SEK in 2010; it has changed many times since.)

Revision ID: 492c06ee5d0d
Revises: c1a762e9780f
Create Date: 2026-11-25 08:32:15.186310

"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "492c06ee5d0d"
down_revision = "c1a762e9780f"
branch_labels = None
depends_on = None


def upgrade():
    thresholds = op.create_table(
        "direct_award_thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_award_thresholds")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_direct_award_thresholds_valid_from")),
    )

    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        thresholds,
        [
            {
                "valid_from": dt.date(2010, 1, 1),
                "amount": 28_700_000,  # öre
                "currency": "SEK",
                "note": "Exempelvärde: kontrollera mot gällande lag innan flaggorna används. "
                "Example value: check it against the law in force before relying on the flags.",
                "is_example": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        ],
    )


def downgrade():
    op.drop_table("direct_award_thresholds")
