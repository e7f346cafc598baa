"""The balance of a year: consultant costs (by vendor and by category) against lecture-fee
income (by organiser, with the day rate in force and the started days), and the net, per
currency. All sums are computed in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Engagement
from app.models import InvoiceYearSummary
from app.privacy import Audience
from app.privacy import hidden_name
from app.privacy import public_vendor_name
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import TotalRow
from app.services.totals import TotalsQuery
from app.services.totals import totals

ZERO = Decimal("0.00")


@dataclass
class IncomeRow:
    """One organiser's engagements in the year, at one day rate."""

    organiser: str  #: as the audience may see it: "Privatperson" for a private one
    currency: str
    day_rate: Decimal
    started_days: int
    fees: Decimal
    count: int
    travel_paid: Decimal  #: paid by the organiser; recorded, never income
    is_private: bool = False  #: a private person (named only to staff)


@dataclass
class Balance:
    """Costs against income in one year (``date_basis`` dates the costs)."""

    year: int
    date_basis: str
    costs_by_vendor: list[TotalRow]
    costs_by_category: list[TotalRow]
    income: list[IncomeRow]
    costs: dict[str, Decimal] = field(default_factory=dict)
    income_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def currencies(self) -> list[str]:
        return sorted(set(self.costs) | set(self.income_totals))

    def net(self, currency: str) -> Decimal:
        """Income minus costs in ``currency``: negative when the year cost more than it earned."""
        return self.income_totals.get(currency, ZERO) - self.costs.get(currency, ZERO)


def balance(year: int, date_basis: str, audience: Audience) -> Balance:
    """The balance of ``year``: costs excl. VAT of valid invoices dated that year (by invoice
    or payment date), against the fees of engagements whose first day falls in that year.
    Vendors and organisers who are private persons are named as ``audience`` may see them."""
    filters = InvoiceFilters(year=year, date_basis=date_basis, status="active", audience=audience)
    by_vendor = totals(TotalsQuery(by=("vendor",), filters=filters))
    by_category = totals(TotalsQuery(by=("category",), filters=filters))
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    income_query = (
        sa.select(
            Engagement.organiser_name,
            Engagement.organiser_is_private,
            Engagement.currency,
            Engagement.day_rate,
            sa.func.sum(Engagement.started_days),
            sa.func.sum(Engagement.fee_amount),
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Engagement.travel_amount), 0),
        )
        .where(Engagement.first_day.between(first, last), Engagement.voided_at.is_(None))
        .group_by(
            Engagement.organiser_name,
            Engagement.organiser_is_private,
            Engagement.currency,
            Engagement.day_rate,
        )
    )
    hidden = hidden_name(audience)
    income = [
        IncomeRow(
            public_vendor_name(organiser, private, hidden),
            currency,
            rate,
            int(days),
            fees,
            count,
            travel,
            is_private=private,
        )
        for organiser, private, currency, rate, days, fees, count, travel in db.session.execute(
            income_query
        )
    ]
    income.sort(key=lambda row: (row.currency, -row.fees, row.organiser))
    result = Balance(year, date_basis, by_vendor, by_category, income)
    for row in by_vendor:
        result.costs[row.currency] = result.costs.get(row.currency, ZERO) + row.amount
    for row in income:
        result.income_totals[row.currency] = result.income_totals.get(row.currency, ZERO) + row.fees
    return result


def balance_years() -> list[int]:
    """Years with valid invoices (by invoice date, from the invoice summaries) or
    engagements (by first day), newest first; voided records make no year."""
    invoice_years = sa.select(InvoiceYearSummary.year.label("year")).where(
        InvoiceYearSummary.date_basis == "invoiced"
    )
    engagement_years = sa.select(sa.extract("year", Engagement.first_day).label("year")).where(
        Engagement.voided_at.is_(None)
    )
    union = sa.union(invoice_years, engagement_years).subquery()
    return sorted(
        {int(y) for y in db.session.scalars(sa.select(union.c.year)) if y is not None}, reverse=True
    )
