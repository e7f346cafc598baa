"""Everything Insyn holds as a Frictionless Tabular Data Package: a zip of ``datapackage.json``
and five CSV files (invoices, vendors, contracts, amendments, engagements).

The CSV files are RFC 4180 (comma, ``"`` quoting, CRLF), UTF-8 without a byte-order mark,
with a header row; ``datapackage.json`` describes each column with a Table Schema type
(``integer``, ``number``, ``date``, ``datetime``, ``boolean``, ``string``), the primary keys
and the foreign keys between the files, the licence (``DATA_LICENCE``) and the publisher.
Amounts are plain decimal numbers (``-1234.50``) in the row's ``currency``, dates ISO 8601.
Text a spreadsheet would take for a formula gets a leading apostrophe; numbers never do.

Voided invoices and engagements are left out, and so are withdrawn contracts, unless a valid
invoice points at one (then it is listed with its ``voided_at`` time, so that every key
resolves). A private person (:mod:`app.exporting.privacy`) is ``Privatperson`` with no
organisation or VAT number. Each file is streamed into the zip: memory stays flat.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import zipfile
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any
from typing import BinaryIO

import sqlalchemy as sa

from app.exporting.cells import csv_text
from app.exporting.opendata import Publication
from app.exporting.privacy import PRIVATE_PERSON
from app.exporting.privacy import PublicVendor
from app.exporting.privacy import is_private_person
from app.exporting.privacy import public_vendors
from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import ContractAmendment
from app.models import Department
from app.models import Engagement
from app.models import Invoice
from app.models import Vendor

#: Rows fetched from the database at a time.
FETCH = 2000
#: The CSV dialect of every file, as the Data Package's CSV Dialect spells it.
DIALECT = {
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
}


@dataclass(frozen=True)
class Field:
    """A column: the database column it is read from, its Table Schema ``type``, and what it
    holds."""

    name: str
    type: str
    column: Any
    description: str
    required: bool = False
    unique: bool = False

    def descriptor(self) -> dict:
        found = {"name": self.name, "type": self.type, "description": self.description}
        constraints = {"required": self.required, "unique": self.unique}
        if any(constraints.values()):
            found["constraints"] = {k: v for k, v in constraints.items() if v}
        return found


@dataclass
class Resource:
    """One CSV file of the package: its fields' columns selected from ``query`` (joins, the
    rows kept, their order), each row passed through ``clean``."""

    name: str
    title: str
    fields: list[Field]
    query: Callable[[sa.Select], sa.Select]
    clean: Callable[[list], list] = list
    #: (columns, other resource, its columns)
    foreign_keys: list[tuple[list[str], str, list[str]]] = dc_field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def rows(self) -> Iterator[list]:
        statement = self.query(sa.select(*(f.column for f in self.fields)))
        for row in db.session.execute(statement.execution_options(yield_per=FETCH)):
            yield self.clean(list(row))

    def descriptor(self) -> dict:
        schema: dict = {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": ["id"],
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": mine, "reference": {"resource": other, "fields": theirs}}
                for mine, other, theirs in self.foreign_keys
            ]
        return {
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": DIALECT,
            "schema": schema,
        }


# --- cells ------------------------------------------------------------------------------------


def _cell(value) -> str:
    """A value as its CSV text: numbers, dates and booleans as Table Schema reads them by
    default, an enumeration as its value, text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return csv_text(str(value))


def csv_lines(resource: Resource) -> Iterator[str]:
    """The resource's file, a line at a time, the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(f.name for f in resource.fields)
    for row in resource.rows():
        yield line(_cell(value) for value in row)


# --- the five files ---------------------------------------------------------------------------


def _published_contracts():
    """Valid contracts, and withdrawn ones a valid invoice still points at."""
    cited = sa.select(Invoice.contract_id).where(
        Invoice.voided_at.is_(None), Invoice.contract_id.is_not(None)
    )
    return sa.or_(Contract.voided_at.is_(None), Contract.id.in_(cited))


def _public_vendor(vendors: dict[int, PublicVendor]) -> Callable[[list], list]:
    """A vendors row (id, name, org number, VAT number, country, private) as open data shows it."""

    def clean(row: list) -> list:
        shown = vendors[row[0]]
        return [row[0], shown.name, shown.org_number, shown.vat_number, row[4], shown.is_private]

    return clean


def _public_organiser(row: list) -> list:
    """An engagements row (id, organiser, org number, …) with a private organiser unnamed."""
    if is_private_person(row[1], row[2]):
        row[1:3] = [PRIVATE_PERSON, None]
    return row


def resources() -> list[Resource]:
    """The package's files, in the order they are written."""
    money = "Excl. VAT, in the row's currency; negative for a credit."
    iso = "ISO 4217 currency code."
    i, c, a, e, v = Invoice, Contract, ContractAmendment, Engagement, Vendor
    return [
        Resource(
            "invoices",
            "Supplier invoices",
            [
                Field("id", "integer", i.id, "The invoice's number in Insyn.", required=True),
                Field("vendor_id", "integer", i.vendor_id, "vendors.id", required=True),
                Field("contract_id", "integer", i.contract_id, "Invoiced under (contracts.id)."),
                Field("invoice_number", "string", i.invoice_number, "The vendor's number."),
                Field("invoiced_on", "date", i.invoiced_on, "Invoice date.", required=True),
                Field("paid_on", "date", i.paid_on, "Payment date; empty while unpaid."),
                Field("net_amount", "number", i.net_amount, money, required=True),
                Field("vat_amount", "number", i.vat_amount, "VAT, in the row's currency."),
                Field("currency", "string", i.currency, iso, required=True),
                Field("hours", "number", i.hours, "Hours billed."),
                Field("category_code", "string", Category.code, "Account (Kommun-Bas)."),
                Field("category", "string", Category.name, "What the invoice paid for."),
                Field("department", "string", Department.name, "The buying department."),
                Field("description", "string", i.description, "What the invoice says."),
            ],
            lambda q: (
                q.outerjoin(Category, i.category_id == Category.id)
                .outerjoin(Department, i.department_id == Department.id)
                .where(i.voided_at.is_(None))
                .order_by(i.id)
            ),
            foreign_keys=[
                (["vendor_id"], "vendors", ["id"]),
                (["contract_id"], "contracts", ["id"]),
            ],
        ),
        Resource(
            "vendors",
            "Vendors",
            [
                Field("id", "integer", v.id, "The vendor's number in Insyn.", required=True),
                Field("name", "string", v.name, "Privatperson: a private person.", required=True),
                Field("org_number", "string", v.org_number, "NNNNNN-NNNN, or a foreign id."),
                Field("vat_number", "string", v.vat_number, "VAT number."),
                Field("country", "string", v.country, "ISO 3166-1 alpha-2 country code."),
                Field("is_private_person", "boolean", v.is_private_person, "Name, ids withheld."),
            ],
            lambda q: q.order_by(v.id),
            clean=_public_vendor(public_vendors()),
        ),
        Resource(
            "contracts",
            "Contracts, with their original terms",
            [
                Field("id", "integer", c.id, "The contract's number in Insyn.", required=True),
                Field("vendor_id", "integer", c.vendor_id, "vendors.id", required=True),
                Field("reference", "string", c.reference, "Diarienummer.", unique=True),
                Field("title", "string", c.title, "Title.", required=True),
                Field("procurement_basis", "string", c.procurement_basis, "direct_award, …"),
                Field("signed_on", "date", c.signed_on, "Signed on."),
                Field("starts_on", "date", c.starts_on, "First day."),
                Field("ends_on", "date", c.ends_on, "Original last day (see amendments)."),
                Field("ceiling_amount", "number", c.ceiling_amount, f"Original ceiling. {money}"),
                Field("hour_quota", "number", c.hour_quota, "Original number of hours."),
                Field("hourly_rate", "number", c.hourly_rate, "Original rate, excl. VAT."),
                Field("currency", "string", c.currency, iso, required=True),
                Field("voided_at", "datetime", c.voided_at, "Withdrawn; an invoice cites it."),
            ],
            lambda q: q.where(_published_contracts()).order_by(c.id),
            foreign_keys=[(["vendor_id"], "vendors", ["id"])],
        ),
        Resource(
            "amendments",
            "Contract amendments (extensions, expansions, price changes); voided ones left out",
            [
                Field("id", "integer", a.id, "The amendment's number in Insyn.", required=True),
                Field("contract_id", "integer", a.contract_id, "contracts.id", required=True),
                Field("dated_on", "date", a.dated_on, "Applies from this day.", required=True),
                Field("kind", "string", a.kind, "extension, expansion, price_change or other."),
                Field("new_ends_on", "date", a.new_ends_on, "The last day from now on."),
                Field("added_amount", "number", a.added_amount, "Added to the ceiling."),
                Field("added_hours", "number", a.added_hours, "Added to the hour quota."),
                Field("new_hourly_rate", "number", a.new_hourly_rate, "The rate from now on."),
                Field("reason", "string", a.reason, "Why."),
            ],
            lambda q: (
                q.join(c, a.contract_id == c.id)
                .where(_published_contracts(), a.voided_at.is_(None))
                .order_by(a.contract_id, a.dated_on, a.id)
            ),
            foreign_keys=[(["contract_id"], "contracts", ["id"])],
        ),
        Resource(
            "engagements",
            "Lecture-fee income",
            [
                Field("id", "integer", e.id, "The engagement's number in Insyn.", required=True),
                Field("organiser", "string", e.organiser_name, "Who paid.", required=True),
                Field("organiser_org_number", "string", e.organiser_org_number, "Org number."),
                Field("first_day", "date", e.first_day, "First day.", required=True),
                Field("last_day", "date", e.last_day, "Last day.", required=True),
                Field("topic", "string", e.topic, "Topic."),
                Field("speaker", "string", e.speaker, "Who lectured."),
                Field("started_days", "integer", e.started_days, "Days, first to last."),
                Field("day_rate", "number", e.day_rate, "Fee per started day."),
                Field("fee_amount", "number", e.fee_amount, "started_days × day_rate: income."),
                Field("currency", "string", e.currency, iso, required=True),
                Field("organiser_pays_travel", "boolean", e.organiser_pays_travel, "Travel."),
                Field("travel_amount", "number", e.travel_amount, "Travel paid; never income."),
                Field("paid_on", "date", e.paid_on, "When the fee was paid."),
            ],
            lambda q: q.where(e.voided_at.is_(None)).order_by(e.first_day, e.id),
            clean=_public_organiser,
        ),
    ]


def _package_name(publisher_name: str) -> str:
    """``insyn-exempelkommun``: a package name is lower-case ASCII letters, digits, ``-._``."""
    folded = publisher_name.translate(str.maketrans("åäöÅÄÖéÉüÜ", "aaoaaoeeuu")).lower()
    kept = "".join(c if c.isascii() and c.isalnum() else "-" for c in folded)
    return "-".join(part for part in ["insyn", *kept.split("-")] if part)


def descriptor(created: dt.datetime, files: list[Resource], *, publication: Publication) -> dict:
    """``datapackage.json``: the ``files``, made at ``created``, with ``publication``'s
    publisher and licence."""
    body = publication.publisher
    licence = publication.licence
    entry = {"name": licence.name, "path": licence.url, "title": licence.title}
    package = {
        "profile": "tabular-data-package",
        "name": _package_name(body.name),
        "title": f"{body.name}: consultant invoices, contracts and lecture-fee income",
        "description": (
            "Supplier invoices (voided ones left out), the vendors, the contracts with their "
            "amendments, and lecture-fee income, as recorded in Insyn. Amounts are excl. VAT "
            "in each row's currency; currencies are never added together."
        ),
        "created": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "contributors": [{"title": body.name, "role": "publisher"}],
        "resources": [resource.descriptor() for resource in files],
    }
    if licence.url:
        package["licenses"] = [{k: v for k, v in entry.items() if v}]
    return package


def write_datapackage(stream: BinaryIO, options: dict, *, publication: Publication) -> None:
    """Write the package, as ``publication`` publishes it, as a zip to the binary ``stream``
    (which need not be seekable): ``datapackage.json`` first, then each CSV file streamed
    row by row. ``options`` is accepted for the command's sake; the package holds
    everything."""
    files = resources()
    created = dt.datetime.now(dt.UTC)
    stamp = created.astimezone().timetuple()[:6]  # zip times are local, without a zone

    def member(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        package = descriptor(created, files, publication=publication)
        text = json.dumps(package, ensure_ascii=False, indent=2)
        archive.writestr(member("datapackage.json"), text + "\n")
        for resource in files:
            # Sizes are unknown while streaming: zip64 lets a file pass 2 GiB.
            with archive.open(member(resource.path), "w", force_zip64=True) as entry:
                for line in csv_lines(resource):
                    entry.write(line.encode("utf-8"))
