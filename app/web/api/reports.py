"""The API's reports: totals by any one or two groupings, the year × vendor pivot, the
balance of a year and the flags. Each is the pages' JSON (README, "JSON shapes"), computed by
the same services and written by the same functions; a choice that cannot be read is a 400
here, where the page would leave it out and say so."""

from __future__ import annotations

import datetime as dt

from flask import jsonify

from app.extensions import db
from app.models import Contract
from app.services.balance import balance as compute_balance
from app.services.balance import balance_years
from app.services.flags import contract_flags
from app.services.totals import currency_totals
from app.services.totals import pivot as compute_pivot
from app.services.totals import totals as compute_totals
from app.services.year_flags import year_flags
from app.web.api import bp
from app.web.api import queries
from app.web.api import report_schemas
from app.web.api.spec import operation
from app.web.audience import request_audience
from app.web.report_args import read_report_args
from app.web.reports import present


def _args():
    args = read_report_args()
    queries.refuse_ignored(args.ignored)
    return args


@bp.get("/totals")
@operation(
    "Sums of valid invoices grouped by one or two of year, month, vendor, category, "
    "department, contract and currency",
    tag="Reports",
    query=queries.TotalsQuery,
    responses={200: report_schemas.TotalsSchema},
)
def totals():
    queries.checked(queries.TotalsQuery)
    args = _args()
    rows = compute_totals(args.totals_query)
    return jsonify(
        report="totals",
        by=list(args.by),
        measure=args.measure,
        date_basis=args.filters.date_basis,
        filters=args.filters.as_args(),
        ignored=args.ignored,
        rows=[present.totals_row_json(args.filters, row) for row in rows],
        totals={
            currency: {"amount": present.decimal_text(amount), "count": count}
            for currency, (amount, count) in currency_totals(rows).items()
        },
    )


@bp.get("/pivot")
@operation(
    "Vendors as rows, years as columns, one table per currency",
    tag="Reports",
    query=queries.PivotQuery,
    responses={200: report_schemas.PivotSchema},
)
def pivot():
    queries.checked(queries.PivotQuery)
    args = _args()
    pivots = compute_pivot(args.filters, args.measure, args.top)
    return jsonify(
        report="pivot",
        measure=args.measure,
        date_basis=args.filters.date_basis,
        top=args.top,
        filters=args.filters.as_args(),
        ignored=args.ignored,
        pivots=[present.pivot_json(args.filters, p) for p in pivots],
    )


def _year(query: dict) -> int:
    if query.get("year"):
        return query["year"]
    years = balance_years()
    return years[0] if years else dt.date.today().year


def _shown(found) -> list:
    return [present.show_flag(flag, currency, label) for flag, currency, label in found]


@bp.get("/balance")
@operation(
    "A year's consultant costs against its fee income, with what the year flags",
    tag="Reports",
    query=queries.BalanceQuery,
    responses={200: report_schemas.BalanceSchema},
)
def balance():
    query = queries.checked(queries.BalanceQuery)
    year = _year(query)
    result = compute_balance(year, query.get("date") or "invoiced", request_audience())
    return jsonify(
        report="balance",
        **present.balance_json(result, _shown(year_flags(year, request_audience()))),
    )


@bp.get("/flags")
@operation(
    "What an auditor should look at: a year's flags, or one contract's",
    tag="Reports",
    query=queries.FlagQuery,
    responses={200: report_schemas.FlagListSchema, 404: None},
)
def flags():
    query = queries.checked(queries.FlagQuery)
    if query.get("contract"):
        contract = db.get_or_404(Contract, query["contract"])
        found = [(flag, contract.currency, str(contract)) for flag in contract_flags(contract)]
        year = None
    else:
        year = _year(query)
        found = year_flags(year, request_audience())
    shown = present.balance_json_flags(_shown(found))
    return jsonify(year=year, contract_id=query.get("contract"), flags=shown)
