"""Which invoices a list, a total or a chart is about: one set of filters for all of them,
so that every figure and the list behind it are computed from the very same rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import fields
from dataclasses import replace
from decimal import Decimal
from functools import cached_property

import sqlalchemy as sa

from app.models import Invoice
from app.privacy import Audience
from app.services import fulltext
from app.services.vendors import vendor_ids_matching

#: An id of 0 for a category, department or contract means "none": the invoices without one.
NONE = 0
#: Which invoices a list shows.
STATUSES = ("all", "active", "voided")
#: Which date places an invoice in a year or a period.
DATE_BASES = ("invoiced", "paid")


@dataclass(frozen=True)
class InvoiceFilters:
    """The invoices wanted. Dates are inclusive; amounts are excl. VAT, in the invoice's own
    currency."""

    vendor_id: int | None = None
    vendor_ids: tuple[int, ...] = ()  #: several vendors
    exclude_vendor_ids: tuple[int, ...] = ()  #: everyone but these ("others" in a pivot)
    vendor_text: str | None = None  #: part of the vendor's name, an alias or its org number
    contract_id: int | None = None  #: 0: invoices under no contract
    category_id: int | None = None  #: 0: invoices without a category
    department_id: int | None = None  #: 0: invoices without a department
    date_basis: str = "invoiced"  #: "invoiced" or "paid": the date the periods below refer to
    year: int | None = None
    month: int | None = None  #: 1–12, with ``year``
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    currency: str | None = None
    q: str | None = None  #: part of the invoice number or description
    #: "active" (valid invoices: what every list shows unless asked), "voided" or "all".
    status: str = "active"
    batch_id: int | None = None  #: imported by this batch
    #: Who is reading (not a filter of the rows: it decides whether ``vendor_text`` may find
    #: private persons, and how totals name them; never in a link).
    audience: Audience = Audience.PUBLIC

    def date_column(self):
        return Invoice.paid_on if self.date_basis == "paid" else Invoice.invoiced_on

    def narrowed(self, **changes) -> InvoiceFilters:
        """These filters with some changed (a figure's own vendor and year, say)."""
        return replace(self, **changes)

    def as_args(self) -> dict[str, str | list[str]]:
        """The filters as query-string arguments, for links that keep them (see
        ``app.web.report_args``)."""
        return self.args_with()

    @cached_property
    def _args(self) -> dict[str, str | list[str] | None]:
        """Each filter's argument (``None`` when it is its default), in field order."""
        return {name: _arg(getattr(self, name), default) for name, default in _ARG_FIELDS}

    def args_with(self, **changes) -> dict[str, str | list[str]]:
        """``self.narrowed(**changes).as_args()``, cheaply: a report links each of its
        thousands of figures to its invoices, and each link differs from the report's
        filters in two or three of them."""
        args = self._args
        if changes:
            args = dict(args)
            for name, value in changes.items():
                args[name] = _arg(value, _DEFAULTS[name])
        return {
            ARG_NAMES.get(name, name): value for name, value in args.items() if value is not None
        }


def _arg(value, default) -> str | list[str] | None:
    """A filter's value as a query-string argument; ``None`` for the default or empty."""
    if value == default or value in (None, ()):
        return None
    if isinstance(value, tuple):
        return [str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


#: The filters that go in links (who is reading never does), with their defaults.
_ARG_FIELDS = [(f.name, f.default) for f in fields(InvoiceFilters) if f.name != "audience"]
_DEFAULTS = dict(_ARG_FIELDS)

#: Query-string names of the filters (``?vendor=3&year=2010``).
ARG_NAMES = {
    "vendor_id": "vendor",
    "vendor_ids": "vendors",
    "exclude_vendor_ids": "not_vendor",
    "vendor_text": "vendor_q",
    "contract_id": "contract",
    "category_id": "category",
    "department_id": "department",
    "date_basis": "date",
    "date_from": "from",
    "date_to": "to",
    "amount_min": "min",
    "amount_max": "max",
    "batch_id": "batch",
}


def _id_filter(query: sa.Select, column, value: int | None) -> sa.Select:
    if value is None:
        return query
    return query.where(column.is_(None) if value == NONE else column == value)


def apply_filters(query: sa.Select, filters: InvoiceFilters) -> sa.Select:
    """``query`` narrowed to the invoices ``filters`` describe. Every condition is on the
    invoices table itself, so totals need no join."""
    if filters.vendor_id:
        query = query.where(Invoice.vendor_id == filters.vendor_id)
    if filters.vendor_ids:
        query = query.where(Invoice.vendor_id.in_(filters.vendor_ids))
    if filters.exclude_vendor_ids:
        query = query.where(Invoice.vendor_id.not_in(filters.exclude_vendor_ids))
    if filters.vendor_text:
        query = query.where(
            Invoice.vendor_id.in_(vendor_ids_matching(filters.vendor_text, filters.audience))
        )
    query = _id_filter(query, Invoice.contract_id, filters.contract_id)
    query = _id_filter(query, Invoice.category_id, filters.category_id)
    query = _id_filter(query, Invoice.department_id, filters.department_id)
    date = filters.date_column()
    if filters.year:
        first, last = dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)
        if filters.month:
            first = dt.date(filters.year, filters.month, 1)
            following = dt.date(filters.year + (filters.month == 12), filters.month % 12 + 1, 1)
            last = following - dt.timedelta(days=1)
        query = query.where(date.between(first, last))
    if filters.date_from:
        query = query.where(date >= filters.date_from)
    if filters.date_to:
        query = query.where(date <= filters.date_to)
    if filters.amount_min is not None:
        query = query.where(Invoice.net_amount >= filters.amount_min)
    if filters.amount_max is not None:
        query = query.where(Invoice.net_amount <= filters.amount_max)
    if filters.currency:
        query = query.where(Invoice.currency == filters.currency)
    if filters.q:
        # Words of the number or description (the full-text index), or the amount excl. VAT.
        found = fulltext.matches(fulltext.INVOICES, filters.q)
        typed = fulltext.amount(filters.q)
        if typed is not None:
            found = sa.or_(found, Invoice.net_amount == typed)
        query = query.where(found)
    if filters.batch_id:
        query = query.where(Invoice.import_batch_id == filters.batch_id)
    if filters.status == "active":
        query = query.where(Invoice.voided_at.is_(None))
    elif filters.status == "voided":
        query = query.where(Invoice.voided_at.is_not(None))
    return query
