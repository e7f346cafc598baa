"""Supplier invoices: entering, correcting, voiding and listing them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Category
from app.models import Invoice
from app.models import Vendor
from app.money import N_
from app.money import to_money
from app.services import plausibility
from app.services import voiding
from app.services.conflicts import check_version
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from app.services.invoice_filters import STATUSES  # noqa: F401 - the list's statuses
from app.services.invoice_filters import InvoiceFilters
from app.services.invoice_filters import apply_filters
from app.services.keyset import Key
from app.services.keyset import column_key
from app.services.keyset import order_by
from app.services.provenance import in_use
from app.services.provenance import set_provenance
from app.services.summary_filters import year_or_month_scope
from app.text import clean_text

#: Sortable columns of the invoice list.
SORTS = {
    "invoiced_on": Invoice.invoiced_on,
    "paid_on": Invoice.paid_on,
    "number": Invoice.invoice_number,
    "vendor": Vendor.name_key,
    "net_amount": Invoice.net_amount,
}


def compute_vat(net_amount: Decimal, rate_percent: int | Decimal) -> Decimal:
    """VAT on ``net_amount`` at ``rate_percent`` (25, 12, 6 or 0), rounded half up to the öre."""
    return to_money(net_amount * Decimal(rate_percent) / 100)


def invoice_select(filters: InvoiceFilters, sort: str = "invoiced_on", descending: bool = True):
    """Invoices matching ``filters`` with their vendors, ordered by ``sort`` then newest."""
    query = apply_filters(
        sa.select(Invoice).join(Invoice.vendor).options(contains_eager(Invoice.vendor)),
        filters,
    )
    return query.order_by(*order_by(invoice_keys(sort, descending)))


def with_related(statement: sa.Select) -> sa.Select:
    """``statement`` (of :func:`invoice_select`) loading each invoice's category and
    department with it, a query for each kind rather than one per invoice."""
    return statement.options(selectinload(Invoice.category), selectinload(Invoice.department))


def invoice_keys(sort: str = "invoiced_on", descending: bool = True) -> list[Key]:
    """The invoice list's order: ``sort`` (a key of ``SORTS``; empty values last), then the
    id the same way, so that one index on ``(column, id)`` serves both directions."""
    column = SORTS.get(sort, Invoice.invoiced_on)
    return [column_key(column, descending), Key(Invoice.id, descending)]


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """An invoice as a list shows it: plain values read in one query, without loading the
    records (a list page is read far more often than an invoice is changed)."""

    id: int
    invoiced_on: dt.date
    vendor_id: int
    vendor_name: str
    vendor_is_private: bool
    invoice_number: str
    voided_at: dt.datetime | None
    category_name: str | None
    description: str | None
    net_amount: Decimal
    vat_amount: Decimal
    currency: str
    paid_on: dt.date | None

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_credit_note(self) -> bool:
        return self.net_amount < 0


def invoice_lines(filters: InvoiceFilters, sort: str = "invoiced_on", descending: bool = True):
    """The columns of :class:`InvoiceLine` for the invoices matching ``filters``, in the order
    of :func:`invoice_select`."""
    query = (
        sa.select(
            Invoice.id,
            Invoice.invoiced_on,
            Invoice.vendor_id,
            Vendor.name,
            Vendor.is_private_person,
            Invoice.invoice_number,
            Invoice.voided_at,
            Category.name,
            Invoice.description,
            Invoice.net_amount,
            Invoice.vat_amount,
            Invoice.currency,
            Invoice.paid_on,
        )
        .select_from(Invoice)
        .join(Vendor, Invoice.vendor_id == Vendor.id)
        .outerjoin(Category, Invoice.category_id == Category.id)
    )
    return apply_filters(query, filters).order_by(*order_by(invoice_keys(sort, descending)))


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    net_amount: Decimal
    vat_amount: Decimal
    count: int

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


def invoice_totals(filters: InvoiceFilters) -> list[CurrencyTotal]:
    """Sums of the invoices matching ``filters``, one per currency, voided invoices left out
    whatever the status filter says. Amounts excl. VAT, VAT, and the count. Read from the
    invoice summaries when the filters allow."""
    if filters.status == "voided":
        return []  # only voided invoices: none counts
    scope = year_or_month_scope(filters.narrowed(status="active"), dated=False)
    if scope is not None:
        summary = scope.model
        rows = db.session.execute(
            sa.select(
                summary.currency,
                sa.func.sum(summary.net_amount),
                sa.func.sum(summary.vat_amount),
                sa.func.sum(summary.invoice_count),
            )
            .where(*scope.conditions)
            .group_by(summary.currency)
            .order_by(summary.currency)
        )
        return [CurrencyTotal(c, net, vat, n) for c, net, vat, n in rows]
    query = apply_filters(
        sa.select(
            Invoice.currency,
            sa.func.sum(Invoice.net_amount),
            sa.func.sum(Invoice.vat_amount),
            sa.func.count(),
        ),
        filters.narrowed(status="active"),
    )
    rows = db.session.execute(query.group_by(Invoice.currency).order_by(Invoice.currency))
    return [CurrencyTotal(c, net, vat, n) for c, net, vat, n in rows]


@dataclass(frozen=True)
class YearTotal:
    year: int
    currency: str
    net_amount: Decimal
    vat_amount: Decimal
    count: int


def yearly_totals(**filters) -> list[YearTotal]:
    """Sums per year (of the invoice date) and currency of the invoices matching the
    ``InvoiceFilters`` fields given, voided ones left out; newest year first. Read from the
    invoice summaries when the filters allow."""
    wanted = InvoiceFilters(**filters)
    scope = None
    if wanted.status != "voided":  # only voided invoices: none counts (nor is summed)
        scope = year_or_month_scope(wanted.narrowed(status="active"), True, ("year",))
    if scope is not None and scope.basis == "invoiced":
        summary = scope.model
        rows = db.session.execute(
            sa.select(
                summary.year,
                summary.currency,
                sa.func.sum(summary.net_amount),
                sa.func.sum(summary.vat_amount),
                sa.func.sum(summary.invoice_count),
            )
            .where(*scope.conditions)
            .group_by(summary.year, summary.currency)
            .order_by(summary.year.desc(), summary.currency)
        )
        return [YearTotal(int(y), c, net, vat, n) for y, c, net, vat, n in rows]
    year = sa.extract("year", Invoice.invoiced_on)
    query = apply_filters(
        sa.select(
            year,
            Invoice.currency,
            sa.func.sum(Invoice.net_amount),
            sa.func.sum(Invoice.vat_amount),
            sa.func.count(Invoice.id),
        ),
        InvoiceFilters(**filters),
    ).where(Invoice.voided_at.is_(None))
    rows = db.session.execute(
        query.group_by(year, Invoice.currency).order_by(year.desc(), Invoice.currency)
    )
    return [YearTotal(int(y), c, net, vat, n) for y, c, net, vat, n in rows]


def invoice_years() -> list[int]:
    """The years that have invoices, newest first (for filter menus).

    Found by stepping down the invoice-date index a year at a time (the latest year, then the
    latest before its January 1st, and so on, in one recursive query): a few index look-ups
    per year instead of reading every invoice.
    """
    dialect = db.session.get_bind().dialect.name
    query = _YEARS_QUERIES.get(dialect)
    if query is None:
        query = _YEARS_QUERIES[dialect] = _years_query(dialect)
    return [int(y) for y in db.session.scalars(query)]


#: ``invoice_years``'s query, made once per database dialect.
_YEARS_QUERIES: dict[str, sa.Select] = {}


def _years_query(dialect: str) -> sa.Select:
    latest = sa.cast(sa.extract("year", sa.func.max(Invoice.invoiced_on)), sa.Integer)
    years = sa.select(latest.label("year")).cte("years", recursive=True)
    if dialect == "sqlite":
        # SQLite keeps dates as ISO text, which compares in date order.
        january_first = sa.func.printf("%04d-01-01", years.c.year)
    else:
        january_first = sa.func.make_date(years.c.year, 1, 1)
    earlier = sa.select(latest).where(Invoice.invoiced_on < january_first).scalar_subquery()
    years = years.union_all(sa.select(earlier).where(years.c.year.is_not(None)))
    return sa.select(years.c.year).where(years.c.year.is_not(None))


def find_duplicate(vendor: Vendor, invoice_number: str, exclude_id: int | None = None):
    """The invoice from ``vendor`` with ``invoice_number`` (ignoring case and spacing), if any."""
    number = clean_text(invoice_number) or ""
    query = sa.select(Invoice).where(
        Invoice.vendor_id == vendor.id, sa.func.lower(Invoice.invoice_number) == number.lower()
    )
    if exclude_id is not None:
        query = query.where(Invoice.id != exclude_id)
    return db.session.scalar(query)


def create_invoice(data: dict) -> Invoice:
    """Enter a supplier invoice (a credit note has negative amounts).

    Args:
        data: ``vendor`` (``Vendor``), ``invoice_number``, ``invoiced_on`` (date),
            ``net_amount`` (``Decimal``, excl. VAT); optionally ``vat_amount`` (when missing,
            computed from ``vat_rate`` in percent, else zero), ``paid_on``, ``currency``
            (default SEK), ``hours``, ``contract`` (of the same vendor and currency),
            ``category``, ``department``, ``description``; ``vat_confirmed`` (a VAT that is
            no Swedish rate, confirmed by the clerk); for a credit note ``credits`` (the
            ``Invoice`` it credits) or ``credits_number`` (that invoice's number).

    Raises:
        DuplicateError: the vendor already has an invoice with this number; ``existing`` is it.
        ServiceError: a required value is missing or the contract does not fit, or the
            invoice credited is not a valid positive invoice of the same vendor.
        ImplausibleError: values that cannot be right (``app.services.plausibility``).
    """
    invoice = Invoice()
    _apply(invoice, data)
    set_provenance(invoice, data)
    db.session.add(invoice)
    db.session.flush()
    return invoice


def update_invoice(invoice: Invoice, data: dict) -> Invoice:
    """Correct an invoice; raises as :func:`create_invoice`, and refuses voided invoices."""
    if invoice.is_voided:
        raise ServiceError(N_("A voided invoice cannot be changed."))
    check_version(invoice, data)
    _apply(invoice, data)
    db.session.flush()
    return invoice


def void_invoice(invoice: Invoice, reason: str, version: int | str | None = None) -> Invoice:
    """Void ``invoice``: it stays on record, marked, and leaves every total.

    Raises:
        ServiceError: no reason is given, or the invoice is already voided.
    """
    return voiding.void(invoice, reason, version)


def restore_invoice(invoice: Invoice, version: int | str | None = None) -> Invoice:
    """Count a voided invoice again (the void stays in its history).

    Raises:
        ServiceError: the invoice is not voided, or it is a credit note of an invoice that is
            voided itself.
    """
    if invoice.credits is not None and invoice.credits.is_voided:
        raise ServiceError(
            N_("The invoice this credit note credits, %(number)s, is voided; restore it first."),
            number=invoice.credits.invoice_number,
        )
    return voiding.restore(invoice, version)


def find_credited(vendor: Vendor, number: str | None, exclude_id: int | None = None):
    """The vendor's valid invoice numbered ``number`` (ignoring case and spacing) that a
    credit note may credit, or ``None`` when no number is given.

    Raises:
        ServiceError: the vendor has no such valid invoice.
    """
    number = clean_text(number)
    if not number:
        return None
    query = sa.select(Invoice).where(
        Invoice.vendor_id == vendor.id,
        sa.func.lower(Invoice.invoice_number) == number.lower(),
        Invoice.voided_at.is_(None),
    )
    if exclude_id is not None:
        query = query.where(Invoice.id != exclude_id)
    found = db.session.scalars(query.order_by(Invoice.invoiced_on, Invoice.id)).first()
    if found is None:
        raise ServiceError(
            N_("%(vendor)s has no valid invoice numbered %(number)s."),
            field="credits_number",
            vendor=vendor.name,
            number=number,
        )
    return found


def _apply(invoice: Invoice, data: dict) -> None:
    vendor = data.get("vendor")
    if vendor is None:
        raise ServiceError(N_("Choose a vendor."), field="vendor")
    in_use(vendor, data.get("category"), data.get("department"))
    number = clean_text(data.get("invoice_number"))
    if not number:
        raise ServiceError(N_("Give the invoice number."), field="invoice_number")
    existing = find_duplicate(vendor, number, exclude_id=invoice.id)
    if existing is not None:
        raise DuplicateError(
            N_("%(vendor)s already has an invoice numbered %(number)s."),
            field="invoice_number",
            existing=existing,
            vendor=vendor.name,
            number=number,
        )
    if not data.get("invoiced_on"):
        raise ServiceError(N_("Give the invoice date."), field="invoiced_on")
    net = data.get("net_amount")
    if net is None:
        raise ServiceError(N_("Give the amount excluding VAT."), field="net_amount")
    currency = (data.get("currency") or "SEK").upper()
    contract = data.get("contract")
    if contract is not None:
        if contract.is_voided and contract.id != invoice.contract_id:
            raise ServiceError(
                N_("Contract %(contract)s is voided."), field="contract", contract=str(contract)
            )
        if contract.vendor_id != vendor.id:
            raise ServiceError(
                N_("Contract %(contract)s is with another vendor."),
                field="contract",
                contract=str(contract),
            )
        if contract.currency != currency:
            raise ServiceError(
                N_("The contract is in %(contract_currency)s but the invoice in %(currency)s."),
                field="currency",
                contract_currency=contract.currency,
                currency=currency,
            )
    vat = data.get("vat_amount")
    if vat is None:
        rate = data.get("vat_rate")
        vat = compute_vat(net, rate) if rate not in (None, "") else Decimal("0.00")
    if vat != 0 and net != 0 and (vat < 0) != (net < 0):
        raise ServiceError(
            N_("VAT and the amount must have the same sign (both negative on a credit note)."),
            field="vat_amount",
        )
    plausibility.refuse(
        plausibility.invoice_problems(
            invoiced_on=data["invoiced_on"],
            paid_on=data.get("paid_on"),
            net_amount=net,
            vat_amount=vat,
            currency=currency,
            hours=data.get("hours"),
            rules=data.get("rules") or plausibility.default_rules(),
            vat_confirmed=bool(data.get("vat_confirmed")),
        )
    )
    credited = data.get("credits")
    if credited is None and data.get("credits_number"):
        credited = find_credited(vendor, data["credits_number"], exclude_id=invoice.id)
    if credited is not None:
        _check_credit(invoice, credited, vendor, net)
    invoice.vendor = vendor
    invoice.contract = contract
    invoice.invoice_number = number
    invoice.invoiced_on = data["invoiced_on"]
    invoice.paid_on = data.get("paid_on")
    invoice.net_amount = to_money(net)
    invoice.vat_amount = to_money(vat)
    invoice.currency = currency
    invoice.hours = data.get("hours")
    invoice.category = data.get("category")
    invoice.department = data.get("department")
    invoice.description = (data.get("description") or "").strip() or None
    invoice.credits = credited


def _check_credit(invoice: Invoice, credited: Invoice, vendor: Vendor, net: Decimal) -> None:
    """A credit note credits a valid, positive invoice of its own vendor."""
    if credited.vendor_id != vendor.id:
        raise ServiceError(
            N_("A credit note credits an invoice of the same vendor."), field="credits_number"
        )
    if net >= 0:
        raise ServiceError(
            N_("Only a credit note (a negative amount) credits another invoice."),
            field="credits_number",
        )
    if credited.net_amount < 0 or credited.id == invoice.id:
        raise ServiceError(
            N_("Invoice %(number)s is itself a credit note."),
            field="credits_number",
            number=credited.invoice_number,
        )
