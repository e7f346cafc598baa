"""DirectAwardThreshold: the amount below which a purchase may be made without a tender
(direktupphandlingsgräns), from a date. The law changes it; an administrator keeps it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import PUBLISHED_ID
from app.models.base import Money
from app.models.base import TimestampMixin
from app.models.base import VersionMixin
from app.models.base import currency_code
from app.models.base import db
from app.models.base import intpk


class DirectAwardThreshold(TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "direct_award_thresholds"
    __table_args__ = PUBLISHED_ID

    id: Mapped[intpk]
    #: The first day the amount applies; it applies until the next one's first day.
    valid_from: Mapped[dt.date] = mapped_column(unique=True)
    #: Yearly spend with one vendor without a contract above which Insyn raises a flag,
    #: excl. VAT, in ``currency``.
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[currency_code]
    #: Where the amount comes from (the law, a decision), or why it is only an example.
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: An example shipped with Insyn, to be checked against the law before it is relied on.
    is_example: Mapped[bool] = mapped_column(default=False)

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.amount} {self.currency}"
