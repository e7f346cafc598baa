"""RateCard: the day rate (dagsarvode) charged for lectures during a period."""

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
from app.models.base import VoidMixin
from app.models.base import currency_code
from app.models.base import db
from app.models.base import intpk
from app.models.base import void_has_reason


class RateCard(TimestampMixin, VersionMixin, VoidMixin, db.Model):
    __tablename__ = "rate_cards"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", "period"),
        sa.CheckConstraint("day_rate >= 0", "day_rate"),
        void_has_reason(),
        PUBLISHED_ID,
    )

    id: Mapped[intpk]
    #: First day the rate applies. Not unique: a voided card keeps its date, and the service
    #: refuses a period that overlaps a card in force.
    valid_from: Mapped[dt.date] = mapped_column(index=True)
    #: Last day the rate applies (inclusive); empty while open-ended. The periods of the cards
    #: in force never overlap.
    valid_to: Mapped[dt.date | None]
    #: Fee per started day, in ``currency``.
    day_rate: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[currency_code]
    #: Where the rate was decided (a decision's registry number, a policy).
    basis: Mapped[str | None] = mapped_column(sa.Text)

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls within this card's period."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<RateCard {self.valid_from}–{self.valid_to} {self.day_rate}>"
