"""Totals: invoices summed in SQL, grouped by any one or two of year, month, vendor,
category, department, contract and currency, and the year × vendor pivot built from them.

Sums are computed by the database (GROUP BY); Python only labels and arranges the grouped
rows. Voided invoices never count, and currencies are never added together: currency is
always part of the grouping.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Invoice
from app.models import Vendor
from app.models.base import Money
from app.services.invoice_filters import InvoiceFilters
from app.services.invoice_filters import apply_filters

#: What can be grouped by, in the order the choices are offered.
DIMENSIONS = ("year", "month", "vendor", "category", "department", "contract", "currency")
#: What is summed: amounts excluding VAT, including VAT, or the VAT alone.
MEASURES = ("net", "gross", "vat")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TotalsQuery:
    """A totals report's choices; every one of them is in its URL."""

    by: tuple[str, ...] = ("year", "vendor")
    measure: str = "net"
    filters: InvoiceFilters = field(default_factory=InvoiceFilters)


@dataclass
class TotalRow:
    """One group: its keys by dimension name, the sum, the count and the share of its
    currency's total (0–1)."""

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


def _dimension(name: str, filters: InvoiceFilters) -> list:
    """The SQL expressions a dimension groups by (a month is its year and month)."""
    date = filters.date_column()
    return {
        "year": [sa.extract("year", date)],
        "month": [sa.extract("year", date), sa.extract("month", date)],
        "vendor": [Invoice.vendor_id],
        "category": [Invoice.category_id],
        "department": [Invoice.department_id],
        "contract": [Invoice.contract_id],
        "currency": [],
    }[name]


def totals(query: TotalsQuery) -> list[TotalRow]:
    """The grouped sums: one row per group and currency, largest first within each currency
    (years and months in calendar order when they lead the grouping).

    The date dimensions use the filters' date basis (invoice or payment date); invoices without
    that date (unpaid ones, by payment date) fall in no year.
    """
    filters = query.filters.narrowed(status="active")
    expressions: list = []
    slots: list[tuple[str, int]] = []  # (dimension, how many expressions)
    for name in query.by:
        parts = _dimension(name, filters)
        slots.append((name, len(parts)))
        expressions.extend(parts)
    amount = sa.func.sum(_measure(query.measure))
    statement = apply_filters(
        sa.select(*expressions, Invoice.currency, amount, sa.func.count()), filters
    )
    if any(name in ("year", "month") for name in query.by):
        statement = statement.where(filters.date_column().is_not(None))
    statement = statement.group_by(*expressions, Invoice.currency)
    rows: list[TotalRow] = []
    for record in db.session.execute(statement):
        values = list(record)
        currency, total, count = values[-3:]
        keys: dict = {}
        index = 0
        for name, width in slots:
            part = values[index : index + width]
            index += width
            if name == "month":
                keys[name] = f"{int(part[0]):04d}-{int(part[1]):02d}"
            elif name == "year":
                keys[name] = int(part[0])
            elif name == "currency":
                keys[name] = currency
            else:
                keys[name] = part[0]
        rows.append(TotalRow(keys=keys, currency=currency, amount=total or ZERO, count=count))
    _shares(rows)
    _label(rows)
    leading_date = query.by and query.by[0] in ("year", "month")
    rows.sort(
        key=lambda r: (r.currency, _order_key(r, query.by) if leading_date else (), -r.amount)
    )
    return rows


def _order_key(row: TotalRow, by: tuple[str, ...]):
    return tuple(row.keys.get(name) or 0 for name in by if name in ("year", "month"))


def _shares(rows: list[TotalRow]) -> None:
    sums: dict[str, Decimal] = {}
    for row in rows:
        sums[row.currency] = sums.get(row.currency, ZERO) + row.amount
    for row in rows:
        whole = sums[row.currency]
        row.share = (row.amount / whole) if whole else ZERO


_LABELLED = {
    "vendor": (Vendor, lambda v: v.name),
    "category": (Category, lambda c: c.name),
    "department": (Department, lambda d: d.name),
    "contract": (Contract, str),
}


def _label(rows: list[TotalRow]) -> None:
    """Names for the ids in the rows, one query per dimension."""
    for name, (model, label) in _LABELLED.items():
        ids = {row.keys[name] for row in rows if row.keys.get(name) is not None}
        if not ids:
            continue
        names = {}
        ids_list = sorted(ids)
        for start in range(0, len(ids_list), 900):
            chunk = ids_list[start : start + 900]
            names.update(
                {
                    r.id: label(r)
                    for r in db.session.scalars(sa.select(model).where(model.id.in_(chunk)))
                }
            )
        for row in rows:
            if name in row.keys:
                row.labels[name] = names.get(row.keys[name]) if row.keys[name] is not None else None


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
    rest as one "others" row, the years as columns, with row and column totals."""
    rows = totals(TotalsQuery(by=("vendor", "year"), measure=measure, filters=filters))
    pivots = []
    for currency in sorted({r.currency for r in rows}):
        mine = [r for r in rows if r.currency == currency]
        lines: dict[int, PivotLine] = {}
        for row in mine:
            vendor_id = row.keys["vendor"]
            line = lines.setdefault(
                vendor_id, PivotLine(vendor_id, row.labels.get("vendor"), {}, ZERO, 0)
            )
            line.by_year[row.keys["year"]] = (row.amount, row.count)
            line.total += row.amount
            line.count += row.count
        ordered = sorted(lines.values(), key=lambda line: (-line.total, line.name or ""))
        shown, rest = ordered[:top], ordered[top:]
        others = None
        if rest:
            others = PivotLine(
                None, None, {}, ZERO, 0, others=tuple(line.vendor_id for line in rest)
            )
            for line in rest:
                for year, (amount, count) in line.by_year.items():
                    previous = others.by_year.get(year, (ZERO, 0))
                    others.by_year[year] = (previous[0] + amount, previous[1] + count)
                others.total += line.total
                others.count += line.count
        years = sorted({r.keys["year"] for r in mine})
        columns = {}
        for year in years:
            amount = sum((line.by_year.get(year, (ZERO, 0))[0] for line in ordered), ZERO)
            count = sum(line.by_year.get(year, (ZERO, 0))[1] for line in ordered)
            columns[year] = (amount, count)
        pivots.append(
            Pivot(
                currency=currency,
                years=years,
                lines=shown,
                others=others,
                column_totals=columns,
                total=sum((line.total for line in ordered), ZERO),
                count=sum(line.count for line in ordered),
                vendor_count=len(ordered),
            )
        )
    return pivots
