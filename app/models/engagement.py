"""Engagement: a lecture or similar assignment the public body is paid for (fee income).

The fee is the number of started days times the day rate in force on the first day. Every
calendar day from the first to the last counts once: a lecture on the 3rd and 4th is two days,
a two-hour talk one. Travel and lodging paid by the organiser are recorded, never counted as
income.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import PUBLISHED_ID
from app.models.base import Money
from app.models.base import ProvenanceMixin
from app.models.base import TimestampMixin
from app.models.base import VersionMixin
from app.models.base import VoidMixin
from app.models.base import currency_code
from app.models.base import db
from app.models.base import intpk
from app.models.base import void_has_reason

if TYPE_CHECKING:
    from app.models.rate_card import RateCard


class Engagement(TimestampMixin, ProvenanceMixin, VersionMixin, VoidMixin, db.Model):
    __tablename__ = "engagements"
    __table_args__ = (
        sa.CheckConstraint("last_day >= first_day", "period"),
        sa.CheckConstraint("started_days >= 1", "started_days"),
        # Kept by the service; the database refuses a fee that is not days × rate.
        sa.CheckConstraint("fee_amount = started_days * day_rate", "fee"),
        sa.CheckConstraint(
            "rate_card_id IS NOT NULL OR rate_override_reason IS NOT NULL", "rate_source"
        ),
        void_has_reason(),
        # The fee-income list's order, with the id that breaks ties (keyset paging).
        sa.Index("ix_engagements_first_day_id", "first_day", "id"),
        PUBLISHED_ID,
    )

    id: Mapped[intpk]
    organiser_name: Mapped[str] = mapped_column(sa.String(300))
    #: The organiser's organisation number, normalised NNNNNN-NNNN (or a foreign id).
    organiser_org_number: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    #: The organiser is a private person (``app.privacy.is_private_person``: a personnummer,
    #: or a name written SURNAME;FIRSTNAME), shown to staff only; kept by the service.
    organiser_is_private: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    first_day: Mapped[dt.date]
    last_day: Mapped[dt.date]
    topic: Mapped[str] = mapped_column(sa.String(300))
    speaker: Mapped[str | None] = mapped_column(sa.String(200))
    #: Calendar days from ``first_day`` to ``last_day``, both included.
    started_days: Mapped[int]
    #: The rate card in force on ``first_day``; empty when the rate was overridden.
    rate_card_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rate_cards.id"), index=True)
    #: Fee per started day applied to this engagement, in ``currency``.
    day_rate: Mapped[Decimal] = mapped_column(Money)
    #: Why ``day_rate`` differs from the rate card; empty when the card's rate applies.
    rate_override_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: ``started_days`` × ``day_rate``: the income.
    fee_amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[currency_code]
    #: Whether the organiser pays travel and lodging (never counted as income).
    organiser_pays_travel: Mapped[bool] = mapped_column(default=False)
    #: What the organiser paid for travel and lodging, when known.
    travel_amount: Mapped[Decimal | None] = mapped_column(Money)
    #: The number of the invoice sent to the organiser.
    outgoing_invoice_number: Mapped[str | None] = mapped_column(sa.String(100))
    #: When the organiser paid the fee.
    paid_on: Mapped[dt.date | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)

    rate_card: Mapped[RateCard | None] = relationship()

    def __repr__(self) -> str:
        return f"<Engagement {self.id} {self.organiser_name!r} {self.first_day}>"
