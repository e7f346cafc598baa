"""Which figures the invoice summaries can give: the invoice filters turned into conditions
on ``invoice_summaries``, or ``None`` when they ask for something the summaries do not hold
(text in an invoice, an amount range, an import batch, a period that is not whole months),
and the figure is summed from the invoices instead.

Every answer here is the same set of invoices :func:`app.services.invoice_filters.apply_filters`
selects, for the valid ones (the summaries hold no voided invoice): the same truthiness
of each filter, the same vendors for a vendor's name, the invoices without a date on the
basis left out whenever a date is asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import fields

import sqlalchemy as sa

from app.models import InvoiceSummary
from app.services.invoice_filters import NONE
from app.services.invoice_filters import InvoiceFilters
from app.services.vendors import vendor_ids_matching

#: The filters the summaries answer. Any other filter that is not at its default (and any
#: filter added later) sends the figure to the invoices.
ANSWERED = frozenset(
    {
        "vendor_id",
        "vendor_ids",
        "exclude_vendor_ids",
        "vendor_text",
        "contract_id",
        "category_id",
        "department_id",
        "date_basis",
        "year",
        "month",
        "date_from",
        "date_to",
        "currency",
        "status",
        "audience",
    }
)
_DEFAULTS = {f.name: f.default for f in fields(InvoiceFilters)}


@dataclass(frozen=True)
class SummaryScope:
    """The summary rows a figure sums: those of ``basis`` meeting ``conditions``."""

    basis: str  #: "invoiced" or "paid"
    conditions: tuple


def summary_scope(filters: InvoiceFilters, dated: bool = False) -> SummaryScope | None:
    """The summary rows holding the valid invoices ``filters`` select, or ``None`` when the
    summaries cannot tell.

    Args:
        filters: the figure's filters; only valid invoices are summed (``status`` "active").
        dated: the figure groups by year or month, so it needs the filters' date basis even
            when no filter names a date.
    """
    if filters.status != "active":
        return None
    for name, default in _DEFAULTS.items():
        if name not in ANSWERED and getattr(filters, name) != default:
            return None
    summary = InvoiceSummary
    conditions: list = []
    period = _period(filters)
    if period is False:
        return None
    uses_date = dated or period is not None
    basis = "paid" if uses_date and filters.date_basis == "paid" else "invoiced"
    conditions.append(summary.date_basis == basis)
    if period is not None:
        first, last = period
        if first is not None:
            conditions.append(sa.tuple_(summary.year, summary.month) >= sa.tuple_(*first))
        if last is not None:
            conditions.append(sa.tuple_(summary.year, summary.month) <= sa.tuple_(*last))
    if filters.vendor_id:
        conditions.append(summary.vendor_id == filters.vendor_id)
    if filters.vendor_ids:
        conditions.append(summary.vendor_id.in_(filters.vendor_ids))
    if filters.exclude_vendor_ids:
        conditions.append(summary.vendor_id.not_in(filters.exclude_vendor_ids))
    if filters.vendor_text:
        conditions.append(
            summary.vendor_id.in_(vendor_ids_matching(filters.vendor_text, filters.audience))
        )
    for column, value in (
        (summary.contract_id, filters.contract_id),
        (summary.category_id, filters.category_id),
        (summary.department_id, filters.department_id),
    ):
        if value is not None:
            # The summaries hold "none" as 0, as the filters ask for it.
            conditions.append(column == (0 if value == NONE else value))
    if filters.currency:
        conditions.append(summary.currency == filters.currency)
    return SummaryScope(basis, tuple(conditions))


def _period(filters: InvoiceFilters):
    """The filters' dates as the first and last (year, month) they take in whole, each
    ``None`` when open; ``None`` when no date is asked for; ``False`` when the dates cut a
    month (or are out of range), which only the invoices can answer."""
    first = last = None
    if filters.year:
        if not 1 <= filters.year <= 9999:
            return False
        first, last = (filters.year, 1), (filters.year, 12)
        if filters.month:
            if not 1 <= filters.month <= 12:
                return False
            first = last = (filters.year, filters.month)
    if filters.date_from:
        if filters.date_from.day != 1:
            return False
        start = (filters.date_from.year, filters.date_from.month)
        first = max(first, start) if first else start
    if filters.date_to:
        if filters.date_to != dt.date.max and (filters.date_to + dt.timedelta(days=1)).day != 1:
            return False
        end = (filters.date_to.year, filters.date_to.month)
        last = min(last, end) if last else end
    if first is None and last is None:
        return None
    return first, last
