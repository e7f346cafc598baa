"""A contract's burn-down: what it allowed over time (the ceiling and hour quota, original and
after each amendment) against what has been invoiced under it, cumulatively."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Contract
from app.models import Invoice
from app.services.contracts import Terms
from app.services.contracts import contract_terms

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Step:
    """One invoice in date order and where the contract stood after it."""

    invoice_id: int
    invoiced_on: dt.date
    number: str
    amount: Decimal  #: excl. VAT, in the contract's currency
    hours: Decimal | None
    cumulative_amount: Decimal
    cumulative_hours: Decimal
    terms: Terms  #: the terms in force on the invoice's date


@dataclass(frozen=True)
class Burndown:
    contract: Contract
    terms: list[Terms]
    steps: list[Step]

    @property
    def current(self) -> Terms:
        return self.terms[-1]

    @property
    def invoiced(self) -> Decimal:
        return self.steps[-1].cumulative_amount if self.steps else ZERO

    @property
    def hours(self) -> Decimal:
        return self.steps[-1].cumulative_hours if self.steps else ZERO

    @property
    def remaining(self) -> Decimal | None:
        ceiling = self.current.ceiling_amount
        return None if ceiling is None else ceiling - self.invoiced

    @property
    def remaining_hours(self) -> Decimal | None:
        quota = self.current.hour_quota
        return None if quota is None else quota - self.hours

    @property
    def share_used(self) -> Decimal | None:
        """Invoiced as a fraction of the current ceiling (1.0 = all of it)."""
        ceiling = self.current.ceiling_amount
        return (self.invoiced / ceiling) if ceiling else None

    @property
    def hours_used(self) -> Decimal | None:
        quota = self.current.hour_quota
        return (self.hours / quota) if quota else None


def terms_on(terms: list[Terms], day: dt.date) -> Terms:
    """The terms in force on ``day``: the last whose date has come (the original terms hold
    before the first amendment, and before the contract's start too)."""
    found = terms[0]
    for candidate in terms[1:]:
        if candidate.effective_on is not None and candidate.effective_on <= day:
            found = candidate
    return found


def burndown(contract: Contract) -> Burndown:
    """The contract's invoices (valid ones, in its currency) in date order with running
    totals computed by the database (a window sum), each beside the terms then in force."""
    order = (Invoice.invoiced_on, Invoice.id)
    query = (
        sa.select(
            Invoice.id,
            Invoice.invoiced_on,
            Invoice.invoice_number,
            Invoice.net_amount,
            Invoice.hours,
            sa.func.sum(Invoice.net_amount).over(order_by=order),
            sa.func.coalesce(sa.func.sum(Invoice.hours).over(order_by=order), 0),
        )
        .where(
            Invoice.contract_id == contract.id,
            Invoice.voided_at.is_(None),
            Invoice.currency == contract.currency,
        )
        .order_by(*order)
    )
    terms = contract_terms(contract)
    steps = [
        Step(
            invoice_id=row[0],
            invoiced_on=row[1],
            number=row[2],
            amount=row[3],
            hours=row[4],
            cumulative_amount=row[5],
            cumulative_hours=row[6],
            terms=terms_on(terms, row[1]),
        )
        for row in db.session.execute(query)
    ]
    return Burndown(contract=contract, terms=terms, steps=steps)
