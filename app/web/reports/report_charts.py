"""The reports' charts: spending per year stacked by vendor, totals per period, a record's
years, costs against income, a contract's burn-down. Server-rendered SVG (``app.charts``)
whose every bar or point links to the invoices behind it."""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup

from app import charts
from app import labels
from app.services.burndown import Burndown
from app.services.invoice_filters import InvoiceFilters
from app.services.overview import YearOverview
from app.services.totals import Pivot
from app.services.totals import TotalRow
from app.web.filters import money
from app.web.filters import money_compact
from app.web.report_args import invoices_url
from app.web.reports.present import DIMENSION_LABELS
from app.web.reports.present import MEASURE_LABELS
from app.web.reports.present import key_filters
from app.web.reports.present import pivot_url

ZERO = Decimal("0.00")
#: How many vendors (or groups) a stacked chart shows by name; the rest are one grey block.
CHART_VENDORS = 8


def main_currency(counts) -> str | None:
    """The currency most invoices are in, from ``(currency, invoice count)`` pairs: the one a
    page draws when it draws one chart."""
    by_currency: dict[str, int] = {}
    for currency, count in counts:
        by_currency[currency] = by_currency.get(currency, 0) + count
    return max(by_currency, key=by_currency.get, default=None)


def _kronor(currency: str):
    return lambda amount: money(amount, currency)


def _ticks(currency: str):
    return lambda amount: money_compact(amount, currency)


def pivot_chart(filters: InvoiceFilters, pivot: Pivot, measure: str) -> str:
    """Spending per year stacked by the largest vendors, the rest as one grey block; every
    block links to its invoices."""
    years = pivot.years
    named = pivot.lines[:CHART_VENDORS]
    series = [
        charts.Series(
            name=line.name or "",
            values=[line.by_year.get(year, (None, 0))[0] for year in years],
            hrefs=[pivot_url(filters, pivot, line, year) for year in years],
        )
        for line in named
    ]
    rest = pivot.lines[CHART_VENDORS:] + ([pivot.others] if pivot.others else [])
    if rest:
        values = []
        for year in years:
            amounts = [line.by_year[year][0] for line in rest if year in line.by_year]
            values.append(sum(amounts, Decimal("0.00")) if amounts else None)
        shown = tuple(line.vendor_id for line in named)
        hrefs = [
            invoices_url(
                filters,
                year=year,
                currency=pivot.currency,
                exclude_vendor_ids=tuple(dict.fromkeys(filters.exclude_vendor_ids + shown)),
            )
            for year in years
        ]
        series.append(
            charts.Series(gettext("All other vendors"), values, hrefs=hrefs, is_other=True)
        )
    return charts.stacked_bars(
        [str(year) for year in years],
        series,
        title=gettext("Spending per year, %(measure)s", measure=MEASURE_LABELS[measure]),
        description=gettext(
            "Invoiced amounts in %(currency)s per year, stacked by the %(count)s largest vendors; "
            "all others together in grey. Each block links to its invoices.",
            currency=pivot.currency,
            count=len(named),
        ),
        value_label=pivot.currency,
        formatter=_kronor(pivot.currency),
        tick_formatter=_ticks(pivot.currency),
    )


#: A totals chart draws at most this many periods (twenty years of months); longer series
#: are left to the table.
CHART_PERIODS = 240


def totals_charts(filters: InvoiceFilters, by: tuple[str, ...], rows: list[TotalRow],
                  measure: str) -> dict[str, Markup]:  # fmt: skip
    """For totals grouped first by year or month: per currency, the amount per period (every
    period between the first and the last, empty ones too, so that a gap shows), stacked by
    the second grouping's largest groups when there is one. Other groupings draw nothing."""
    if not by or by[0] not in ("year", "month"):
        return {}
    time = by[0]
    second = by[1] if len(by) > 1 and by[1] != "currency" else None
    drawn: dict[str, Markup] = {}
    for currency in sorted({row.currency for row in rows}):
        mine = [row for row in rows if row.currency == currency]
        periods = _periods(time, [row.keys[time] for row in mine])
        if not periods or len(periods) > CHART_PERIODS:
            continue
        series = _period_series(filters, time, second, mine, periods, currency, measure)
        grouping = DIMENSION_LABELS[time].lower()
        drawn[currency] = charts.stacked_bars(
            [str(p) for p in periods],
            series,
            title=gettext(
                "%(measure)s per %(period)s", measure=MEASURE_LABELS[measure], period=grouping
            ),  # fmt: skip
            description=gettext(
                "Invoiced amounts in %(currency)s per %(period)s. Each bar links to its invoices.",
                currency=currency,
                period=grouping,
            ),
            value_label=currency,
            formatter=_kronor(currency),
            tick_formatter=_ticks(currency),
        )
    return drawn


def _periods(time: str, keys: list) -> list:
    """Every year (int) or month ("YYYY-MM") from the first key to the last."""
    present = [key for key in keys if key is not None]
    if not present:
        return []
    if time == "year":
        return list(range(min(present), max(present) + 1))
    first, last = min(present), max(present)
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _period_series(filters, time, second, rows, periods, currency, measure) -> list[charts.Series]:
    def href(period, extra: dict) -> str:
        return invoices_url(filters, **key_filters({time: period, **extra}, currency))

    if second is None:
        amounts = {row.keys[time]: row.amount for row in rows}
        return [
            charts.Series(
                name=str(MEASURE_LABELS[measure]),
                values=[amounts.get(p) for p in periods],
                hrefs=[href(p, {}) if p in amounts else None for p in periods],
            )
        ]
    by_group: dict = {}
    for row in rows:
        group = by_group.setdefault(row.keys[second], [row.labels.get(second), ZERO, {}])
        group[1] += row.amount
        group[2][row.keys[time]] = row.amount
    ordered = sorted(by_group.items(), key=lambda item: -item[1][1])
    named, rest = ordered[:CHART_VENDORS], ordered[CHART_VENDORS:]
    series = [
        charts.Series(
            name=label or (str(key) if key is not None else _none_label(second)),
            values=[amounts.get(p) for p in periods],
            hrefs=[href(p, {second: key}) if p in amounts else None for p in periods],
        )
        for key, (label, _total, amounts) in named
    ]
    if rest:
        others: dict = {}  # period → the sum of every other group's amounts in it
        for _key, (_label, _total, amounts) in rest:
            for period, amount in amounts.items():
                others[period] = others.get(period, ZERO) + amount
        values = [others.get(p) for p in periods]
        series.append(charts.Series(gettext("All others"), values, is_other=True))
    return series


def _none_label(dimension: str) -> str:
    return {
        "category": gettext("No category"),
        "department": gettext("No department"),
        "contract": gettext("No contract"),
    }.get(dimension, "—")


def yearly_chart(filters: InvoiceFilters, yearly: list, currency: str) -> Markup:
    """A record's invoiced amount excl. VAT per year in one currency (``yearly``: rows with
    ``year``, ``currency`` and ``net_amount``), every year from the first to the last, each
    bar linking to its invoices."""
    amounts = {row.year: row.net_amount for row in yearly if row.currency == currency}
    years = _periods("year", list(amounts))
    if not years:
        return Markup("")
    series = charts.Series(
        name=str(MEASURE_LABELS["net"]),
        values=[amounts.get(year) for year in years],
        hrefs=[
            invoices_url(filters, year=year, currency=currency) if year in amounts else None
            for year in years
        ],
    )
    return charts.stacked_bars(
        [str(year) for year in years],
        [series],
        title=gettext("Invoiced per year"),
        description=gettext(
            "Invoiced amounts in %(currency)s per year. Each bar links to its invoices.",
            currency=currency,
        ),
        value_label=currency,
        formatter=_kronor(currency),
        tick_formatter=_ticks(currency),
    )


def balance_chart(overview: list[YearOverview], currency: str) -> str:
    """Costs against income per year, each bar linking to its rows."""
    rows = sorted((row for row in overview if row.currency == currency), key=lambda r: r.year)
    if not rows:
        return Markup("")
    years = [row.year for row in rows]
    series = [
        charts.Series(
            gettext("Costs"),
            [row.costs for row in rows],
            hrefs=[invoices_url(InvoiceFilters(), year=y, currency=currency) for y in years],
        ),
        charts.Series(
            gettext("Income"),
            [row.income for row in rows],
            hrefs=[url_for("income.index", year=y) for y in years],
        ),
    ]
    return charts.grouped_bars(
        [str(year) for year in years],
        series,
        title=gettext("Costs against income per year"),
        description=gettext(
            "Consultant costs excl. VAT and lecture-fee income in %(currency)s per year. Each "
            "bar links to its rows.",
            currency=currency,
        ),
        value_label=currency,
        formatter=_kronor(currency),
        tick_formatter=_ticks(currency),
    )


def burndown_chart(progress: Burndown) -> str:
    """The contract's cumulative invoiced amount against its ceiling in force, amendments
    marked where they take effect; every point links to its invoice."""
    contract = progress.contract
    currency = contract.currency
    points = [
        charts.Point(
            step.invoiced_on,
            step.cumulative_amount,
            url_for("invoices.detail", id=step.invoice_id),
        )
        for step in progress.steps
    ]
    first_day = contract.starts_on or (points[0].on if points else None)
    limits = []
    for terms in progress.terms:
        day = terms.effective_on or first_day
        if day is not None and terms.ceiling_amount is not None:
            limits.append(charts.Step(day, terms.ceiling_amount))
    markers = [
        charts.Marker(
            terms.effective_on,
            str(labels.AMENDMENT_KIND[terms.amendment.kind]),
            url_for("contracts.detail", id=contract.id, _anchor="amendments"),
        )
        for terms in progress.terms[1:]
        if terms.effective_on is not None and terms.amendment is not None
    ]
    return charts.burndown(
        points,
        limits,
        markers,
        title=gettext("Invoiced under %(contract)s over time", contract=str(contract)),
        description=gettext(
            "The cumulative amount invoiced excl. VAT against the ceiling in force, in "
            "%(currency)s; amendments are marked where they take effect.",
            currency=currency,
        ),
        value_label=currency,
        invoiced_label=gettext("Invoiced, cumulative"),
        limit_label=gettext("Ceiling"),
        marker_label=gettext("Amendment"),
        formatter=_kronor(currency),
        tick_formatter=_ticks(currency),
        start=contract.starts_on,
        end=progress.current.ends_on,
    )
