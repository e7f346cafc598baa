"""Totals: invoices summed in SQL, grouped by any one or two of year, month, vendor,
category, department, contract and currency, and the year × vendor pivot built from them.

Sums are computed by the database (GROUP BY); Python only labels and arranges the grouped
rows. They are read from the invoice summaries (``app.services.summaries``) whenever the
filters allow (``app.services.summary_filters``), else from the invoices themselves: the
figures are the same either way. Voided invoices never count, and currencies are never
added together: currency is always part of the grouping.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import ROUND_HALF_UP
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Invoice
from app.models import Vendor
from app.models.base import Money
from app.money import from_ore
from app.privacy import Audience
from app.privacy import hidden_name
from app.privacy import public_vendor_name
from app.services.invoice_filters import InvoiceFilters
from app.services.invoice_filters import apply_filters
from app.services.summary_filters import SummaryScope
from app.services.summary_filters import year_or_month_scope

#: What can be grouped by, in the order the choices are offered.
DIMENSIONS = ("year", "month", "vendor", "category", "department", "contract", "currency")
#: What is summed: amounts excluding VAT, including VAT, or the VAT alone.
MEASURES = ("net", "gross", "vat")
ZERO = Decimal("0.00")
#: A share is a fraction with three decimals: a percentage with one (0.214 is 21,4 %), as the
#: pages show it. Rounded once, here, so that a page, its CSV, its workbook and its JSON all
#: say the same figure.
SHARE_PLACES = Decimal("0.001")


def share_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a fraction of ``whole``, rounded half up to :data:`SHARE_PLACES`; zero when
    the whole is zero."""
    if not whole:
        return Decimal("0.000")
    return (part / whole).quantize(SHARE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class TotalsQuery:
    """A totals report's choices; every one of them is in its URL."""

    by: tuple[str, ...] = ("year", "vendor")
    measure: str = "net"
    filters: InvoiceFilters = field(default_factory=InvoiceFilters)


@dataclass(slots=True)
class TotalRow:
    """One group: its keys by dimension name, the sum, the count and the share of its
    currency's total (0–1, see :func:`share_of`)."""

    keys: dict
    currency: str
    amount: Decimal
    count: int
    share: Decimal = ZERO
    labels: dict = field(default_factory=dict)


def _measure(measure: str):
    if measure == "gross":
        return sa.type_coerce(Invoice.net_amount + Invoice.vat_amount, Money)
    if measure == "vat":
        return Invoice.vat_amount
    return Invoice.net_amount


def _year(date):
    """The year of ``date`` as an SQL integer (on PostgreSQL ``EXTRACT`` gives a numeric,
    slower to group and sort by)."""
    return sa.cast(sa.extract("year", date), sa.Integer)


def _dimension(name: str, filters: InvoiceFilters) -> list:
    """The SQL expressions a dimension groups by (a month is its year and month)."""
    date = filters.date_column()
    return {
        "year": [_year(date)],
        "month": [_year(date), sa.cast(sa.extract("month", date), sa.Integer)],
        "vendor": [Invoice.vendor_id],
        "category": [Invoice.category_id],
        "department": [Invoice.department_id],
        "contract": [Invoice.contract_id],
        "currency": [],
    }[name]


def _grouped(query: TotalsQuery, in_ore: bool = False) -> tuple[sa.Select, list]:
    """The GROUP BY statement of ``query`` and how to read each dimension's key from its rows
    (``(name, reader)`` pairs). Its rows end with the currency, the sum and the count; the sum
    is money, or whole öre with ``in_ore``.

    The date dimensions use the filters' date basis (invoice or payment date); invoices without
    that date (unpaid ones, by payment date) fall in no year.
    """
    filters = query.filters.narrowed(status="active")
    dated = any(name in ("year", "month") for name in query.by)
    scope = year_or_month_scope(filters, dated, query.by)
    if scope is not None:
        return _summed(query, scope, in_ore)
    expressions: list = []
    readers: list = []
    groups: list = []
    for name in query.by:
        index = len(expressions)
        parts = _dimension(name, filters)
        expressions.extend(parts)
        groups.append((name, parts))
        readers.append((name, _key_reader(name, index)))
    measure = _measure(query.measure)
    amount = _in_ore(sa.func.sum(measure)) if in_ore else sa.func.sum(measure)
    statement = apply_filters(
        sa.select(*expressions, Invoice.currency, amount, sa.func.count()), filters
    )
    date = filters.date_column()
    if any(name in ("year", "month") for name in query.by) and date.expression.nullable:
        statement = statement.where(date.is_not(None))
    statement = statement.group_by(*expressions, Invoice.currency)
    return statement.order_by(*_ordering(query.by, groups, Invoice.currency, amount)), readers


def _summed(query: TotalsQuery, scope: SummaryScope, in_ore: bool) -> tuple[sa.Select, list]:
    """:func:`_grouped` from the invoice summaries: the same groups, sums and counts, read
    from a row per month and key instead of a row per invoice."""
    expressions: list = []
    readers: list = []
    groups: list = []
    summary = scope.model
    for name in query.by:
        index = len(expressions)
        parts = _summary_dimension(summary, name)
        expressions.extend(parts)
        groups.append((name, parts))
        readers.append((name, _key_reader(name, index)))
    measure = {
        "gross": sa.type_coerce(summary.net_amount + summary.vat_amount, Money),
        "vat": summary.vat_amount,
    }.get(query.measure, summary.net_amount)
    amount = _in_ore(sa.func.sum(measure)) if in_ore else sa.func.sum(measure)
    statement = (
        sa.select(*expressions, summary.currency, amount, sa.func.sum(summary.invoice_count))
        .where(*scope.conditions)
        .group_by(*expressions, summary.currency)
        .order_by(*_ordering(query.by, groups, summary.currency, amount))
    )
    return statement, readers


def _in_ore(total):
    """A sum of öre as the database's integer: PostgreSQL's ``sum`` of a ``bigint`` is a
    ``numeric``, which the driver reads far more slowly than an integer (a sum of 10 million
    invoices' öre is still far below the largest ``bigint``)."""
    return sa.cast(total, sa.BigInteger)


def _ordering(by: tuple[str, ...], groups: list, currency, amount) -> list:
    """The rows' order, made by the database (a large body's year × vendor is tens of
    thousands of rows): by currency, then by period when a year or month leads the grouping,
    then largest first; equal sums in the order of their keys, none first."""
    order = [currency]
    if by and by[0] in ("year", "month"):
        order += [part for name, parts in groups if name in ("year", "month") for part in parts]
    order.append(amount.desc())
    order += [part.asc().nulls_first() for _name, parts in groups for part in parts]
    return order


def _summary_dimension(summary, name: str) -> list:
    """A summary's expressions for a dimension (a "none" of 0 read back as NULL)."""
    if name == "month":
        return [summary.year, summary.month]
    if name in ("category", "department", "contract"):
        return [sa.func.nullif(getattr(summary, f"{name}_id"), 0)]
    if name == "year":
        return [summary.year]
    if name == "vendor":
        return [summary.vendor_id]
    return []  # the currency: every row ends with it


def _key_reader(name: str, index: int):
    """How a dimension's key is read from a grouped row whose expressions start at ``index``."""
    if name == "month":
        return lambda row: f"{int(row[index]):04d}-{int(row[index + 1]):02d}"
    if name == "year":
        return lambda row: int(row[index])
    if name == "currency":
        return lambda row: row[-3]
    return lambda row: row[index]


def totals(query: TotalsQuery) -> list[TotalRow]:
    """The grouped sums: one row per group and currency, largest first within each currency
    (years and months in calendar order when they lead the grouping).

    The date dimensions use the filters' date basis (invoice or payment date); invoices without
    that date (unpaid ones, by payment date) fall in no year.
    """
    statement, readers = _grouped(query, in_ore=True)
    # Plain columns: read on the connection, past the ORM's row handling, all at once and in
    # öre (a large body's year × vendor is tens of thousands of rows); what the session holds
    # is written first.
    db.session.flush()
    rows = [
        TotalRow(
            keys={name: read(record) for name, read in readers},
            currency=record[-3],
            amount=from_ore(record[-2]) if record[-2] is not None else ZERO,
            count=record[-1],
        )
        for record in db.session.connection().execute(statement).all()
    ]
    _shares(rows)
    _label(rows, query.filters.audience, query.by)
    return rows


def _shares(rows: list[TotalRow]) -> None:
    sums: dict[str, Decimal] = {}
    for row in rows:
        sums[row.currency] = sums.get(row.currency, ZERO) + row.amount
    for row in rows:
        row.share = share_of(row.amount, sums[row.currency])


_LABELLED = {
    "vendor": Vendor,
    "category": Category,
    "department": Department,
    "contract": Contract,
}


def _label(rows: list[TotalRow], audience: Audience, by: tuple[str, ...]) -> None:
    """Names for the ids in the rows grouped ``by`` (a private person's as ``audience`` may
    see it), one query per dimension."""
    for name, model in _LABELLED.items():
        if name not in by:
            continue
        ids = {row.keys[name] for row in rows} - {None}
        if not ids:
            continue
        names = _names(model, ids, audience)
        for row in rows:
            if name in row.keys:
                row.labels[name] = names.get(row.keys[name]) if row.keys[name] is not None else None


#: Ids past which :func:`_names` reads the whole table instead of naming them: a list that
#: long costs the database more than the table's few thousand rows, and would need chunks for
#: the databases' limits on parameters.
MANY_IDS = 900


def _names(model, ids, audience: Audience) -> dict:
    """Each record's name by id (a contract's is its reference and title; a private person's
    as ``audience`` may see it), in one query."""
    ids = set(ids)
    where = [model.id.in_(sorted(ids))] if len(ids) <= MANY_IDS else []
    if model is Contract:
        query = sa.select(Contract.id, Contract.reference, Contract.title).where(*where)
        return {
            contract_id: Contract.label(reference, title)
            for contract_id, reference, title in db.session.execute(query)
            if contract_id in ids
        }
    if model is Vendor:
        # A private person's name is the public's "Privatperson" (app.privacy).
        hidden = hidden_name(audience)
        query = sa.select(Vendor.id, Vendor.name, Vendor.is_private_person).where(*where)
        return {
            vendor_id: public_vendor_name(name, private, hidden)
            for vendor_id, name, private in db.session.execute(query)
            if vendor_id in ids
        }
    query = sa.select(model.id, model.name).where(*where)
    return {record_id: name for record_id, name in db.session.execute(query) if record_id in ids}


def currency_totals(rows: list[TotalRow]) -> dict[str, tuple[Decimal, int]]:
    """The sum and count of all rows, per currency."""
    result: dict[str, tuple[Decimal, int]] = {}
    for row in rows:
        amount, count = result.get(row.currency, (ZERO, 0))
        result[row.currency] = (amount + row.amount, count + row.count)
    return result


# --- the year × vendor pivot -------------------------------------------------------------------


@dataclass
class PivotLine:
    """A vendor (or the others together) across the years."""

    vendor_id: int | None  #: None for "others"
    name: str | None
    by_year: dict[int, tuple[Decimal, int]]
    total: Decimal
    count: int
    others: tuple[int, ...] = ()  #: the vendors folded into "others"
    share: Decimal = Decimal("0.000")  #: of its currency's whole (see :func:`share_of`)

    def change(self, year: int) -> Decimal | None:
        """Change from the year before, as a fraction (0.25 for +25 %); None when there is no
        year before or it was zero."""
        before = self.by_year.get(year - 1, (ZERO, 0))[0]
        now = self.by_year.get(year, (ZERO, 0))[0]
        if not before:
            return None
        return (now - before) / abs(before)


@dataclass
class Pivot:
    """Vendors as rows, years as columns, in one currency."""

    currency: str
    years: list[int]
    lines: list[PivotLine]
    others: PivotLine | None
    column_totals: dict[int, tuple[Decimal, int]]
    total: Decimal
    count: int
    vendor_count: int


def pivot(filters: InvoiceFilters, measure: str = "net", top: int = 20) -> list[Pivot]:
    """The year × vendor pivot, one per currency: the ``top`` vendors by total as rows, the
    rest as one "others" row, the years as columns, with row and column totals.

    Vendors are ranked by total, then name, then their largest year. The grouped sums
    (vendor × year, the same as :func:`totals` by vendor and year) are added up in whole öre,
    exactly, and made money only where shown.
    """
    statement, _readers = _grouped(
        TotalsQuery(by=("vendor", "year"), measure=measure, filters=filters), in_ore=True
    )
    # Per currency: by vendor, [öre and count by year, öre, count, largest year's öre]; by
    # year, [öre, count].
    grouped: dict[str, tuple[dict, dict]] = {}
    # Added up here in any order: no sorting in the database; read past the ORM's row
    # handling, as in :func:`totals`.
    db.session.flush()
    rows = db.session.connection().execute(statement.order_by(None))
    for vendor_id, year, currency, ore, count in rows:
        ore = ore or 0
        found = grouped.get(currency)
        if found is None:
            found = grouped[currency] = ({}, {})
        vendors, columns = found
        line = vendors.get(vendor_id)
        if line is None:
            vendors[vendor_id] = [{year: (ore, count)}, ore, count, ore]
        else:
            line[0][year] = (ore, count)
            line[1] += ore
            line[2] += count
            if ore > line[3]:
                line[3] = ore
        column = columns.get(year)
        if column is None:
            columns[year] = [ore, count]
        else:
            column[0] += ore
            column[1] += count
    names = _names(
        Vendor,
        {vendor_id for vendors, _ in grouped.values() for vendor_id in vendors},
        filters.audience,
    )
    return [_pivot(currency, *grouped[currency], names, top) for currency in sorted(grouped)]


def _pivot(currency: str, vendors: dict, columns: dict, names: dict, top: int) -> Pivot:
    """One currency's pivot from its vendors' and years' sums in öre."""
    ordered = sorted(
        vendors.items(),
        key=lambda item: (-item[1][1], names.get(item[0]) or "", -item[1][3], item[0]),
    )
    shown, rest = ordered[:top], ordered[top:]
    lines = [
        PivotLine(
            vendor_id,
            names.get(vendor_id),
            {year: (from_ore(ore), count) for year, (ore, count) in by_year.items()},
            from_ore(ore),
            count,
        )
        for vendor_id, (by_year, ore, count, _largest) in shown
    ]
    years = sorted(columns)
    total_ore = sum(column[0] for column in columns.values())
    total_count = sum(column[1] for column in columns.values())
    others = None
    if rest:
        # The others are everyone but the vendors shown: each year's column less theirs.
        by_year = {}
        for year in years:
            ore, count = columns[year]
            for _vendor_id, (cells, *_sums) in shown:
                cell = cells.get(year)
                if cell is not None:
                    ore -= cell[0]
                    count -= cell[1]
            if count:
                by_year[year] = (from_ore(ore), count)
        others = PivotLine(
            None,
            None,
            by_year,
            from_ore(total_ore - sum(line[1] for _id, line in shown)),
            total_count - sum(line[2] for _id, line in shown),
            others=tuple(vendor_id for vendor_id, _line in rest),
        )
    whole = from_ore(total_ore)
    for line in [*lines, *([others] if others else [])]:
        line.share = share_of(line.total, whole)
    return Pivot(
        currency=currency,
        years=years,
        lines=lines,
        others=others,
        column_totals={year: (from_ore(columns[year][0]), columns[year][1]) for year in years},
        total=from_ore(total_ore),
        count=total_count,
        vendor_count=len(ordered),
    )
