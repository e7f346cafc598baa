"""Reports' choices read from the query string, and links that keep them: every report and
every list of invoices behind a figure has a stable URL a journalist can cite.

A choice that cannot be read is left out, and the page says which and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from urllib.parse import quote_plus

from flask import g
from flask import request
from flask import url_for
from flask_babel import gettext

from app.money import AmountError
from app.money import parse_amount
from app.services.invoice_filters import DATE_BASES
from app.services.invoice_filters import STATUSES
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import DIMENSIONS
from app.services.totals import MEASURES
from app.services.totals import TotalsQuery
from app.web.audience import request_audience
from app.web.listing import MAX_ID

#: The pivot's number of vendor rows, by default and at most.
DEFAULT_TOP = 20
MAX_TOP = 200


@dataclass
class ReportArgs:
    """What the query string asked for, read; ``ignored`` says what could not be read."""

    filters: InvoiceFilters
    by: tuple[str, ...] = ("year", "vendor")
    measure: str = "net"
    top: int = DEFAULT_TOP
    ignored: list[str] = field(default_factory=list)

    @property
    def totals_query(self) -> TotalsQuery:
        return TotalsQuery(by=self.by, measure=self.measure, filters=self.filters)


def _ids(name: str, ignored: list[str]) -> tuple[int, ...]:
    found = []
    for raw in request.args.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            if part.isdigit() and 0 < int(part) <= MAX_ID:
                found.append(int(part))
            else:
                ignored.append(
                    gettext("%(name)s=%(value)s is not a record number", name=name, value=part[:40])
                )
    return tuple(dict.fromkeys(found))


def _id(name: str, ignored: list[str], allow_none: bool = False) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw.isdigit() and (0 < int(raw) <= MAX_ID or (allow_none and int(raw) == 0)):
        return int(raw)
    ignored.append(gettext("%(name)s=%(value)s is not a record number", name=name, value=raw[:40]))
    return None


def _int(name: str, low: int, high: int, ignored: list[str]) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if raw.lstrip("-").isdigit() and low <= int(raw) <= high:
        return int(raw)
    ignored.append(gettext("%(name)s=%(value)s is out of range", name=name, value=raw[:40]))
    return None


def _date(name: str, ignored: list[str]) -> dt.date | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        ignored.append(
            gettext("%(name)s=%(value)s is not a date (YYYY-MM-DD)", name=name, value=raw[:40])
        )
        return None


def _amount(name: str, ignored: list[str]):
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return parse_amount(raw)
    except AmountError:
        ignored.append(gettext("%(name)s=%(value)s is not an amount", name=name, value=raw[:40]))
        return None


def _choice(name: str, allowed, default: str, ignored: list[str]) -> str:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if raw in allowed:
        return raw
    ignored.append(
        gettext(
            "%(name)s=%(value)s is not one of %(allowed)s",
            name=name,
            value=raw[:40],
            allowed=", ".join(allowed),
        )
    )
    return default


def read_filters(ignored: list[str] | None = None, status: str = "active") -> InvoiceFilters:
    """The invoice filters of the current request's query string (valid invoices unless
    ``?status=all`` or ``voided`` says otherwise)."""
    ignored = [] if ignored is None else ignored
    text = (request.args.get("vendor_q") or "").strip()[:200] or None
    currency = (request.args.get("currency") or "").strip().upper()
    if currency and not (len(currency) == 3 and currency.isalpha()):
        ignored.append(
            gettext(
                "%(name)s=%(value)s is not a currency code", name="currency", value=currency[:40]
            )
        )
        currency = ""
    year = _int("year", 1, 9999, ignored)
    return InvoiceFilters(
        vendor_id=_id("vendor", ignored),
        vendor_ids=_ids("vendors", ignored),
        exclude_vendor_ids=_ids("not_vendor", ignored),
        vendor_text=text,
        contract_id=_id("contract", ignored, allow_none=True),
        category_id=_id("category", ignored, allow_none=True),
        department_id=_id("department", ignored, allow_none=True),
        date_basis=_choice("date", DATE_BASES, "invoiced", ignored),
        year=year,
        month=_int("month", 1, 12, ignored) if year else None,
        date_from=_date("from", ignored),
        date_to=_date("to", ignored),
        amount_min=_amount("min", ignored),
        amount_max=_amount("max", ignored),
        currency=currency or None,
        q=(request.args.get("q") or "").strip()[:200] or None,
        status=_choice("status", STATUSES, status, ignored),
        batch_id=_id("batch", ignored),
        audience=request_audience(),
    )


def read_report_args() -> ReportArgs:
    """The choices of a totals report: filters, grouping (``by=year,vendor``), measure, top N."""
    ignored: list[str] = []
    filters = read_filters(ignored, status="active")
    # ``by=year,vendor`` in links; ``by=year&by=vendor`` from the report's form.
    by_raw = [
        part.strip()
        for raw in (request.args.getlist("by") or ["year,vendor"])
        for part in raw.split(",")
        if part.strip()
    ]
    by = tuple(dict.fromkeys(part for part in by_raw if part in DIMENSIONS))
    for part in by_raw:
        if part not in DIMENSIONS:
            ignored.append(
                gettext(
                    "by=%(value)s is not one of %(allowed)s",
                    value=part[:40],
                    allowed=", ".join(DIMENSIONS),
                )
            )
    if len(by) > 2:
        ignored.append(gettext("by: at most two groupings; the first two are used"))
        by = by[:2]
    top = _int("top", 1, MAX_TOP, ignored) or DEFAULT_TOP
    return ReportArgs(
        filters=filters,
        by=by or ("year", "vendor"),
        measure=_choice("measure", MEASURES, "net", ignored),
        top=top,
        ignored=ignored,
    )


def invoices_url(filters: InvoiceFilters, **changes) -> str:
    """The list of invoices behind a figure: the report's filters narrowed by the figure's own
    keys, valid invoices only, so the list's sum is the figure."""
    args = filters.args_with(status="active", **changes)
    # What url_for builds, without its cost per call: reports hold thousands of these links.
    path = g.get("invoices_path")
    if path is None:
        path = g.invoices_path = url_for("invoices.index")
    query = "&".join(_pair(key, v) for key, value in args.items() for v in _listed(value))
    return f"{path}?{query}" if query else path


#: What werkzeug leaves unquoted in a query string (as url_for does).
_SAFE = "!$'()*,/:;?@"


@lru_cache(maxsize=65536)
def _pair(key: str, value: str) -> str:
    """``key=value`` quoted as url_for quotes it (the same pairs recur in every link)."""
    return f"{quote_plus(key, safe=_SAFE)}={quote_plus(value, safe=_SAFE)}"


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]
