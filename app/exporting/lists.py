"""The lists as export tables: invoices, vendors, contracts and engagements, every row the
filters select (not one page), in the list's order, streamed from the database.

A private person's personal identity number is never exported: such a vendor's id column is
left empty, as on the pages.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import ngettext

from app import labels
from app.exporting.opendata import Publication
from app.exporting.sources import filters_about
from app.exporting.sources import invoice_sources
from app.exporting.table import Column
from app.exporting.table import Source
from app.exporting.table import Table
from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Engagement
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from app.privacy import hidden_name
from app.privacy import public_vendor_name
from app.privacy import shown_identifier
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import invoices as invoice_service
from app.services import vendors as vendor_service
from app.services.invoice_filters import InvoiceFilters
from app.services.invoice_filters import apply_filters
from app.services.keyset import order_by

#: Rows fetched from the database at a time while an export streams.
FETCH = 2000


def _stream(statement) -> Iterator:
    """The rows of a SELECT of columns, ``FETCH`` at a time. Run on the session's connection
    (SQLAlchemy Core): the rows are the same tuples of the columns' values, without the
    ORM's processing of each row, which would add some three quarters to the fetch's time."""
    return db.session.connection().execute(statement.execution_options(yield_per=FETCH))


def _public_id(org_number: str | None, private: bool) -> str | None:
    return None if private else org_number


# --- invoices -----------------------------------------------------------------------------------


def invoice_columns() -> list[Column]:
    return [
        Column("id", gettext("Invoice (id)"), "int"),
        Column("invoice_number", gettext("Invoice number"), "text", 16),
        Column("vendor", gettext("Vendor"), "text", 36),
        Column("vendor_org_number", gettext("Org number"), "text", 13),
        Column("invoiced_on", gettext("Invoice date"), "date"),
        Column("paid_on", gettext("Paid on"), "date"),
        Column("net_amount", gettext("Excl. VAT"), "money"),
        Column("vat_amount", gettext("VAT"), "money"),
        Column("gross_amount", gettext("Incl. VAT"), "money"),
        Column("currency", gettext("Currency"), "text", 9),
        Column("hours", gettext("Hours"), "decimal"),
        Column("contract", gettext("Contract"), "text", 16),
        Column("category", gettext("Category"), "text", 24),
        Column("department", gettext("Department"), "text", 24),
        Column("description", gettext("Description"), "text", 40),
        Column("voided_on", gettext("Voided"), "datetime"),
        Column("void_reason", gettext("Reason for voiding"), "text", 24),
        Column("import_batch", gettext("Import (id)"), "int"),
        Column("source_row", gettext("Row in the file"), "int"),
    ]


def invoice_rows_select(filters: InvoiceFilters, sort: str = "invoiced_on", descending=True):
    """The columns of :func:`invoice_columns` for the invoices ``filters`` selects, in the
    list's order."""
    statement = (
        sa.select(
            Invoice.id,
            Invoice.invoice_number,
            Vendor.name,
            Vendor.org_number,
            Vendor.is_private_person,
            Invoice.invoiced_on,
            Invoice.paid_on,
            Invoice.net_amount,
            Invoice.vat_amount,
            Invoice.currency,
            Invoice.hours,
            Contract.reference,
            Contract.title,
            Category.name,
            Department.name,
            Invoice.description,
            Invoice.voided_at,
            Invoice.void_reason,
            Invoice.import_batch_id,
            Invoice.source_row,
        )
        .select_from(Invoice)
        .join(Vendor, Invoice.vendor_id == Vendor.id)
        .outerjoin(Contract, Invoice.contract_id == Contract.id)
        .outerjoin(Category, Invoice.category_id == Category.id)
        .outerjoin(Department, Invoice.department_id == Department.id)
    )
    keys = invoice_service.invoice_keys(sort, descending)
    return apply_filters(statement, filters).order_by(*order_by(keys))


def invoice_values(row, private_name: str | None = None) -> list:
    """A row of :func:`invoice_rows_select` as the cells of :func:`invoice_columns` (a private
    person's id left out, as :func:`_public_id` does, and the name too when ``private_name``
    is given: see :func:`app.privacy.hidden_name`)."""
    (
        id_,
        number,
        vendor,
        org,
        private,
        invoiced,
        paid,
        net,
        vat,
        currency,
        hours,
        reference,
        title,
        category,
        department,
        description,
        voided,
        reason,
        batch,
        source_row,
    ) = row
    if private and private_name is not None:
        vendor = private_name
    return [id_, number, vendor, None if private else org, invoiced, paid, net, vat, net + vat,
            currency, hours, reference or title, category, department, description, voided,
            reason, batch, source_row]  # fmt: skip


def invoices_table(
    filters: InvoiceFilters,
    sort: str = "invoiced_on",
    descending: bool = True,
    *,
    publication: Publication,
) -> Table:
    """Every invoice ``filters`` selects (voided ones included unless the filters say
    otherwise; they are marked), with the totals of the valid ones per currency, under
    ``publication``'s licence."""
    from app.services.invoices import invoice_totals

    totals = [
        [None, gettext("Total"), None, None, None, None, t.net_amount, t.vat_amount,
         t.gross_amount, t.currency, None, None, None, None,
         ngettext("%(num)s valid invoice", "%(num)s valid invoices", t.count), None, None, None,
         None]
        for t in invoice_totals(filters)
    ]  # fmt: skip
    years = [str(filters.year)] if filters.year else []
    hidden = hidden_name(filters.audience)

    def rows():
        # The query starts when the first row is asked for, not here: a CSV streams after the
        # view has returned and its transaction has ended, and a server-side cursor
        # (PostgreSQL's) opened in that transaction would be gone by then.
        for row in _stream(invoice_rows_select(filters, sort, descending)):
            yield invoice_values(row, hidden)

    return Table(
        kind="invoices",
        title=gettext("Invoices"),
        columns=invoice_columns(),
        rows=rows(),
        totals=totals,
        about=filters_about(filters),
        sources=invoice_sources(filters),
        name_parts=years,
        licence=publication.licence.text,
        notes=[gettext("The totals leave out voided invoices; currencies are never added.")],
    )


# --- vendors, contracts, engagements ------------------------------------------------------------


def vendors_table(
    filters: vendor_service.VendorFilters,
    sort: str = "name",
    descending=False,
    records=None,
    *,
    publication: Publication,
):
    """Every vendor ``filters`` selects (or only ``records``, a page of them), with its
    invoices' count and sum per currency left to the reports (a vendor list is a register),
    under ``publication``'s licence."""
    columns = [
        Column("id", gettext("Vendor (id)"), "int"),
        Column("name", gettext("Name"), "text", 36),
        Column("org_number", gettext("Org number"), "text", 13),
        Column("vat_number", gettext("VAT number"), "text", 16),
        Column("country", gettext("Country"), "text", 8),
        Column("private_person", gettext("Private person"), "text", 8),
        Column("aliases", gettext("Other spellings"), "text", 36),
    ]
    statement = vendor_service.with_related(vendor_service.vendor_select(filters, sort, descending))

    hidden = hidden_name(filters.audience)

    def rows():
        if records is None:
            found = db.session.scalars(statement.execution_options(yield_per=FETCH))
        else:
            found = records
        for vendor in found:
            private = vendor.is_private_person and hidden is not None
            yield [
                vendor.id,
                hidden if private else vendor.name,
                _public_id(vendor.org_number, vendor.is_private_person),
                None if vendor.is_private_person else vendor.vat_number,
                vendor.country,
                gettext("yes") if vendor.is_private_person else gettext("no"),
                "" if private else "; ".join(alias.name for alias in vendor.aliases),
            ]

    about = [(gettext("Search"), filters.q)] if filters.q else []
    return Table(
        kind="vendors",
        title=gettext("Vendors"),
        columns=columns,
        rows=rows(),
        about=about,
        licence=publication.licence.text,
    )


def contracts_table(
    filters: contract_service.ContractFilters,
    sort="starts_on",
    descending=True,
    records=None,
    *,
    publication: Publication,
):
    """Every contract ``filters`` selects (or only ``records``, a page of them), with its
    original and current terms side by side and what has been invoiced under it, under
    ``publication``'s licence."""
    money_columns = [
        ("ceiling_amount", gettext("Ceiling, original"), gettext("Ceiling, current")),
        ("hour_quota", gettext("Hour quota, original"), gettext("Hour quota, current")),
        ("hourly_rate", gettext("Hourly rate, original"), gettext("Hourly rate, current")),
    ]
    columns = [
        Column("id", gettext("Contract (id)"), "int"),
        Column("reference", gettext("Reference"), "text", 14),
        Column("title", gettext("Title"), "text", 36),
        Column("vendor", gettext("Vendor"), "text", 30),
        Column("procurement_basis", gettext("Procurement"), "text", 18),
        Column("signed_on", gettext("Signed on"), "date"),
        Column("starts_on", gettext("Starts"), "date"),
        Column("ends_on", gettext("Ends, original"), "date"),
        Column("ends_on_current", gettext("Ends, current"), "date"),
    ]
    for key, original, current in money_columns:
        kind = "decimal" if key == "hour_quota" else "money"
        columns += [Column(key, original, kind), Column(f"{key}_current", current, kind)]
    columns += [
        Column("currency", gettext("Currency"), "text", 9),
        Column("amendments", gettext("Amendments"), "int"),
        Column("invoiced", gettext("Invoiced excl. VAT"), "money"),
        Column("invoice_count", gettext("Invoices"), "int"),
        Column("voided_on", gettext("Voided"), "datetime"),
        Column("void_reason", gettext("Reason for voiding"), "text", 24),
    ]
    statement = contract_service.with_related(
        contract_service.contract_select(filters, sort, descending)
    )
    hidden = hidden_name(filters.audience)

    def chunks():
        if records is not None:
            yield records
            return
        # 200 contracts at a time, each chunk's usage summed in one query.
        yield from db.session.scalars(statement.execution_options(yield_per=200)).partitions()

    def rows():
        for chunk in chunks():
            usages = contract_service.contract_usages(chunk)
            yield from (_contract_row(c, usages[c.id]) for c in chunk)

    def _contract_row(contract, usage):
        current = contract_service.current_terms(contract)
        return [
            contract.id,
            contract.reference,
            contract.title,
            public_vendor_name(contract.vendor.name, contract.vendor.is_private_person, hidden),
            str(labels.PROCUREMENT_BASIS[contract.procurement_basis]),
            contract.signed_on,
            contract.starts_on,
            contract.ends_on,
            current.ends_on,
            contract.ceiling_amount,
            current.ceiling_amount,
            contract.hour_quota,
            current.hour_quota,
            contract.hourly_rate,
            current.hourly_rate,
            contract.currency,
            sum(1 for a in contract.amendments if not a.is_voided),
            usage.amount,
            usage.count,
            contract.voided_at,
            contract.void_reason,
        ]

    about = []
    if filters.year:
        about.append((gettext("Running in"), str(filters.year)))
    if filters.q:
        about.append((gettext("Search"), filters.q))
    if filters.vendor_text:
        about.append((gettext("Vendor"), filters.vendor_text))
    return Table(
        kind="contracts",
        title=gettext("Contracts"),
        columns=columns,
        rows=rows(),
        about=about,
        sources=_batch_sources(Contract, filters.batch_id),
        name_parts=[str(filters.year)] if filters.year else [],
        licence=publication.licence.text,
    )


def engagements_table(
    filters: income_service.EngagementFilters,
    sort="first_day",
    descending=True,
    records=None,
    *,
    publication: Publication,
):
    """Every engagement (lecture-fee income) ``filters`` selects (or only ``records``, a page
    of them), with the fee's reckoning, under ``publication``'s licence."""
    columns = [
        Column("id", gettext("Engagement (id)"), "int"),
        Column("organiser", gettext("Organiser"), "text", 30),
        Column("organiser_org_number", gettext("Org number"), "text", 13),
        Column("first_day", gettext("First day"), "date"),
        Column("last_day", gettext("Last day"), "date"),
        Column("started_days", gettext("Started days"), "int"),
        Column("day_rate", gettext("Day rate"), "money"),
        Column("fee", gettext("Fee"), "money"),
        Column("currency", gettext("Currency"), "text", 9),
        Column("topic", gettext("Topic"), "text", 30),
        Column("speaker", gettext("Speaker"), "text", 20),
        Column("rate_override_reason", gettext("Reason for another rate"), "text", 24),
        Column("travel_paid_by_organiser", gettext("Travel paid by the organiser"), "money"),
        Column("outgoing_invoice_number", gettext("Our invoice number"), "text", 14),
        Column("paid_on", gettext("Paid on"), "date"),
        Column("voided_on", gettext("Voided"), "datetime"),
        Column("void_reason", gettext("Reason for voiding"), "text", 24),
    ]
    statement = income_service.engagement_select(filters, sort, descending)
    hidden = hidden_name(filters.audience)

    def rows():
        if records is None:
            found = db.session.scalars(statement.execution_options(yield_per=FETCH))
        else:
            found = records
        for e in found:
            private = e.organiser_is_private
            yield [
                e.id, public_vendor_name(e.organiser_name, private, hidden),
                shown_identifier(e.organiser_org_number, private, filters.audience),
                e.first_day, e.last_day,
                e.started_days, e.day_rate, e.fee_amount, e.currency, e.topic, e.speaker,
                e.rate_override_reason, e.travel_amount, e.outgoing_invoice_number, e.paid_on,
                e.voided_at, e.void_reason,
            ]  # fmt: skip

    totals = db.session.execute(
        sa.select(Engagement.currency, sa.func.sum(Engagement.fee_amount), sa.func.count())
        .where(Engagement.id.in_(statement.with_only_columns(Engagement.id).order_by(None)))
        .where(Engagement.voided_at.is_(None))
        .group_by(Engagement.currency)
    ).all()
    total_rows = [
        [None, gettext("Total"), None, None, None, None, None, amount, currency,
         ngettext("%(num)s engagement", "%(num)s engagements", count), None, None, None, None,
         None, None, None]
        for currency, amount, count in totals
    ]  # fmt: skip
    about = []
    if filters.year:
        about.append((gettext("Year"), str(filters.year)))
    if filters.q:
        about.append((gettext("Search"), filters.q))
    return Table(
        kind="income",
        title=gettext("Fee income"),
        columns=columns,
        rows=rows(),
        totals=total_rows,
        about=about,
        sources=_batch_sources(Engagement, filters.batch_id),
        name_parts=[str(filters.year)] if filters.year else [],
        licence=publication.licence.text,
        notes=[gettext("A fee is the started days times the day rate; travel is never income.")],
    )


def _batch_sources(model, batch_id: int | None) -> list[Source]:
    """The batches behind a register's rows (all of them, or the one filtered by)."""
    counted = sa.select(model.import_batch_id, sa.func.count()).where(
        model.import_batch_id.is_not(None)
    )
    if batch_id:
        counted = counted.where(model.import_batch_id == batch_id)
    counted = counted.group_by(model.import_batch_id).subquery()
    rows = db.session.execute(
        sa.select(ImportBatch, counted.c[1]).join(
            counted, counted.c.import_batch_id == ImportBatch.id
        )
    )
    return [Source(b.id, b.filename, b.sha256, b.imported_at, n) for b, n in rows]
