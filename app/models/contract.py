"""Contract: an agreement (avtal) with a vendor, with its original terms.

Amendments (``ContractAmendment``) change the end date, ceiling, hours or rate from a date on;
the original terms stay here untouched, and the current terms are derived from both
(``app.services.contracts.contract_terms``), never stored twice.
"""

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
from app.models.base import currency_code
from app.models.base import db
from app.models.base import intpk
from app.models.base import void_has_reason

if TYPE_CHECKING:
    from app.models.contract_amendment import ContractAmendment
    from app.models.vendor import Vendor


class ProcurementBasis(enum.StrEnum):
    """How the contract was procured."""

    DIRECT_AWARD = "direct_award"  #: direktupphandling: no tender, below a threshold
    FRAMEWORK_AGREEMENT = "framework_agreement"  #: ramavtal: a call-off from a framework
    OPEN_TENDER = "open_tender"  #: öppen upphandling: advertised procurement
    OTHER = "other"


class Contract(TimestampMixin, ProvenanceMixin, VersionMixin, VoidMixin, db.Model):
    __tablename__ = "contracts"
    __table_args__ = (
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", "period"
        ),
        sa.CheckConstraint("ceiling_amount IS NULL OR ceiling_amount >= 0", "ceiling"),
        sa.CheckConstraint("hour_quota IS NULL OR hour_quota >= 0", "hour_quota"),
        sa.CheckConstraint("hourly_rate IS NULL OR hourly_rate >= 0", "hourly_rate"),
        void_has_reason(),
        # The contract list's order, with the id that breaks ties (keyset paging).
        sa.Index("ix_contracts_starts_on_id", "starts_on", "id"),
        PUBLISHED_ID,
    )

    id: Mapped[intpk]
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"), index=True)
    #: Registry number in the public record (diarienummer), e.g. "KS 2009/123".
    reference: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    procurement_basis: Mapped[ProcurementBasis] = mapped_column(
        sa.Enum(
            ProcurementBasis,
            name="procurement_basis",
            native_enum=False,
            create_constraint=True,
            length=30,
            values_callable=lambda kinds: [k.value for k in kinds],
        ),
        default=ProcurementBasis.OTHER,
    )
    signed_on: Mapped[dt.date | None]
    starts_on: Mapped[dt.date | None]
    #: The original end date; extensions are amendments.
    ends_on: Mapped[dt.date | None]
    #: Original ceiling (takbelopp), excl. VAT, in ``currency``.
    ceiling_amount: Mapped[Decimal | None] = mapped_column(Money)
    #: Original number of hours agreed.
    hour_quota: Mapped[Decimal | None] = mapped_column(Hours)
    #: Original price per hour, excl. VAT, in ``currency``.
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[currency_code]
    notes: Mapped[str | None] = mapped_column(sa.Text)

    vendor: Mapped[Vendor] = relationship(back_populates="contracts")
    #: Every amendment, voided ones included (they stay on record; the terms leave them out).
    #: No delete cascade: amendments are voided, never deleted.
    amendments: Mapped[list[ContractAmendment]] = relationship(
        back_populates="contract",
        cascade="save-update, merge",
        order_by="(ContractAmendment.dated_on, ContractAmendment.id)",
    )

    @staticmethod
    def label(reference: str | None, title: str) -> str:
        """How a contract is named: its reference, if it has one, then its title."""
        return f"{reference} {title}" if reference else title

    def __str__(self) -> str:
        return self.label(self.reference, self.title)

    def __repr__(self) -> str:
        return f"<Contract {self.id} {self.reference!r}>"
