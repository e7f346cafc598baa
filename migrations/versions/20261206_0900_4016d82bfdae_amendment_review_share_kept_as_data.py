"""The amendment review share kept as data: one row of flag settings an administrator keeps
(with its version, and in the audit trail), instead of the INSYN_AMENDMENT_REVIEW_PERCENT
setting read from the environment.

The row starts at 10 %, the old default; an installation whose environment still sets
INSYN_AMENDMENT_REVIEW_PERCENT when it upgrades keeps that share, so its flags (and the
contracts' stored flags, keyed by the share) stay as they were. ``insyn check`` then says the
variable is no longer read.

Revision ID: 4016d82bfdae
Revises: 3d6b8e2f7a15
Create Date: 2026-12-06 09:00:00.000000

"""

import datetime as dt
import os
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4016d82bfdae"
down_revision = "3d6b8e2f7a15"
branch_labels = None
depends_on = None

#: The share the configuration defaulted to, in percent.
DEFAULT_PERCENT = Decimal(10)
#: The largest share an administrator may set, in percent (app/services/flag_rules.py).
MAX_PERCENT = Decimal(1000)


def _share_in_force() -> Decimal:
    """The share the installation ran with: the environment's, if it sets a number from 0 to
    ``MAX_PERCENT`` (the most an administrator may set), else the default."""
    raw = os.environ.get("INSYN_AMENDMENT_REVIEW_PERCENT", "").strip()
    try:
        share = Decimal(raw)
    except InvalidOperation:
        return DEFAULT_PERCENT
    if not share.is_finite() or not 0 <= share <= MAX_PERCENT:
        return DEFAULT_PERCENT
    return share


def upgrade():
    settings = op.create_table(
        "flag_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        # Hundredths of a percent: 1000 is 10 %.
        sa.Column("amendment_review_percent", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_flag_settings_one_row")),
        sa.CheckConstraint(
            "amendment_review_percent >= 0",
            name=op.f("ck_flag_settings_amendment_review_percent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_settings")),
    )
    hundredths = int((_share_in_force() * 100).to_integral_value(rounding=ROUND_HALF_UP))
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        settings,
        [
            {
                "id": 1,
                "amendment_review_percent": hundredths,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        ],
    )


def downgrade():
    op.drop_table("flag_settings")
