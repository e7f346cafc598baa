"""Downloads: a list or report as XLSX, CSV or JSON at its own address with an extension
(``/invoices.xlsx?vendor=3``, ``/reports/totals.csv?by=year,vendor``), holding every row its
page selects, not only the page shown.

CSV comes in two dialects chosen with ``?dialect=``: ``excel-sv`` (the default: semicolons,
decimal commas, a BOM, for Swedish Excel) and ``rfc4180`` (commas and points, for code).
The lists' JSON is paginated (``?per_page=500``, cut by keyset: ``?after=…``) with links to
the first, previous and next pages; the reports' JSON is the report's own (see ``app/web/reports``).
"""

from __future__ import annotations

import tempfile

import click
from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import send_file
from flask import stream_with_context
from flask import url_for

from app.exporting import lists
from app.exporting.csv_files import DIALECTS
from app.exporting.csv_files import EXCEL_SV
from app.exporting.csv_files import csv_chunks
from app.exporting.datapackage import write_datapackage
from app.exporting.json_files import json_value
from app.exporting.json_files import row_object
from app.exporting.leverantorsreskontra import spec_lines
from app.exporting.ocds import write_ocds
from app.exporting.opendata import Publication
from app.exporting.opendata import publication_from
from app.exporting.table import Table
from app.exporting.xlsx import write_xlsx
from app.privacy import hidden_name
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import invoices as invoice_service
from app.services import vendors as vendor_service
from app.services.counting import count_rows
from app.web.contracts.views import list_filters as contract_filters
from app.web.income.views import list_filters as engagement_filters
from app.web.keyset import PAGING_ARGS
from app.web.keyset import ListPage
from app.web.keyset import keyset_page
from app.web.keyset import list_name
from app.web.listing import page_arg
from app.web.listing import sorting
from app.web.report_args import read_filters
from app.web.vendors.views import list_filters as vendor_filters

bp = Blueprint("exports", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows per page of a list's JSON, by default and at most.
JSON_PAGE = 100
JSON_PAGE_MAX = 1000


def publication() -> Publication:
    """The publisher, licence and OCDS settings of this deployment, as every download states
    them."""
    return publication_from(current_app.config)


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def send_table(table: Table, fmt: str) -> Response:
    """``table`` as a download in ``fmt`` (``xlsx`` or ``csv``; the dialect from the query
    string). The workbook is built in a temporary file (spilled to disk past a few MB, so
    memory stays flat); CSV streams as it is written."""
    if fmt == "xlsx":
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        write_xlsx(table, spool)
        spool.seek(0)
        return send_file(
            spool,
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name=table.file_name("xlsx"),
            max_age=0,
        )
    if fmt == "csv":
        dialect = DIALECTS.get(request.args.get("dialect", ""), EXCEL_SV)
        body = (chunk.encode("utf-8") for chunk in csv_chunks(table, dialect))
        suffix = "" if dialect is EXCEL_SV else "-rfc4180"
        name = table.file_name("csv").removesuffix(".csv") + suffix + ".csv"
        return Response(
            stream_with_context(body),
            mimetype="text/csv",
            headers=_attachment(name) | {"Cache-Control": "no-store"},
        )
    abort(404)


def json_page(table: Table, rows, page: ListPage) -> Response:
    """One page of a list as JSON: its rows, the totals of the whole list and links to the
    first, previous and next pages (cut by keyset, as the list's page: ``?after=…``)."""
    keys = [column.key for column in table.columns]
    return jsonify(
        kind=table.kind,
        title=table.title,
        columns=[{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        rows=[row_object(keys, values) for values in rows],
        page=page.number,
        per_page=page.per_page,
        pages=page.pages,
        total=page.total,
        first=page.first_url,
        next=page.next_url,
        previous=page.previous_url,
        totals=[row_object(keys, values) for values in table.totals],
        about=[{"label": label, "value": value} for label, value in table.about],
        licence=table.licence,
        created_at=json_value(table.created_at),
    )


FORMATS = "<any(xlsx,csv,json):fmt>"


@bp.get(f"/invoices.{FORMATS}")
def invoices(fmt: str):
    filters = read_filters()
    sort = sorting(invoice_service.SORTS, "invoiced_on", descending=True)
    table = lists.invoices_table(filters, sort.key, sort.descending, publication=publication())
    if fmt != "json":
        return send_table(table, fmt)
    statement = lists.invoice_rows_select(filters, sort.key, sort.descending)
    keys = invoice_service.invoice_keys(sort.key, sort.descending)
    name = list_name("invoices", sort.key, sort.descending, keys)
    page = _json_page(statement, keys, name, make=tuple)
    hidden = hidden_name(filters.audience)
    return json_page(table, [lists.invoice_values(row, hidden) for row in page.items], page)


def _json_page(statement, keys, name: str, make=None) -> ListPage:
    """The page of a list's JSON the request asks for: ``?per_page=`` rows (at most
    ``JSON_PAGE_MAX``) from ``?after=``/``?before=`` (or an old ``?page=N``), with the whole
    list's count."""
    per_page = min(page_arg("per_page", JSON_PAGE), JSON_PAGE_MAX)
    return keyset_page(statement, keys, name, per_page, lambda: count_rows(statement), make)


def _register_json(table_of, statement, keys, name: str) -> Response:
    """One page of a register's JSON: ``table_of(records)`` is the register's table holding
    only the page's records."""
    page = _json_page(statement, keys, name)
    table = table_of(page.items)
    return json_page(table, list(table.rows), page)


@bp.get(f"/vendors.{FORMATS}")
def vendors(fmt: str):
    filters = vendor_filters()
    sort = sorting(vendor_service.SORTS, "name")
    published = publication()
    if fmt != "json":
        table = lists.vendors_table(filters, sort.key, sort.descending, publication=published)
        return send_table(table, fmt)
    keys = vendor_service.vendor_keys(filters, sort.key, sort.descending)
    return _register_json(
        lambda records: lists.vendors_table(
            filters, sort.key, sort.descending, records, publication=published
        ),
        vendor_service.with_related(
            vendor_service.vendor_select(filters, sort.key, sort.descending)
        ),
        keys,
        list_name("vendors", sort.key, sort.descending, keys),
    )


@bp.get(f"/contracts.{FORMATS}")
def contracts(fmt: str):
    filters = contract_filters()
    sort = sorting(contract_service.SORTS, "starts_on", descending=True)
    published = publication()
    if fmt != "json":
        table = lists.contracts_table(filters, sort.key, sort.descending, publication=published)
        return send_table(table, fmt)
    keys = contract_service.contract_keys(filters, sort.key, sort.descending)
    return _register_json(
        lambda records: lists.contracts_table(
            filters, sort.key, sort.descending, records, publication=published
        ),
        contract_service.with_related(
            contract_service.contract_select(filters, sort.key, sort.descending)
        ),
        keys,
        list_name("contracts", sort.key, sort.descending, keys),
    )


@bp.get(f"/income.{FORMATS}")
def income(fmt: str):
    filters = engagement_filters()
    sort = sorting(income_service.SORTS, "first_day", descending=True)
    published = publication()
    if fmt != "json":
        table = lists.engagements_table(filters, sort.key, sort.descending, publication=published)
        return send_table(table, fmt)
    keys = income_service.engagement_keys(filters, sort.key, sort.descending)
    return _register_json(
        lambda records: lists.engagements_table(
            filters, sort.key, sort.descending, records, publication=published
        ),
        income_service.engagement_select(filters, sort.key, sort.descending),
        keys,
        list_name("engagements", sort.key, sort.descending, keys),
    )


# --- open data --------------------------------------------------------------------------------


@bp.get("/open-data/")
def open_data():
    """The files a publisher puts on the open-data portal, each described."""
    return render_template(
        "exports/open_data.html",
        years=invoice_service.invoice_years(),
        contract_count=count_rows(
            contract_service.contract_select(contract_service.ContractFilters())
        ),
    )


@bp.get("/open-data/leverantorsreskontra-<int:year>.csv")
def leverantorsreskontra(year: int):
    """The year's supplier ledger in the Swedish open-data specification v1.1, streamed."""
    if not 1 <= year <= 9999:
        abort(404)
    lines = spec_lines(year, publication=publication())
    body = (line.encode("utf-8") for line in lines)
    return Response(
        stream_with_context(body),
        mimetype="text/csv",
        headers=_attachment(f"leverantorsreskontra-{year}.csv") | {"Cache-Control": "no-store"},
    )


def _spooled(write, name: str, mimetype: str) -> Response:
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write(spool)
    spool.seek(0)
    return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@bp.get("/open-data/ocds.json")
def ocds():
    """Every contract as an OCDS 1.1 release package."""
    try:
        return _spooled(
            lambda s: write_ocds(s, {}, publication=publication()),
            "insyn-ocds.json",
            "application/json",
        )
    except click.UsageError:
        abort(404)


@bp.get("/open-data/datapackage.zip")
def datapackage():
    """Invoices, vendors, contracts, amendments and fee income as a Frictionless data package."""
    return _spooled(
        lambda s: write_datapackage(s, {}, publication=publication()),
        "insyn-datapackage.zip",
        "application/zip",
    )


@bp.app_context_processor
def download_links() -> dict:
    """``download_url(endpoint, fmt, dialect=None)``: the current page's rows as a file, with
    every filter of the page and none of its paging."""

    def download_url(endpoint: str, fmt: str | None = None, **extra) -> str:
        args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in PAGING_ARGS}
        args.update({k: v for k, v in extra.items() if v is not None})
        if fmt is not None:
            args["fmt"] = fmt
        return url_for(endpoint, **args)

    return {"download_url": download_url, "export_licence": current_app.config["DATA_LICENCE"]}
