"""FlagSettings: the settings flags are computed under that are not dated, kept in one row an
administrator changes (the dated direct-award thresholds have their own table). Kept in the
database, not in the configuration, so that flags follow from the data alone, every change
is in the audit trail, and a change takes effect without a restart."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Hundredths
from app.models.base import TimestampMixin
from app.models.base import VersionMixin
from app.models.base import db

#: The id of the only row: the table holds one set of settings, never two.
SETTINGS_ID = 1


class FlagSettings(TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "flag_settings"
    __table_args__ = (
        sa.CheckConstraint(f"id = {SETTINGS_ID}", "one_row"),
        sa.CheckConstraint("amendment_review_percent >= 0", "amendment_review_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: Amendments that raise a contract's ceiling by more than this share of its original
    #: value are flagged (amendment inflation), in percent with up to two decimals (10, 7.5).
    #: A review trigger the body sets to its own rules, not a statement of the law. Stored as
    #: hundredths of a percent (SQLite has no exact decimal type).
    amendment_review_percent: Mapped[Decimal] = mapped_column(Hundredths)

    def __str__(self) -> str:
        return f"{format(self.amendment_review_percent.normalize(), 'f')} %"
