"""What a set of invoice filters means, in words: for the "filters in effect" on a page and
the "Om data" sheet of an export."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import ImportBatch
from app.models import Vendor
from app.money import format_money
from app.privacy import vendor_name
from app.services.invoice_filters import NONE
from app.services.invoice_filters import InvoiceFilters


@dataclass(frozen=True)
class FilterText:
    """One filter in words; ``args`` are the query-string arguments that carry it."""

    label: str
    value: str
    args: tuple[str, ...]


_RECORDS = {
    "contract": (Contract, _l("Contract"), _l("no contract")),
    "category": (Category, _l("Category"), _l("no category")),
    "department": (Department, _l("Department"), _l("no department")),
}


def _amount(value) -> str:
    locale = get_locale()
    return format_money(value, locale=locale.language if locale else "sv", symbol=False)


def describe_filters(filters: InvoiceFilters) -> list[FilterText]:
    """The filters ``filters`` narrows by, each as a label and a value in the reader's
    language (the date basis is named with the period it dates)."""
    found: list[FilterText] = []
    basis = gettext("payment date") if filters.date_basis == "paid" else gettext("invoice date")
    if filters.year:
        period = f"{filters.year}-{filters.month:02d}" if filters.month else str(filters.year)
        found.append(
            FilterText(gettext("Period (%(basis)s)", basis=basis), period, ("year", "month"))
        )
    if filters.date_from or filters.date_to:
        span = f"{filters.date_from.isoformat() if filters.date_from else '…'} – " + (
            filters.date_to.isoformat() if filters.date_to else "…"
        )
        found.append(FilterText(gettext("Dates (%(basis)s)", basis=basis), span, ("from", "to")))
    vendor_ids = tuple(filter(None, (filters.vendor_id, *filters.vendor_ids)))
    if vendor_ids:
        if len(vendor_ids) == 1:  # usually so, and the page has the vendor at hand already
            vendor = db.session.get(Vendor, vendor_ids[0])
            names = [vendor_name(vendor, filters.audience)] if vendor else []
        else:
            names = [
                vendor_name(vendor, filters.audience)
                for vendor in db.session.scalars(db.select(Vendor).where(Vendor.id.in_(vendor_ids)))
            ]
        found.append(FilterText(gettext("Vendor"), "; ".join(names), ("vendor", "vendors")))
    if filters.exclude_vendor_ids:
        found.append(
            FilterText(
                gettext("Vendors"),
                gettext("all but %(count)s larger ones", count=len(filters.exclude_vendor_ids)),
                ("not_vendor",),
            )
        )
    if filters.vendor_text:
        found.append(FilterText(gettext("Vendor"), filters.vendor_text, ("vendor_q",)))
    for name, (model, label, none_label) in _RECORDS.items():
        value = getattr(filters, f"{name}_id")
        if value is None:
            continue
        shown = str(none_label) if value == NONE else str(db.session.get(model, value) or value)
        found.append(FilterText(str(label), shown, (name,)))
    if filters.amount_min is not None or filters.amount_max is not None:
        low = _amount(filters.amount_min) if filters.amount_min is not None else "…"
        high = _amount(filters.amount_max) if filters.amount_max is not None else "…"
        found.append(FilterText(gettext("Amount excl. VAT"), f"{low} – {high}", ("min", "max")))
    if filters.currency:
        found.append(FilterText(gettext("Currency"), filters.currency, ("currency",)))
    if filters.q:
        found.append(FilterText(gettext("Text"), filters.q, ("q",)))
    if filters.batch_id:
        batch = db.session.get(ImportBatch, filters.batch_id)
        found.append(
            FilterText(
                gettext("Import"), batch.filename if batch else str(filters.batch_id), ("batch",)
            )
        )
    return found
