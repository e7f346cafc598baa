"""Invoice: a supplier invoice (leverantörsfaktura); a credit note is one with a negative amount.

Invoices are never deleted. A wrong one is voided with a reason: it stays visible, marked, and
drops out of every total.
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
    from app.models.category import Category
    from app.models.contract import Contract
    from app.models.department import Department
    from app.models.vendor import Vendor


class Invoice(TimestampMixin, ProvenanceMixin, VersionMixin, VoidMixin, db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        # Not unique: a ledger splits one invoice over several postings (accounts, units).
        # Entering the same vendor and number twice by hand is refused by the service.
        sa.Index("ix_invoices_vendor_id_invoice_number", "vendor_id", "invoice_number"),
        void_has_reason(),
        # A credit note credits another invoice, never itself.
        sa.CheckConstraint("credits_invoice_id IS NULL OR credits_invoice_id <> id", "credits"),
        sa.Index("ix_invoices_vendor_id_invoiced_on", "vendor_id", "invoiced_on"),
        # One for each order of the invoice list, with the id that breaks ties: a page is
        # read by seeking in one of these (keyset paging), in either direction.
        sa.Index("ix_invoices_invoiced_on_id", "invoiced_on", "id"),
        sa.Index("ix_invoices_paid_on_id", "paid_on", "id"),
        sa.Index("ix_invoices_invoice_number_id", "invoice_number", "id"),
        sa.Index("ix_invoices_net_amount_id", "net_amount", "id"),
        PUBLISHED_ID,
    )

    id: Mapped[intpk]
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"))
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    #: The vendor's own invoice number; unique per vendor.
    invoice_number: Mapped[str] = mapped_column(sa.String(100))
    #: Invoice date (fakturadatum).
    invoiced_on: Mapped[dt.date]
    #: Payment date (betaldatum); empty while unpaid.
    paid_on: Mapped[dt.date | None]
    #: Amount excluding VAT, in ``currency``; negative for a credit note.
    net_amount: Mapped[Decimal] = mapped_column(Money)
    #: VAT (moms) on the invoice, in ``currency``; negative for a credit note.
    vat_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    currency: Mapped[currency_code]
    #: Hours billed, for invoices under an hourly contract.
    hours: Mapped[Decimal | None] = mapped_column(Hours)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    #: For a credit note: the invoice it credits (same vendor; the credit note is negative).
    credits_invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), index=True)

    vendor: Mapped[Vendor] = relationship()
    contract: Mapped[Contract | None] = relationship()
    category: Mapped[Category | None] = relationship()
    department: Mapped[Department | None] = relationship()
    #: The invoice this credit note credits.
    credits: Mapped[Invoice | None] = relationship(
        remote_side="Invoice.id", back_populates="credited_by"
    )
    #: The credit notes that credit this invoice.
    credited_by: Mapped[list[Invoice]] = relationship(
        back_populates="credits", order_by="(Invoice.invoiced_on, Invoice.id)"
    )

    @property
    def gross_amount(self) -> Decimal:
        """Amount including VAT."""
        return self.net_amount + (self.vat_amount or Decimal("0.00"))

    @property
    def vendor_name(self) -> str:
        return self.vendor.name

    @property
    def category_name(self) -> str | None:
        return self.category.name if self.category else None

    @property
    def is_credit_note(self) -> bool:
        return self.net_amount < 0

    def __repr__(self) -> str:
        return f"<Invoice {self.id} {self.invoice_number!r} {self.net_amount}>"
