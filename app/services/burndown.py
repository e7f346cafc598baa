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


def burndowns(contracts) -> dict[int, Burndown]:
    """:func:`burndown` of each of ``contracts`` in one query (running totals partitioned
    by contract), by contract id: what a list of contracts reads for its flags."""
    contracts = list(contracts)
    if not contracts:
        return {}
    order = (Invoice.invoiced_on, Invoice.id)
    query = (
        sa.select(
            Invoice.contract_id,
            Invoice.id,
            Invoice.invoiced_on,
            Invoice.invoice_number,
            Invoice.net_amount,
            Invoice.hours,
            sa.func.sum(Invoice.net_amount).over(partition_by=Invoice.contract_id, order_by=order),
            sa.func.coalesce(
                sa.func.sum(Invoice.hours).over(partition_by=Invoice.contract_id, order_by=order),
                0,
            ),
        )
        .join(Contract, Contract.id == Invoice.contract_id)
        .where(
            Invoice.contract_id.in_([c.id for c in contracts]),
            Invoice.voided_at.is_(None),
            Invoice.currency == Contract.currency,
        )
        .order_by(Invoice.contract_id, *order)
    )
    terms = {c.id: contract_terms(c) for c in contracts}
    steps: dict[int, list[Step]] = {c.id: [] for c in contracts}
    for row in db.session.execute(query):
        steps[row[0]].append(_step(row[1:], terms[row[0]]))
    return {c.id: Burndown(contract=c, terms=terms[c.id], steps=steps[c.id]) for c in contracts}


def _step(row, terms: list[Terms]) -> Step:
    return Step(
        invoice_id=row[0],
        invoiced_on=row[1],
        number=row[2],
        amount=row[3],
        hours=row[4],
        cumulative_amount=row[5],
        cumulative_hours=row[6],
        terms=terms_on(terms, row[1]),
    )


def _counted(contract: Contract) -> tuple:
    """The invoices a contract's burn-down runs through: its valid ones in its currency."""
    return (
        Invoice.contract_id == contract.id,
        Invoice.voided_at.is_(None),
        Invoice.currency == contract.currency,
    )


def invoice_ids(contract: Contract) -> list[int]:
    """The ids of the invoices :func:`burndown` runs through, in its order."""
    order = (Invoice.invoiced_on, Invoice.id)
    query = sa.select(Invoice.id).where(*_counted(contract)).order_by(*order)
    return list(db.session.scalars(query))


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
        .where(*_counted(contract))
        .order_by(*order)
    )
    terms = contract_terms(contract)
    steps = [_step(row, terms) for row in db.session.execute(query)]
    return Burndown(contract=contract, terms=terms, steps=steps)
