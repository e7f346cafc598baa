"""Reports: the year × vendor pivot (the front page), totals grouped any one or two ways and
the balance of a year, each as a page and as JSON at the same address with ``.json``.

Every choice is in the query string, so a report's URL can be cited and gives the same table
tomorrow; every figure links to the list of invoices behind it.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from flask import Blueprint
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for

from app.exporting import reports as export_reports
from app.exporting.evidence import write_evidence
from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import ImportBatch
from app.models import Vendor
from app.services import invoices as invoice_service
from app.services import lists as list_service
from app.services import overview as overview_service
from app.services.balance import balance
from app.services.balance import balance_years
from app.services.income import EngagementFilters
from app.services.invoice_filters import DATE_BASES
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import DIMENSIONS
from app.services.totals import MEASURES
from app.services.totals import currency_totals
from app.services.totals import pivot
from app.services.totals import totals as compute_totals
from app.services.year_flags import year_flags
from app.web.audience import request_audience
from app.web.downloads import publication
from app.web.downloads import send_table
from app.web.filter_chips import filter_chips
from app.web.listing import RowWindow
from app.web.listing import int_arg
from app.web.listing import year_arg
from app.web.report_args import invoices_url
from app.web.report_args import read_report_args
from app.web.reports import present
from app.web.reports import report_charts

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Flags the balance of a year lists; the rest are in its download (a large body's year
#: raises a thousand).
BALANCE_FLAGS = 50
#: Vendors the balance of a year lists, the largest first; the rest are in the totals by
#: vendor it links to.
BALANCE_VENDORS = 100


def _filter_choices() -> dict:
    """What the report forms offer."""
    return {
        "years": invoice_service.invoice_years(),
        "categories": db.session.scalars(list_service.ordered(Category)).all(),
        "departments": db.session.scalars(list_service.ordered(Department)).all(),
        "dimensions": [(name, present.DIMENSION_LABELS[name]) for name in DIMENSIONS],
        "measures": [(name, present.MEASURE_LABELS[name]) for name in MEASURES],
        "date_bases": [(name, present.DATE_BASIS_LABELS[name]) for name in DATE_BASES],
    }


def _context_records(filters) -> dict:
    """The records a report is narrowed to, to name them on the page."""
    return {
        "vendor": db.session.get(Vendor, filters.vendor_id) if filters.vendor_id else None,
        "contract": db.session.get(Contract, filters.contract_id) if filters.contract_id else None,
        "batch": db.session.get(ImportBatch, filters.batch_id) if filters.batch_id else None,
        "category": db.session.get(Category, filters.category_id) if filters.category_id else None,
        "department": (
            db.session.get(Department, filters.department_id) if filters.department_id else None
        ),
    }


# --- the pivot ---------------------------------------------------------------------------------


@bp.get("/pivot")  # the address of its JSON, /reports/pivot.json, without the suffix
@bp.get("/")
def index():
    """The year × vendor pivot, one table per currency, with its chart."""
    args = read_report_args()
    pivots = pivot(args.filters, args.measure, args.top)
    return render_template(
        "reports/index.html",
        args=args,
        filters=args.filters,
        pivots=pivots,
        charts={
            p.currency: report_charts.pivot_chart(args.filters, p, args.measure) for p in pivots
        },
        chips=filter_chips(args.filters),
        present=present,
        **_filter_choices(),
        **_context_records(args.filters),
    )


@bp.get("/pivot.json")
def pivot_json():
    args = read_report_args()
    pivots = pivot(args.filters, args.measure, args.top)
    return jsonify(
        report="pivot",
        measure=args.measure,
        date_basis=args.filters.date_basis,
        top=args.top,
        filters=args.filters.as_args(),
        ignored=args.ignored,
        pivots=[present.pivot_json(args.filters, p) for p in pivots],
    )


# --- totals ------------------------------------------------------------------------------------


#: Rows the totals page shows at a time: a year × vendor grouping of a large body's decade
#: has tens of thousands (its downloads and JSON hold them all).
TOTALS_ROWS = 500


@bp.get("/totals")
def totals():
    """Sums grouped by one or two dimensions, with counts and shares; the table a page of
    :data:`TOTALS_ROWS` rows at a time (``?page=``), the chart, sums, downloads and JSON
    over all of them."""
    args = read_report_args()
    rows = compute_totals(args.totals_query)
    window = RowWindow.of(len(rows), int_arg("page") or 1, TOTALS_ROWS)
    shown = rows[window.start : window.stop]
    return render_template(
        "reports/totals.html",
        args=args,
        filters=args.filters,
        rows=shown,
        window=window,
        sums=currency_totals(rows),
        links=[present.row_url(args.filters, row) for row in shown],
        charts=report_charts.totals_charts(args.filters, args.by, rows, args.measure),
        chips=filter_chips(args.filters),
        present=present,
        **_filter_choices(),
        **_context_records(args.filters),
    )


@bp.get("/totals.json")
def totals_json():
    args = read_report_args()
    rows = compute_totals(args.totals_query)
    return jsonify(
        report="totals",
        by=list(args.by),
        measure=args.measure,
        date_basis=args.filters.date_basis,
        filters=args.filters.as_args(),
        ignored=args.ignored,
        rows=[present.totals_row_json(args.filters, row) for row in rows],
        totals={
            currency: {"amount": present.decimal_text(amount), "count": count}
            for currency, (amount, count) in currency_totals(rows).items()
        },
    )


# --- the balance of a year ---------------------------------------------------------------------


def _balance_request():
    """The year and date basis asked for; a redirect to the latest year when none is given,
    so that the address shown can be cited."""
    years = balance_years()
    year = year_arg()
    basis = request.args.get("date")
    basis = basis if basis in DATE_BASES else "invoiced"
    return years, year, basis


def _year_flags(year: int, limit: int | None = None) -> tuple[list[present.ShownFlag], int]:
    """The year's flags as shown (the first ``limit``, or all), and how many there are."""
    found = year_flags(year, request_audience())
    return [
        present.show_flag(flag, currency, label) for flag, currency, label in found[:limit]
    ], len(found)


def _largest(rows: list, count: int) -> list:
    """The first ``count`` rows of each currency (rows sorted by currency, largest first)."""
    seen: dict[str, int] = {}
    shown = []
    for row in rows:
        seen[row.currency] = seen.get(row.currency, 0) + 1
        if seen[row.currency] <= count:
            shown.append(row)
    return shown


@bp.get("/balance")
def balance_view():
    years, year, basis = _balance_request()
    if year is None:
        if years:
            return redirect(url_for(".balance_view", year=years[0], date=basis))
        return render_template("reports/balance.html", result=None, years=years)
    result = balance(year, basis, request_audience())
    overview = overview_service.yearly_overview()
    currencies = sorted({row.currency for row in overview})
    return render_template(
        "reports/balance.html",
        result=result,
        years=years,
        year_filters=InvoiceFilters(
            year=year, date_basis=basis, status="active", audience=request_audience()
        ),
        flags=(flags := _year_flags(year, BALANCE_FLAGS))[0],
        more_flags=flags[1] - len(flags[0]),
        vendors_shown=_largest(result.costs_by_vendor, BALANCE_VENDORS),
        evidence=present.evidence_rows(flags[0]),
        charts={c: report_charts.balance_chart(overview, c) for c in currencies},
        date_bases=[(name, present.DATE_BASIS_LABELS[name]) for name in DATE_BASES],
        present=present,
    )


@bp.get("/balance.json")
def balance_json():
    years, year, basis = _balance_request()
    if year is None:
        year = years[0] if years else dt.date.today().year
    result = balance(year, basis, request_audience())
    return jsonify(report="balance", **present.balance_json(result, _year_flags(year)[0]))


# --- downloads ---------------------------------------------------------------------------------


@bp.get("/pivot.<any(xlsx,csv):fmt>")
def pivot_download(fmt: str):
    args = read_report_args()
    table = export_reports.pivot_table(
        args.filters, args.measure, args.top, publication=publication()
    )
    return send_table(table, fmt)


@bp.get("/totals.<any(xlsx,csv):fmt>")
def totals_download(fmt: str):
    query = read_report_args().totals_query
    return send_table(export_reports.totals_table(query, publication=publication()), fmt)


@bp.get("/balance.<any(xlsx,csv):fmt>")
def balance_download(fmt: str):
    years, year, basis = _balance_request()
    year = year or (years[0] if years else dt.date.today().year)
    table = export_reports.balance_table(year, basis, request_audience(), publication=publication())
    return send_table(table, fmt)


@bp.get("/evidence.zip")
def evidence():
    """A zip with the report (``?report=totals|pivot|balance`` and its choices) as XLSX,
    every invoice behind it, their provenance and a README on how the figures were made."""
    report = request.args.get("report", "totals")
    args = read_report_args()
    published = publication()
    income = None
    if report == "balance":
        years, year, basis = _balance_request()
        year = year or (years[0] if years else dt.date.today().year)
        table = export_reports.balance_table(year, basis, request_audience(), publication=published)
        filters = InvoiceFilters(
            year=year, date_basis=basis, status="active", audience=request_audience()
        )
        income = EngagementFilters(year=year, audience=request_audience())
    elif report == "pivot":
        table = export_reports.pivot_table(
            args.filters, args.measure, args.top, publication=published
        )
        filters = args.filters
    else:
        report = "totals"
        table = export_reports.totals_table(args.totals_query, publication=published)
        filters = args.filters
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_evidence(spool, report, table, filters, income, publication=published)
    spool.seek(0)
    return send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=table.file_name("zip").replace(
            f"insyn-{table.kind}", f"insyn-evidence-{table.kind}"
        ),
        max_age=0,
    )


def invoices_link(filters, **changes) -> str:
    """Shorthand for templates: the invoices behind a figure."""
    return invoices_url(filters, **changes)


@bp.app_context_processor
def report_links() -> dict:
    return {"invoices_link": invoices_link, "totals_url": present.totals_url}
