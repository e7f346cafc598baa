"""InvoiceSummary: the valid invoices' sums per month and grouping key,
InvoiceYearSummary: the same per year, vendor and currency, InvoiceContractYearSummary: per
year, contract, vendor and currency, and InvoiceMonthSummary: the same per month, currency,
category and department (every vendor and contract together); all kept
exact in the same transaction as every write that changes them (``app.services.summaries``).

Derived data: ``insyn db rebuild-summaries`` recomputes the table from the invoices and
reports any difference. A row exists only while at least one valid invoice falls in it.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Money
from app.models.base import db

#: The dates a summary row is by: the invoice date, or the payment date (unpaid invoices
#: are in no row by payment date).
DATE_BASES = ("invoiced", "paid")
#: The id a row holds for "no category", "no department" or "no contract" (as the filters'
#: ``NONE``): a key part is never NULL, so that the primary key is one row per group on
#: SQLite and PostgreSQL alike.
NONE = 0


class InvoiceSummary(db.Model):
    __tablename__ = "invoice_summaries"
    __table_args__ = (
        sa.PrimaryKeyConstraint(
            "date_basis",
            "vendor_id",
            "year",
            "month",
            "currency",
            "category_id",
            "department_id",
            "contract_id",
        ),
        sa.Index("ix_invoice_summaries_date_basis_year", "date_basis", "year", "month"),
        sa.CheckConstraint("date_basis IN ('invoiced', 'paid')", "date_basis"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", "month"),
    )

    #: "invoiced" (by invoice date) or "paid" (by payment date).
    date_basis: Mapped[str] = mapped_column(sa.String(8))
    #: No foreign keys: the table is derived, and a key part of 0 means "none".
    vendor_id: Mapped[int]
    year: Mapped[int]
    #: 1–12.
    month: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: 0 for the invoices without a category.
    category_id: Mapped[int]
    #: 0 for the invoices without a department.
    department_id: Mapped[int]
    #: 0 for the invoices under no contract.
    contract_id: Mapped[int]
    #: Sum of the invoices' amounts excl. VAT, in ``currency`` (whole öre stored).
    net_amount: Mapped[Decimal] = mapped_column(Money)
    #: Sum of their VAT (whole öre stored).
    vat_amount: Mapped[Decimal] = mapped_column(Money)
    #: How many valid invoices the row sums. No CHECK: an upsert's proposed row carries a
    #: negative delta, checked before it meets the row it adds to.
    invoice_count: Mapped[int]

    def __repr__(self) -> str:
        return (
            f"<InvoiceSummary {self.date_basis} {self.year}-{self.month:02d} "
            f"v{self.vendor_id} {self.currency} {self.net_amount} ×{self.invoice_count}>"
        )


class InvoiceYearSummary(db.Model):
    """The same sums by year, vendor and currency only: the few rows the whole-ledger figures
    read (the pivot, the front page, a year's costs by vendor, a vendor's years), however
    many invoices there are."""

    __tablename__ = "invoice_year_summaries"
    __table_args__ = (
        sa.PrimaryKeyConstraint("date_basis", "year", "vendor_id", "currency"),
        sa.CheckConstraint("date_basis IN ('invoiced', 'paid')", "date_basis"),
    )

    #: "invoiced" (by invoice date) or "paid" (by payment date).
    date_basis: Mapped[str] = mapped_column(sa.String(8))
    year: Mapped[int]
    vendor_id: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: Sum of the invoices' amounts excl. VAT, in ``currency`` (whole öre stored).
    net_amount: Mapped[Decimal] = mapped_column(Money)
    #: Sum of their VAT (whole öre stored).
    vat_amount: Mapped[Decimal] = mapped_column(Money)
    #: How many valid invoices the row sums.
    invoice_count: Mapped[int]


class InvoiceContractYearSummary(db.Model):
    """The same sums by year, contract, vendor and currency only (contract 0: the invoices
    under none): the rows a year's flags read to choose its busiest contracts and to sum
    each vendor's spend without a contract, a year's worth being a row per vendor and
    contract, not per month, category and department."""

    __tablename__ = "invoice_contract_year_summaries"
    __table_args__ = (
        sa.PrimaryKeyConstraint("date_basis", "year", "contract_id", "vendor_id", "currency"),
        sa.CheckConstraint("date_basis IN ('invoiced', 'paid')", "date_basis"),
    )

    #: "invoiced" (by invoice date) or "paid" (by payment date).
    date_basis: Mapped[str] = mapped_column(sa.String(8))
    year: Mapped[int]
    #: The contract's id, or 0 (:data:`NONE`) for the invoices under none.
    contract_id: Mapped[int]
    vendor_id: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: Sum of the invoices' amounts excl. VAT, in ``currency`` (whole öre stored).
    net_amount: Mapped[Decimal] = mapped_column(Money)
    #: Sum of their VAT (whole öre stored).
    vat_amount: Mapped[Decimal] = mapped_column(Money)
    #: How many valid invoices the row sums.
    invoice_count: Mapped[int]


class InvoiceMonthSummary(db.Model):
    """The same sums by month, currency, category and department only, every vendor and
    contract together: the few thousand rows that the whole ledger's figures by month,
    category or department read (totals by month × category, a year's costs by category),
    however many invoices and vendors there are."""

    __tablename__ = "invoice_month_summaries"
    __table_args__ = (
        sa.PrimaryKeyConstraint(
            "date_basis", "year", "month", "currency", "category_id", "department_id"
        ),
        sa.CheckConstraint("date_basis IN ('invoiced', 'paid')", "date_basis"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", "month"),
    )

    #: "invoiced" (by invoice date) or "paid" (by payment date).
    date_basis: Mapped[str] = mapped_column(sa.String(8))
    year: Mapped[int]
    month: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: The category's id, or 0 (:data:`NONE`) for the invoices without one.
    category_id: Mapped[int]
    #: The department's id, or 0 for the invoices without one.
    department_id: Mapped[int]
    #: Sum of the invoices' amounts excl. VAT, in ``currency`` (whole öre stored).
    net_amount: Mapped[Decimal] = mapped_column(Money)
    #: Sum of their VAT (whole öre stored).
    vat_amount: Mapped[Decimal] = mapped_column(Money)
    #: How many valid invoices the row sums.
    invoice_count: Mapped[int]
