"""Reports made presentable: figures' drill-down links, flags' sentences and the JSON form of
each report (their charts are in ``report_charts``). The services compute; this module only
labels, links and formats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.exporting.flag_text import flag_text
from app.extensions import db
from app.models import Invoice
from app.services.balance import Balance
from app.services.evidence import HEAD
from app.services.evidence import Evidence
from app.services.flags import Flag
from app.services.invoice_filters import NONE
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import Pivot
from app.services.totals import PivotLine
from app.services.totals import TotalRow
from app.web.filters import current_language
from app.web.report_args import invoices_url

#: The groupings' names in the interface.
DIMENSION_LABELS = {
    "year": _l("Year"),
    "month": _l("Month"),
    "vendor": _l("Vendor"),
    "category": _l("Category"),
    "department": _l("Department"),
    "contract": _l("Contract"),
    "currency": _l("Currency"),
}
MEASURE_LABELS = {
    "net": _l("excl. VAT"),
    "gross": _l("incl. VAT"),
    "vat": _l("VAT alone"),
}
DATE_BASIS_LABELS = {
    "invoiced": _l("by invoice date"),
    "paid": _l("by payment date"),
}


def grouping_label(by: tuple[str, ...]) -> str:
    """``year and vendor``, in the reader's language."""
    names = [str(DIMENSION_LABELS[name]).lower() for name in by]
    return gettext(" and ").join(names)


# --- drill-down links --------------------------------------------------------------------------


def key_filters(keys: dict, currency: str) -> dict:
    """The filter changes that narrow a report's filters to one group's invoices."""
    changes: dict = {"currency": currency}
    for name, value in keys.items():
        if name == "year":
            changes["year"] = value
        elif name == "month":
            year, month = value.split("-")
            changes["year"], changes["month"] = int(year), int(month)
        elif name == "vendor":
            changes["vendor_id"] = value
        elif name in ("category", "department", "contract"):
            changes[f"{name}_id"] = NONE if value is None else value
    return changes


def row_url(filters: InvoiceFilters, row: TotalRow) -> str:
    """The invoices behind one row of a totals report."""
    return invoices_url(filters, **key_filters(row.keys, row.currency))


def pivot_url(
    filters: InvoiceFilters, pivot: Pivot, line: PivotLine | None, year: int | None
) -> str:
    """The invoices behind a pivot cell: a vendor (or the others, or everyone when ``line``
    is None) in a year (or all years when ``year`` is None)."""
    changes: dict = {"currency": pivot.currency}
    if year is not None:
        changes["year"] = year
    if line is not None and line.vendor_id is not None:
        changes["vendor_id"] = line.vendor_id
    elif line is not None:
        shown = tuple(shown.vendor_id for shown in pivot.lines)
        changes["exclude_vendor_ids"] = tuple(dict.fromkeys(filters.exclude_vendor_ids + shown))
    return invoices_url(filters, **changes)


def totals_url(**args) -> str:
    """The totals report for some filters (``vendor=3``, ``category=2``, ``batch=7`` …),
    grouped by year and vendor unless ``by`` says otherwise."""
    args.setdefault("by", "year,vendor")
    return url_for("reports.totals", **{k: v for k, v in args.items() if v is not None})


# --- flags -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownFlag:
    """A flag as a reader sees it: a sentence, when it held, and where its evidence is."""

    flag: Flag
    text: str
    evidence_url: str | None
    context_url: str | None
    context_label: str | None


def show_flag(flag: Flag, currency: str = "SEK", contract_label: str | None = None) -> ShownFlag:
    """The flag's sentence in the reader's language, with links to its evidence (the list of
    invoices behind a vendor's flag; a contract's flag lists its invoices itself)."""
    text = flag_text(flag, currency, current_language())
    evidence = None
    context_url = context_label = None
    if flag.kind == "threshold":
        evidence = invoices_url(
            InvoiceFilters(), vendor_id=flag.vendor_id, year=flag.year, contract_id=NONE
        )
        context_url = url_for("vendors.detail", id=flag.vendor_id)
        context_label = flag.params.get("vendor")
    elif flag.contract_id is not None:
        context_url = url_for("contracts.detail", id=flag.contract_id)
        context_label = contract_label
    return ShownFlag(flag, text, evidence, context_url, context_label)


def evidence_rows(flags: list[ShownFlag], limit: int | None = 50) -> dict:
    """The invoices flags cite (the first ``limit`` of each, or all), by id: those a stored
    flag keeps as shown (:class:`app.services.flag_store.Evidence`) as it keeps them, the
    others read, a query per 900."""
    found: dict = {}
    wanted: set[int] = set()
    for shown in flags:
        evidence = shown.flag.invoice_ids
        if isinstance(evidence, Evidence) and limit is not None and limit <= HEAD:
            found.update((row.id, row) for row in evidence.head[:limit])
        else:
            wanted.update(evidence[:limit])
    ids = sorted(wanted - set(found))
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        found.update(
            {
                invoice.id: invoice
                for invoice in db.session.scalars(sa.select(Invoice).where(Invoice.id.in_(chunk)))
            }
        )
    return found


# --- JSON --------------------------------------------------------------------------------------


def decimal_text(value: Decimal | None) -> str | None:
    """Amounts as decimal strings in JSON: exact, never a float."""
    return None if value is None else str(value)


def share_text(value: Decimal) -> str:
    """A share of a total as its decimal string, three places (``0.412`` for 41,2 %: see
    :func:`app.services.totals.share_of`)."""
    return str(value)


def totals_row_json(filters: InvoiceFilters, row: TotalRow, external: bool = True) -> dict:
    """One row of a totals report: its keys by name (``vendor`` is the name and
    ``vendor_id`` the record), currency, amount, count, share and the invoices behind it."""
    item: dict = {}
    for name, value in row.keys.items():
        if name in ("vendor", "category", "department", "contract"):
            item[name] = row.labels.get(name)
            item[f"{name}_id"] = value
        else:
            item[name] = value
    item.update(
        currency=row.currency,
        amount=decimal_text(row.amount),
        count=row.count,
        share=share_text(row.share),
        invoices=_external(row_url(filters, row)) if external else row_url(filters, row),
    )
    return item


def pivot_json(filters: InvoiceFilters, pivot: Pivot) -> dict:
    def cells(line: PivotLine | None) -> dict:
        source = line.by_year if line is not None else pivot.column_totals
        return {
            str(year): {
                "amount": decimal_text(source[year][0]),
                "count": source[year][1],
                "change": decimal_text(_change(source, year)),
                "invoices": _external(pivot_url(filters, pivot, line, year)),
            }
            for year in pivot.years
            if year in source
        }

    def line_json(line: PivotLine) -> dict:
        return {
            "vendor": line.name,
            "vendor_id": line.vendor_id,
            "years": cells(line),
            "amount": decimal_text(line.total),
            "count": line.count,
            "invoices": _external(pivot_url(filters, pivot, line, None)),
        }

    others = None
    if pivot.others is not None:
        others = line_json(pivot.others) | {"vendor_count": len(pivot.others.others)}
        others.pop("vendor")
        others.pop("vendor_id")
    return {
        "currency": pivot.currency,
        "years": pivot.years,
        "vendors": [line_json(line) for line in pivot.lines],
        "others": others,
        "year_totals": cells(None),
        "amount": decimal_text(pivot.total),
        "count": pivot.count,
        "vendor_count": pivot.vendor_count,
    }


def _change(source: dict, year: int) -> Decimal | None:
    before = source.get(year - 1, (None, 0))[0]
    now = source.get(year, (None, 0))[0]
    if not before or now is None:
        return None
    return ((now - before) / abs(before)).quantize(Decimal("0.0001"))


def change(source: dict, year: int) -> Decimal | None:
    """Year-over-year change of ``source`` (year → (amount, count)) as a fraction."""
    return _change(source, year)


def balance_json(result: Balance, shown_flags: list[ShownFlag]) -> dict:
    """The balance's JSON: its figures, and each flag with every invoice it cites."""
    return {
        "year": result.year,
        "date_basis": result.date_basis,
        "currencies": {
            currency: {
                "costs": decimal_text(result.costs.get(currency, Decimal("0.00"))),
                "income": decimal_text(result.income_totals.get(currency, Decimal("0.00"))),
                "net": decimal_text(result.net(currency)),
            }
            for currency in result.currencies
        },
        "costs_by_vendor": [
            totals_row_json(_year_filters(result), row) for row in result.costs_by_vendor
        ],
        "costs_by_category": [
            totals_row_json(_year_filters(result), row) for row in result.costs_by_category
        ],
        "income_by_organiser": [
            {
                "organiser": row.organiser,
                "currency": row.currency,
                "day_rate": decimal_text(row.day_rate),
                "started_days": row.started_days,
                "amount": decimal_text(row.fees),
                "count": row.count,
            }
            for row in result.income
        ],
        "flags": balance_json_flags(shown_flags),
    }


def balance_json_flags(shown_flags: list[ShownFlag]) -> list[dict]:
    """Flags as JSON: kind, sentence, when they held, what they concern, and their evidence:
    the invoices they cite and, for a vendor's flag, the address of its invoice list."""
    invoices = evidence_rows(shown_flags, limit=None)
    return [
        {
            "kind": shown.flag.kind,
            "text": shown.text,
            "since": shown.flag.since.isoformat() if shown.flag.since else None,
            "until": shown.flag.until.isoformat() if shown.flag.until else None,
            "contract_id": shown.flag.contract_id,
            "vendor_id": shown.flag.vendor_id,
            "invoice_ids": list(shown.flag.invoice_ids),
            "invoices": [
                _invoice_json(invoices[i]) for i in shown.flag.invoice_ids if i in invoices
            ],
            "evidence": _external(shown.evidence_url) if shown.evidence_url else None,
        }
        for shown in shown_flags
    ]


def _invoice_json(invoice: Invoice) -> dict:
    """An invoice a flag cites, as the flag's JSON lists it."""
    return {
        "id": invoice.id,
        "invoice_number": invoice.invoice_number,
        "invoiced_on": invoice.invoiced_on.isoformat(),
        "net_amount": decimal_text(invoice.net_amount),
        "currency": invoice.currency,
        "url": _external(url_for("invoices.detail", id=invoice.id)),
    }


def _year_filters(result: Balance) -> InvoiceFilters:
    return InvoiceFilters(year=result.year, date_basis=result.date_basis, status="active")


def _external(url: str) -> str:
    """A root-relative URL made absolute against the request's host (links in JSON are cited
    outside the page)."""
    return request.host_url.rstrip("/") + url
