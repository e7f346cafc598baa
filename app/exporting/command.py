"""``insyn export``: any list or report, or an open-data file, written to a file or stdout.

    insyn export totals --by year,vendor --year 2010 --format xlsx -o totals.xlsx
    insyn export invoices --vendor 3 --format csv -o -
    insyn export leverantorsreskontra --year 2010 -o leverantorsreskontra-2010.csv

The filters are the report's query-string arguments as options; the file holds exactly what
the page with those arguments shows. Exit status: 0 written; 2 a bad option (the message says
which); 3 the database could not be reached or failed.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_errors import database_errors
from app.exporting import lists
from app.exporting import reports
from app.exporting.csv_files import DIALECTS
from app.exporting.csv_files import write_csv
from app.exporting.json_files import write_json
from app.exporting.opendata import Publication
from app.exporting.opendata import publication_from
from app.exporting.table import Table
from app.money import AmountError
from app.money import parse_amount
from app.privacy import Audience
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import vendors as vendor_service
from app.services.invoice_filters import DATE_BASES
from app.services.invoice_filters import STATUSES
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import DIMENSIONS
from app.services.totals import MEASURES
from app.services.totals import TotalsQuery

#: The table formats: ``csv`` is the Swedish Excel dialect, ``csv-rfc4180`` the plain one.
FORMATS = ("xlsx", "csv", "csv-rfc4180", "json")


def write_table(table: Table, stream, fmt: str) -> None:
    """Write ``table`` to the binary ``stream`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "xlsx":
        # Here, not at the top: openpyxl (and numpy, when installed) would add a third of a
        # second to every other command's start.
        from app.exporting.xlsx import write_xlsx

        write_xlsx(table, stream)
    elif fmt == "json":
        write_json(table, stream)
    else:
        write_csv(table, stream, DIALECTS["rfc4180" if fmt == "csv-rfc4180" else "excel-sv"])


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name
        ) from error


def _amount(value: str | None, name: str) -> Decimal | None:
    if not value:
        return None
    try:
        return parse_amount(value)
    except AmountError as error:
        raise click.BadParameter(f"{value!r} is not an amount", param_hint=name) from error


def _ids(values: tuple[str, ...]) -> tuple[int, ...]:
    found = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                if not part.strip().isdigit():
                    raise click.BadParameter(f"{part!r} is not a record number")
                found.append(int(part))
    return tuple(found)


def invoice_filters(options: dict, status: str) -> InvoiceFilters:
    """The invoice filters the command's options give (as the query string would), for the
    audience the command writes for (``options["audience"]``)."""
    return InvoiceFilters(
        vendor_id=options["vendor"],
        vendor_ids=_ids(options["vendors"]),
        exclude_vendor_ids=_ids(options["not_vendor"]),
        vendor_text=options["vendor_q"],
        contract_id=options["contract"],
        category_id=options["category"],
        department_id=options["department"],
        date_basis=options["date"],
        year=options["year"],
        month=options["month"],
        date_from=_date(options["date_from"], "--from"),
        date_to=_date(options["date_to"], "--to"),
        amount_min=_amount(options["amount_min"], "--min"),
        amount_max=_amount(options["amount_max"], "--max"),
        currency=(options["currency"] or "").upper() or None,
        q=options["q"],
        status=options["status"] or status,
        batch_id=options["batch"],
        audience=options["audience"],
    )


def _by(value: str) -> tuple[str, ...]:
    parts = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    wrong = [p for p in parts if p not in DIMENSIONS]
    if wrong or not parts or len(parts) > 2:
        raise click.BadParameter(
            f"one or two of {', '.join(DIMENSIONS)}, comma-separated", param_hint="--by"
        )
    return parts


def _tables(publication: Publication) -> dict[str, Callable[[dict], Table]]:
    """The table kinds: kind → its table for the command's options, under ``publication``."""
    return {
        "totals": lambda o: reports.totals_table(
            TotalsQuery(_by(o["by"]), o["measure"], invoice_filters(o, "active")),
            publication=publication,
        ),
        "pivot": lambda o: reports.pivot_table(
            invoice_filters(o, "active"), o["measure"], o["top"], publication=publication
        ),
        "balance": lambda o: reports.balance_table(
            _year(o), o["date"], o["audience"], publication=publication
        ),
        "invoices": lambda o: lists.invoices_table(
            invoice_filters(o, "active"), publication=publication
        ),
        "vendors": lambda o: lists.vendors_table(
            vendor_service.VendorFilters(q=o["q"], audience=o["audience"]), publication=publication
        ),
        "contracts": lambda o: lists.contracts_table(
            contract_service.ContractFilters(
                vendor_id=o["vendor"],
                vendor_text=o["vendor_q"],
                year=o["year"],
                q=o["q"],
                batch_id=o["batch"],
                status=o["status"] or "active",
                audience=o["audience"],
            ),
            publication=publication,
        ),
        "income": lambda o: lists.engagements_table(
            income_service.EngagementFilters(
                year=o["year"],
                q=o["q"],
                batch_id=o["batch"],
                status=o["status"] or "active",
                audience=o["audience"],
            ),
            publication=publication,
        ),
    }


def _year(options: dict) -> int:
    """The balance's year: the one asked for, else the latest with costs or income (as the
    page does), else this year."""
    if options["year"]:
        return options["year"]
    from app.services.balance import balance_years

    years = balance_years()
    return years[0] if years else dt.date.today().year


#: Files that are not one table: kind → writer(stream, options, publication). Each writes its
#: own format.
SPECIAL: dict[str, Callable] = {}


def _evidence(stream, options: dict, publication: Publication) -> None:
    from app.exporting.evidence import write_evidence
    from app.services.income import EngagementFilters

    report = options["report"]
    income = EngagementFilters(year=_year(options)) if report == "balance" else None
    table = _tables(publication)[report](options)
    filters = invoice_filters(options, "active")
    write_evidence(stream, report, table, filters, income, publication=publication)


SPECIAL["evidence"] = _evidence


def _leverantorsreskontra(stream, options: dict, publication: Publication) -> None:
    from app.exporting.leverantorsreskontra import write_leverantorsreskontra

    write_leverantorsreskontra(stream, options, publication=publication)


def _ocds(stream, options: dict, publication: Publication) -> None:
    from app.exporting.ocds import write_ocds

    write_ocds(stream, options, publication=publication)


def _datapackage(stream, options: dict, publication: Publication) -> None:
    from app.exporting.datapackage import write_datapackage

    write_datapackage(stream, options, publication=publication)


SPECIAL["leverantorsreskontra"] = _leverantorsreskontra
SPECIAL["ocds"] = _ocds
SPECIAL["datapackage"] = _datapackage

KINDS = (
    "totals",
    "pivot",
    "balance",
    "invoices",
    "vendors",
    "contracts",
    "income",
    "leverantorsreskontra",
    "ocds",
    "datapackage",
    "evidence",
)


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True)
@click.option(
    "-o", "--output", default="-", metavar="FILE", help="The file to write; - for stdout."
)
@click.option(
    "--by", default="year,vendor", show_default=True, help="totals: one or two groupings."
)
@click.option("--measure", type=click.Choice(MEASURES), default="net", show_default=True)
@click.option("--top", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--report", type=click.Choice(["totals", "pivot", "balance"]), default="totals",
              show_default=True, help="evidence: which report the pack is for.")  # fmt: skip
@click.option("--date", type=click.Choice(DATE_BASES), default="invoiced", show_default=True,
              help="Which date places an invoice in a period.")  # fmt: skip
@click.option("--year", type=click.IntRange(1, 9999), default=None)
@click.option("--month", type=click.IntRange(1, 12), default=None)
@click.option("--from", "date_from", default=None, metavar="YYYY-MM-DD")
@click.option("--to", "date_to", default=None, metavar="YYYY-MM-DD")
@click.option("--vendor", type=int, default=None, help="A vendor's id.")
@click.option("--vendors", multiple=True, help="Several vendors' ids, comma-separated.")
@click.option("--not-vendor", "not_vendor", multiple=True, help="Vendors' ids to leave out.")
@click.option("--vendor-q", "vendor_q", default=None, help="Part of a vendor's name or org number.")
@click.option("--contract", type=int, default=None, help="A contract's id (0: none).")
@click.option("--category", type=int, default=None, help="A category's id (0: none).")
@click.option("--department", type=int, default=None, help="A department's id (0: none).")
@click.option("--batch", type=int, default=None, help="An import batch's id.")
@click.option("--min", "amount_min", default=None, help="Smallest amount excl. VAT.")
@click.option("--max", "amount_max", default=None, help="Largest amount excl. VAT.")
@click.option("--currency", default=None)
@click.option("--q", default=None, help="Text in the invoice number or description.")
@click.option("--status", type=click.Choice(STATUSES), default=None)
@click.option(
    "--public",
    is_flag=True,
    help="Write what the public sees: private persons as Privatperson, without ids (the "
    "open-data kinds always do).",
)
@with_appcontext
@database_errors
def export_command(kind: str, fmt: str, output: str, public: bool, **options) -> None:
    """Export a list, a report or an open-data file.

    KIND is totals, pivot, balance, invoices, vendors, contracts or income (a table, in
    --format), or leverantorsreskontra, ocds, datapackage or evidence (their own formats).
    """
    # Whoever runs the command runs the server: names are shown unless asked otherwise.
    options["audience"] = Audience.PUBLIC if public else Audience.STAFF
    _export(kind, fmt, output, options, publication_from(current_app.config))


def _export(kind: str, fmt: str, output: str, options: dict, publication: Publication) -> None:
    tables = _tables(publication)
    if kind in SPECIAL:
        writer = lambda stream: SPECIAL[kind](stream, options, publication)  # noqa: E731
    elif kind in tables:
        table = tables[kind](options)
        writer = lambda stream: write_table(table, stream, fmt)  # noqa: E731
    else:
        raise click.UsageError(f"{kind} cannot be exported by this version of Insyn.")
    if output == "-":
        writer(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as stream:
            writer(stream)
        partial.replace(path)  # a reader never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Wrote {path}", err=True)
