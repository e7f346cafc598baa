"""The supplier ledger as Swedish open data: "Specifikation för leverantörsreskontra" v1.1.

One row per invoice (an invoice is one posting here), the specification's columns in its
order, named as it names them; written as its example is, and as a reader of the format
expects without guessing: comma separators, a decimal point, ISO dates, UTF-8 without a
byte-order mark, RFC 4180 quoting and CRLF line ends.

* ``kopare``, ``kopare_id``, ``kommun_id``: the publisher (``PUBLISHER_NAME``,
  ``PUBLISHER_ORG_NUMBER``, ``PUBLISHER_MUNICIPALITY_CODE``, given as a
  :class:`~app.exporting.opendata.Publication`).
* ``verifikationsnummer``: the invoice's number in Insyn (its id), unique and stable.
* ``leverantor``, ``leverantor_id``: the vendor and its organisation number; a private person
  is ``Privatperson`` with no id (:mod:`app.exporting.privacy`), the row and amount kept.
* ``konto_nr``, ``konto_text``: the invoice's category (its account code and name).
* ``belopp``: the amount excl. VAT, a plain decimal number (``1234.50``, ``-1234.50``).
* ``datum``: the invoice date; ``forvaltning``: the department; ``fakturanummer``: the
  vendor's invoice number; ``avtal``: the contract's reference; ``grund``: the contract's
  procurement basis, when known.

Voided invoices are left out. The specification's amounts are kronor, and Insyn keeps an
invoice in its own currency without rates, so invoices in other currencies are left out too,
and a warning says how many. Text a spreadsheet would take for a formula gets a leading
apostrophe; numbers and dates are never touched. The file imports back through the
``leverantorsreskontra`` profile with the same sums and counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import BinaryIO

import sqlalchemy as sa

from app.exporting.cells import csv_lines
from app.exporting.opendata import Publication
from app.exporting.privacy import public_vendors
from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Invoice
from app.models import ProcurementBasis

#: The specification's columns, in its order: the nine mandatory ones, then the optional
#: ones Insyn has data for (``s_kod_nr``, a code Insyn does not keep, is left out; the
#: specification matches columns by name).
COLUMNS = (
    "kopare_id",
    "kopare",
    "verifikationsnummer",
    "leverantor",
    "leverantor_id",
    "konto_nr",
    "konto_text",
    "belopp",
    "datum",
    "forvaltning",
    "fakturanummer",
    "grund",
    "avtal",
    "kommun_id",
)
#: The currency of ``belopp``.
CURRENCY = "SEK"
#: ``grund`` for each procurement basis; "other" is not a basis a reader can use, so empty.
BASIS = {
    ProcurementBasis.DIRECT_AWARD: "direktupphandling",
    ProcurementBasis.FRAMEWORK_AGREEMENT: "ramavtal",
    ProcurementBasis.OPEN_TENDER: "upphandling",
}
#: Invoices fetched from the database at a time.
FETCH = 2000

log = logging.getLogger(__name__)


def _year_filter(statement: sa.Select, year: int | None) -> sa.Select:
    if year is None:
        return statement
    return statement.where(Invoice.invoiced_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))


def spec_rows(year: int | None = None, *, publication: Publication) -> Iterator[list]:
    """The file's rows (without the header), in :data:`COLUMNS` order: every valid invoice in
    kronor dated in ``year`` (every year when ``None``), by date, bought by ``publication``'s
    publisher. Amounts are ``Decimal``, dates ``datetime.date``, ids ``int``, empty cells
    ``None``."""
    buyer = publication.publisher
    vendors = public_vendors()
    statement = _year_filter(
        sa.select(
            Invoice.id,
            Invoice.vendor_id,
            Category.code,
            Category.name,
            Invoice.net_amount,
            Invoice.invoiced_on,
            Department.name,
            Invoice.invoice_number,
            Contract.procurement_basis,
            Contract.reference,
        )
        .outerjoin(Category, Invoice.category_id == Category.id)
        .outerjoin(Department, Invoice.department_id == Department.id)
        .outerjoin(Contract, Invoice.contract_id == Contract.id)
        .where(Invoice.voided_at.is_(None), Invoice.currency == CURRENCY)
        .order_by(Invoice.invoiced_on, Invoice.id),
        year,
    )
    rows = db.session.execute(statement.execution_options(yield_per=FETCH))
    for number, vendor_id, code, account, amount, day, unit, invoice, basis, contract in rows:
        vendor = vendors[vendor_id]
        yield [
            buyer.org_number or None,
            buyer.name,
            number,
            vendor.name,
            vendor.org_number,
            code,
            account,
            amount,
            day,
            unit,
            invoice or None,
            BASIS.get(basis) if basis is not None else None,
            contract,
            buyer.municipality_code or None,
        ]


def spec_lines(year: int | None = None, *, publication: Publication) -> Iterator[str]:
    """The file as text, a line at a time, the header first (see the module's docstring)."""
    return csv_lines(COLUMNS, spec_rows(year, publication=publication), delimiter=",")


def left_out(year: int | None = None) -> int:
    """How many valid invoices of ``year`` the file cannot hold (not in kronor)."""
    statement = _year_filter(
        sa.select(sa.func.count()).where(Invoice.voided_at.is_(None), Invoice.currency != CURRENCY),
        year,
    )
    return db.session.scalar(statement) or 0


def write_leverantorsreskontra(
    stream: BinaryIO, options: dict, *, publication: Publication
) -> None:
    """Write the file for ``options["year"]`` (every year when not given), as ``publication``
    publishes it, to the binary ``stream`` as UTF-8, streamed: memory stays flat however many
    invoices there are.

    Logs a warning when invoices in other currencies than kronor were left out."""
    year = options.get("year")
    for line in spec_lines(year, publication=publication):
        stream.write(line.encode("utf-8"))
    skipped = left_out(year)
    if skipped:
        log.warning(
            "%s invoice(s) in other currencies than %s left out: the file's amounts are %s.",
            skipped,
            CURRENCY,
            CURRENCY,
        )
