"""The front page's figures: costs and income per year, and how much is on record."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Contract
from app.models import Engagement
from app.models import InvoiceYearSummary
from app.models import Vendor


@dataclass(frozen=True)
class YearOverview:
    """One year in one currency: invoiced costs (excl. VAT) against fee income."""

    year: int
    currency: str
    costs: Decimal
    invoice_count: int
    income: Decimal
    engagement_count: int

    @property
    def net(self) -> Decimal:
        """Income minus costs: negative when the year cost more than it earned."""
        return self.income - self.costs


def yearly_overview() -> list[YearOverview]:
    """Per year (invoice date; an engagement's first day) and currency: live invoices' costs
    excl. VAT against engagements' fees. Newest year first. Two grouped queries in SQL, the
    costs from the invoice summaries."""
    summary = InvoiceYearSummary
    costs = db.session.execute(
        sa.select(
            summary.year,
            summary.currency,
            sa.func.sum(summary.net_amount),
            sa.func.sum(summary.invoice_count),
        )
        .where(summary.date_basis == "invoiced")
        .group_by(summary.year, summary.currency)
    ).all()
    year = sa.extract("year", Engagement.first_day)
    income = db.session.execute(
        sa.select(year, Engagement.currency, sa.func.sum(Engagement.fee_amount), sa.func.count())
        .where(Engagement.voided_at.is_(None))
        .group_by(year, Engagement.currency)
    ).all()
    zero = Decimal("0.00")
    merged: dict[tuple[int, str], list] = {}
    for y, currency, amount, count in costs:
        merged.setdefault((int(y), currency), [zero, 0, zero, 0])[0:2] = [amount, count]
    for y, currency, amount, count in income:
        merged.setdefault((int(y), currency), [zero, 0, zero, 0])[2:4] = [amount, count]
    return [
        YearOverview(y, c, *values)
        for (y, c), values in sorted(merged.items(), key=lambda item: (-item[0][0], item[0][1]))
    ]


def counts() -> dict[str, int]:
    """How many vendors, and valid contracts, invoices and engagements, are on record (the
    voided ones count nowhere, here neither)."""

    def count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0

    invoices = sa.select(sa.func.sum(InvoiceYearSummary.invoice_count)).where(
        InvoiceYearSummary.date_basis == "invoiced"
    )
    return {
        "vendors": count(Vendor),
        "contracts": count(Contract, Contract.voided_at.is_(None)),
        # Every valid invoice is in one summary row by its invoice date.
        "invoices": int(db.session.scalar(invoices) or 0),
        "engagements": count(Engagement, Engagement.voided_at.is_(None)),
    }
