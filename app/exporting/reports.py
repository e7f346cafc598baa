"""The reports as export tables: the totals, the year × vendor pivot and the balance of a year,
each holding exactly what its page shows (computed by the same services)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import ngettext

from app.exporting.flag_text import flag_text
from app.exporting.opendata import Publication
from app.exporting.sources import filters_about
from app.exporting.sources import invoice_sources
from app.exporting.table import Column
from app.exporting.table import Table
from app.privacy import Audience
from app.services.balance import balance
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import TotalsQuery
from app.services.totals import currency_totals
from app.services.totals import pivot
from app.services.totals import totals
from app.services.year_flags import year_flags

ZERO = Decimal("0.00")
ONE = Decimal("1")

#: Dimensions that are records: exported as a name and an id.
_RECORDS = ("vendor", "category", "department", "contract")


def _dimension_label(name: str) -> str:
    return {
        "year": gettext("Year"),
        "month": gettext("Month"),
        "vendor": gettext("Vendor"),
        "category": gettext("Category"),
        "department": gettext("Department"),
        "contract": gettext("Contract"),
        "currency": gettext("Currency"),
    }[name]


def _measure_label(measure: str) -> str:
    return {
        "net": gettext("Amount excl. VAT"),
        "gross": gettext("Amount incl. VAT"),
        "vat": gettext("VAT"),
    }[measure]


def _choices(filters: InvoiceFilters, measure: str, extra: list[tuple[str, str]]):
    basis = gettext("payment date") if filters.date_basis == "paid" else gettext("invoice date")
    return [
        *extra,
        (gettext("Amounts"), _measure_label(measure)),
        (gettext("Dated by"), basis),
        *filters_about(filters),
    ]


def _years_part(years) -> str:
    years = sorted(set(years))
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def totals_table(query: TotalsQuery, *, publication: Publication) -> Table:
    """The totals report: one row per group and currency, with count and share, under
    ``publication``'s licence."""
    rows = totals(query)
    columns: list[Column] = []
    for name in query.by:
        if name == "currency":
            continue
        kind = "int" if name == "year" else "text"
        columns.append(Column(name, _dimension_label(name), kind))
        if name in _RECORDS:
            columns.append(Column(f"{name}_id", f"{_dimension_label(name)} (id)", "int", 10))
    columns += [
        Column("currency", gettext("Currency"), "text", 9),
        Column("amount", _measure_label(query.measure), "money"),
        Column("count", gettext("Invoices"), "int"),
        Column("share", gettext("Share"), "share"),
    ]

    def values(row):
        out: list = []
        for name in query.by:
            if name == "currency":
                continue
            if name in _RECORDS:
                label = row.labels.get(name)
                if label is None and name != "vendor":
                    label = gettext("(none)")
                out += [label, row.keys[name]]
            else:
                out.append(row.keys[name])
        return [*out, row.currency, row.amount, row.count, row.share]

    lead = len(columns) - 4
    sums = currency_totals(rows)
    total_rows = [
        [gettext("Total"), *([None] * (lead - 1)), currency, amount, count, ONE]
        if lead
        else [currency, amount, count, ONE]
        for currency, (amount, count) in sorted(sums.items())
    ]
    years = [row.keys["year"] for row in rows if "year" in row.keys]
    return Table(
        kind="totals",
        title=gettext("Totals by %(grouping)s", grouping=_grouping(query.by)),
        columns=columns,
        rows=(values(row) for row in rows),
        totals=total_rows,
        about=_choices(
            query.filters, query.measure, [(gettext("Grouped by"), _grouping(query.by))]
        ),
        sources=invoice_sources(query.filters.narrowed(status="active")),
        name_parts=[*query.by, _years_part(years) or _filter_years(query.filters)],
        licence=publication.licence.text,
        notes=_notes(),
    )


def _grouping(by) -> str:
    return gettext(" and ").join(_dimension_label(name).lower() for name in by)


def _filter_years(filters: InvoiceFilters) -> str:
    return str(filters.year) if filters.year else ""


def _notes() -> list[str]:
    return [
        gettext(
            "Sums of valid invoices, computed by the database; voided invoices never count and "
            "amounts in different currencies are never added together."
        ),
        gettext("A share is of the total in the same currency."),
    ]


def pivot_table(
    filters: InvoiceFilters, measure: str = "net", top: int = 20, *, publication: Publication
) -> Table:
    """The year × vendor pivot: the ``top`` vendors per currency as rows (the rest as one
    "others" row), a column per year, the row's total, count and share, under
    ``publication``'s licence."""
    pivots = pivot(filters, measure, top)
    years = sorted({year for p in pivots for year in p.years})
    columns = [
        Column("vendor", gettext("Vendor"), "text", 36),
        Column("vendor_id", gettext("Vendor (id)"), "int", 10),
        Column("currency", gettext("Currency"), "text", 9),
        *[Column(str(year), str(year), "money") for year in years],
        Column("amount", gettext("Total"), "money"),
        Column("count", gettext("Invoices"), "int"),
        Column("share", gettext("Share"), "share"),
    ]

    def line_values(p, line, name, vendor_id):
        cells = [line.by_year.get(year, (None, 0))[0] for year in years]
        return [name, vendor_id, p.currency, *cells, line.total, line.count, line.share]

    def rows():
        for p in pivots:
            for line in p.lines:
                yield line_values(p, line, line.name, line.vendor_id)
            if p.others is not None:
                count = len(p.others.others)
                name = ngettext("All other vendors (%(num)s)", "All other vendors (%(num)s)", count)
                yield line_values(p, p.others, name, None)

    total_rows = [
        [
            gettext("Total"),
            None,
            p.currency,
            *[p.column_totals.get(year, (None, 0))[0] for year in years],
            p.total,
            p.count,
            ONE,
        ]
        for p in pivots
    ]
    return Table(
        kind="pivot",
        title=gettext("Spending per year and vendor"),
        columns=columns,
        rows=rows(),
        totals=total_rows,
        about=_choices(filters, measure, [(gettext("Vendors shown"), str(top))]),
        sources=invoice_sources(filters.narrowed(status="active")),
        name_parts=["year", "vendor", _years_part(years)],
        licence=publication.licence.text,
        notes=_notes(),
    )


def balance_table(
    year: int, date_basis: str, audience: Audience, *, publication: Publication
) -> Table:
    """The balance of ``year`` as one table: costs by vendor, costs by category and income by
    organiser (with day rate and started days), each row marked with its part; the totals
    rows hold the costs, the income and the net per currency. Private persons are named as
    ``audience`` may see them; the data is under ``publication``'s licence."""
    result = balance(year, date_basis, audience)
    columns = [
        Column("part", gettext("Part"), "text", 22),
        Column("name", gettext("Name"), "text", 36),
        Column("currency", gettext("Currency"), "text", 9),
        Column("day_rate", gettext("Day rate"), "money"),
        Column("started_days", gettext("Started days"), "int"),
        Column("amount", gettext("Amount"), "money"),
        Column("count", gettext("Count"), "int"),
    ]

    def rows():
        for row in result.costs_by_vendor:
            yield [
                gettext("Costs by vendor"),
                row.labels.get("vendor"),
                row.currency,
                None,
                None,
                row.amount,
                row.count,
            ]
        for row in result.costs_by_category:
            name = row.labels.get("category") or gettext("(none)")
            yield [
                gettext("Costs by category"),
                name,
                row.currency,
                None,
                None,
                row.amount,
                row.count,
            ]
        for row in result.income:
            yield [
                gettext("Income by organiser"),
                row.organiser,
                row.currency,
                row.day_rate,
                row.started_days,
                row.fees,
                row.count,
            ]

    total_rows = []
    for currency in result.currencies:
        total_rows += [
            [gettext("Costs"), None, currency, None, None, result.costs.get(currency, ZERO), None],
            [
                gettext("Income"),
                None,
                currency,
                None,
                None,
                result.income_totals.get(currency, ZERO),
                None,
            ],
            [
                gettext("Net (income minus costs)"),
                None,
                currency,
                None,
                None,
                result.net(currency),
                None,
            ],
        ]
    basis = gettext("payment date") if date_basis == "paid" else gettext("invoice date")
    filters = InvoiceFilters(year=year, date_basis=date_basis, status="active", audience=audience)
    return Table(
        parts=[flags_table(year, audience, publication=publication)],
        kind="balance",
        title=gettext("Balance %(year)s", year=year),
        columns=columns,
        rows=rows(),
        totals=total_rows,
        about=[(gettext("Year"), str(year)), (gettext("Costs dated by"), basis)],
        sources=invoice_sources(filters),
        name_parts=[str(year)],
        licence=publication.licence.text,
        notes=[
            gettext(
                "Costs are valid invoices excl. VAT dated in the year; income is the fees of "
                "engagements whose first day falls in the year (started days × the day rate in "
                "force on the first day). Travel paid by organisers is never income."
            )
        ],
    )


def flags_table(year: int, audience: Audience, *, publication: Publication) -> Table:
    """What ``year`` raises, as the balance page lists it: each flag's sentence, when it held,
    its contract or vendor (named as ``audience`` may see it), and the invoices it cites
    (their ids, space-separated), under ``publication``'s licence."""
    locale = get_locale()
    language = locale.language if locale else "sv"
    columns = [
        Column("kind", gettext("Kind"), "text", 12),
        Column("flag", gettext("Flag"), "text", 70),
        Column("since", gettext("From"), "date"),
        Column("until", gettext("Until"), "date"),
        Column("contract_id", gettext("Contract (id)"), "int"),
        Column("contract", gettext("Contract"), "text", 30),
        Column("vendor_id", gettext("Vendor (id)"), "int"),
        Column("invoice_count", gettext("Invoices"), "int"),
        Column("invoice_ids", gettext("Invoices (ids)"), "text", 30),
    ]
    rows = [
        [
            flag.kind,
            flag_text(flag, currency, language),
            flag.since,
            flag.until,
            flag.contract_id,
            label,
            flag.vendor_id,
            len(flag.invoice_ids),
            " ".join(str(i) for i in flag.invoice_ids),
        ]
        for flag, currency, label in year_flags(year, audience)
    ]
    return Table(
        kind="flags",
        title=gettext("Flags %(year)s", year=year),
        columns=columns,
        rows=rows,
        licence=publication.licence.text,
    )
