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

from app.models import InvoiceMonthSummary
from app.models import InvoiceSummary
from app.models import InvoiceYearSummary
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
    """The summary rows a figure sums: those of ``model`` and ``basis`` meeting
    ``conditions``."""

    model: type  #: InvoiceSummary, InvoiceYearSummary or InvoiceMonthSummary
    basis: str  #: "invoiced" or "paid"
    conditions: tuple


def summary_scope(
    filters: InvoiceFilters, dated: bool = False, model: type = InvoiceSummary
) -> SummaryScope | None:
    """The rows of ``model`` holding the valid invoices ``filters`` select, or ``None`` when
    that summary cannot tell.

    Args:
        filters: the figure's filters; only valid invoices are summed (``status`` "active").
        dated: the figure groups by year or month, so it needs the filters' date basis even
            when no filter names a date.
        model: the summary to read: :class:`InvoiceSummary` (by month and every key),
            :class:`InvoiceYearSummary` (by year, vendor and currency: no month, category,
            department or contract filter), or :class:`InvoiceMonthSummary` (by month,
            currency, category and department: no vendor or contract filter).
    """
    if filters.status != "active":
        return None
    for name, default in _DEFAULTS.items():
        if name not in ANSWERED and getattr(filters, name) != default:
            return None
    summary = model
    conditions: list = []
    period = _period(filters)
    if period is False:
        return None
    if model is InvoiceYearSummary and not _whole_years(filters, period):
        return None
    if model is InvoiceMonthSummary and _names_vendor_or_contract(filters):
        return None
    uses_date = dated or period is not None
    basis = "paid" if uses_date and filters.date_basis == "paid" else "invoiced"
    conditions.append(summary.date_basis == basis)
    if period is not None:
        first, last = period
        if model is InvoiceYearSummary:
            # Whole years only (checked above).
            if first is not None:
                conditions.append(summary.year >= first[0])
            if last is not None:
                conditions.append(summary.year <= last[0])
        else:
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
    for name in ("contract_id", "category_id", "department_id"):
        value = getattr(filters, name)
        if value is not None:
            # The summaries hold "none" as 0, as the filters ask for it.
            conditions.append(getattr(summary, name) == (0 if value == NONE else value))
    if filters.currency:
        conditions.append(summary.currency == filters.currency)
    return SummaryScope(model, basis, tuple(conditions))


def year_or_month_scope(filters: InvoiceFilters, dated: bool, by: tuple[str, ...] = ()):
    """The scope of the smallest summary that can answer: the year summary's (``by`` only
    year, vendor and currency), the month summary's (``by`` only year, month, category,
    department and currency, and no vendor or contract asked for), else the invoice
    summary's, else ``None``."""
    if set(by) <= {"year", "vendor", "currency"}:
        scope = summary_scope(filters, dated, InvoiceYearSummary)
        if scope is not None:
            return scope
    if set(by) <= {"year", "month", "category", "department", "currency"}:
        scope = summary_scope(filters, dated, InvoiceMonthSummary)
        if scope is not None:
            return scope
    return summary_scope(filters, dated)


def _names_vendor_or_contract(filters: InvoiceFilters) -> bool:
    """Whether the filters ask for some vendors or a contract (which the month summary,
    every vendor and contract together, cannot tell apart)."""
    return bool(
        filters.vendor_id
        or filters.vendor_ids
        or filters.exclude_vendor_ids
        or filters.vendor_text
        or filters.contract_id is not None
    )


def _whole_years(filters: InvoiceFilters, period) -> bool:
    """Whether the year summary holds these filters: no contract, category or department,
    and a period (if any) of whole years."""
    if any(
        value is not None
        for value in (filters.contract_id, filters.category_id, filters.department_id)
    ):
        return False
    if period is None:
        return True
    first, last = period
    return (first is None or first[1] == 1) and (last is None or last[1] == 12)


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
