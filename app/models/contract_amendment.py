"""ContractAmendment: a dated change to a contract (förlängning, utökning, prisändring)."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.models.base import PUBLISHED_ID
from app.models.base import Hours
from app.models.base import Money
from app.models.base import ProvenanceMixin
from app.models.base import TimestampMixin
from app.models.base import VersionMixin
from app.models.base import VoidMixin
from app.models.base import db
from app.models.base import intpk
from app.models.base import void_has_reason

if TYPE_CHECKING:
    from app.models.contract import Contract


class AmendmentKind(enum.StrEnum):
    EXTENSION = "extension"  #: förlängning: a later end date
    EXPANSION = "expansion"  #: utökning: more money or more hours
    PRICE_CHANGE = "price_change"  #: prisändring: a new hourly rate
    OTHER = "other"


class ContractAmendment(TimestampMixin, ProvenanceMixin, VersionMixin, VoidMixin, db.Model):
    __tablename__ = "contract_amendments"
    __table_args__ = (void_has_reason(), PUBLISHED_ID)

    id: Mapped[intpk]
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    #: The day the amendment was agreed; its changes apply from this date.
    dated_on: Mapped[dt.date]
    kind: Mapped[AmendmentKind] = mapped_column(
        sa.Enum(
            AmendmentKind,
            name="amendment_kind",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda kinds: [k.value for k in kinds],
        )
    )
    #: The contract's end date from now on; empty when unchanged.
    new_ends_on: Mapped[dt.date | None]
    #: Added to the ceiling (negative to reduce it), excl. VAT, in the contract's currency.
    added_amount: Mapped[Decimal | None] = mapped_column(Money)
    #: Added to the hour quota (negative to reduce it).
    added_hours: Mapped[Decimal | None] = mapped_column(Hours)
    #: The hourly rate from now on; empty when unchanged.
    new_hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    contract: Mapped[Contract] = relationship(back_populates="amendments")

    def __repr__(self) -> str:
        return f"<ContractAmendment {self.id} {self.kind} {self.dated_on}>"
