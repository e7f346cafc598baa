"""The filters in effect, as short labelled "chips" a reader can see and remove one by one."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import ImportBatch
from app.models import Vendor
from app.services.invoice_filters import NONE
from app.services.invoice_filters import InvoiceFilters
from app.web.filters import money
from app.web.filters import url_with


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str


_RECORDS = {
    "contract": (Contract, _l("Contract"), _l("no contract")),
    "category": (Category, _l("Category"), _l("no category")),
    "department": (Department, _l("Department"), _l("no department")),
}


def filter_chips(filters: InvoiceFilters) -> list[Chip]:
    """Chips for the filters a list or report is narrowed by, each with the URL of the same
    page without that filter."""
    chips: list[Chip] = []
    basis = gettext("payment date") if filters.date_basis == "paid" else gettext("invoice date")
    if filters.year:
        period = f"{filters.year}-{filters.month:02d}" if filters.month else str(filters.year)
        chips.append(
            Chip(
                gettext("Period (%(basis)s)", basis=basis), period, url_with(year=None, month=None)
            )
        )
    if filters.date_from or filters.date_to:
        span = f"{filters.date_from.isoformat() if filters.date_from else '…'} – " + (
            filters.date_to.isoformat() if filters.date_to else "…"
        )
        chips.append(
            Chip(
                gettext("Dates (%(basis)s)", basis=basis),
                span,
                url_with(**{"from": None, "to": None}),
            )
        )
    vendor_ids = tuple(filter(None, (filters.vendor_id, *filters.vendor_ids)))
    if vendor_ids:
        names = db.session.scalars(db.select(Vendor.name).where(Vendor.id.in_(vendor_ids))).all()
        chips.append(Chip(gettext("Vendor"), "; ".join(names), url_with(vendor=None, vendors=None)))
    if filters.exclude_vendor_ids:
        chips.append(
            Chip(
                gettext("Vendors"),
                gettext("all but %(count)s larger ones", count=len(filters.exclude_vendor_ids)),
                url_with(not_vendor=None),
            )
        )
    if filters.vendor_text:
        chips.append(Chip(gettext("Vendor"), filters.vendor_text, url_with(vendor_q=None)))
    for name, (model, label, none_label) in _RECORDS.items():
        value = getattr(filters, f"{name}_id")
        if value is None:
            continue
        shown = str(none_label) if value == NONE else str(db.session.get(model, value) or value)
        chips.append(Chip(str(label), shown, url_with(**{name: None})))
    if filters.amount_min is not None or filters.amount_max is not None:
        low = money(filters.amount_min, symbol=False) if filters.amount_min is not None else "…"
        high = money(filters.amount_max, symbol=False) if filters.amount_max is not None else "…"
        chips.append(
            Chip(gettext("Amount excl. VAT"), f"{low} – {high}", url_with(min=None, max=None))
        )
    if filters.currency:
        chips.append(Chip(gettext("Currency"), filters.currency, url_with(currency=None)))
    if filters.q:
        chips.append(Chip(gettext("Text"), filters.q, url_with(q=None)))
    if filters.batch_id:
        batch = db.session.get(ImportBatch, filters.batch_id)
        chips.append(
            Chip(
                gettext("Import"),
                batch.filename if batch else str(filters.batch_id),
                url_with(batch=None),
            )
        )
    return chips
