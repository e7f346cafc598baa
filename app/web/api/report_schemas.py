"""The shapes of the API's reports: totals, the pivot, the balance of a year and the flags.

They are the shapes of the pages' JSON (README, "JSON shapes"), made by the same functions
(``app.web.reports.present``) from the same services: one computation of every figure.
"""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields

from app.web.api.fields import DECIMAL_PATTERN

CHANGE = {
    "pattern": r"^-?[0-9]+\.[0-9]{4}$",
    "description": "the change from the year before, as a fraction with four decimals",
}
SHARE = {
    "pattern": r"^-?[0-9]+\.[0-9]{3}$",
    "description": "a fraction with three decimals (a tenth of a percent), rounded half up",
}


def _text_amount(**kwargs) -> fields.String:
    """An amount the report already wrote as a decimal string."""
    return fields.String(metadata={"pattern": DECIMAL_PATTERN}, **kwargs)


class TotalsRowSchema(Schema):
    """One group: its keys (only those of the grouping), the sum, the count and the share of
    its currency's total, and the address of the invoices behind it."""

    year = fields.Integer()
    month = fields.String(metadata={"description": "YYYY-MM"})
    vendor = fields.String(allow_none=True)
    vendor_id = fields.Integer(allow_none=True)
    category = fields.String(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    department = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    contract = fields.String(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    currency = fields.String(required=True)
    amount = _text_amount(required=True)
    count = fields.Integer(required=True)
    share = fields.String(required=True, metadata=SHARE)
    invoices = fields.String(required=True, metadata={"description": "the invoices behind it"})


class CurrencySumSchema(Schema):
    amount = _text_amount(required=True)
    count = fields.Integer(required=True)


FILTERS = fields.Dict(
    keys=fields.String(),
    values=fields.Raw(),
    required=True,
    metadata={"description": "the filters read, as query-string arguments"},
)
IGNORED = fields.List(
    fields.String(), required=True, metadata={"description": "choices that could not be read"}
)


class TotalsSchema(Schema):
    report = fields.String(required=True, metadata={"enum": ["totals"]})
    by = fields.List(fields.String(), required=True)
    measure = fields.String(required=True, metadata={"enum": ["net", "gross", "vat"]})
    date_basis = fields.String(required=True, metadata={"enum": ["invoiced", "paid"]})
    filters = FILTERS
    ignored = IGNORED
    rows = fields.List(fields.Nested(TotalsRowSchema), required=True)
    totals = fields.Dict(
        keys=fields.String(), values=fields.Nested(CurrencySumSchema), required=True
    )


class PivotCellSchema(Schema):
    amount = _text_amount(required=True)
    count = fields.Integer(required=True)
    change = fields.String(allow_none=True, required=True, metadata=CHANGE)
    invoices = fields.String(required=True)


class PivotLineSchema(Schema):
    vendor = fields.String(allow_none=True)
    vendor_id = fields.Integer(allow_none=True)
    vendor_count = fields.Integer(metadata={"description": "for the others: how many vendors"})
    years = fields.Dict(keys=fields.String(), values=fields.Nested(PivotCellSchema), required=True)
    amount = _text_amount(required=True)
    count = fields.Integer(required=True)
    invoices = fields.String(required=True)


class PivotTableSchema(Schema):
    currency = fields.String(required=True)
    years = fields.List(fields.Integer(), required=True)
    vendors = fields.List(fields.Nested(PivotLineSchema), required=True)
    others = fields.Nested(PivotLineSchema, allow_none=True, required=True)
    year_totals = fields.Dict(
        keys=fields.String(), values=fields.Nested(PivotCellSchema), required=True
    )
    amount = _text_amount(required=True)
    count = fields.Integer(required=True)
    vendor_count = fields.Integer(required=True)


class PivotSchema(Schema):
    report = fields.String(required=True, metadata={"enum": ["pivot"]})
    measure = fields.String(required=True)
    date_basis = fields.String(required=True)
    top = fields.Integer(required=True)
    filters = FILTERS
    ignored = IGNORED
    pivots = fields.List(fields.Nested(PivotTableSchema), required=True)


class FlagInvoiceSchema(Schema):
    id = fields.Integer(required=True)
    invoice_number = fields.String(required=True)
    invoiced_on = fields.String(required=True, metadata={"format": "date"})
    net_amount = _text_amount(required=True)
    currency = fields.String(required=True)
    url = fields.String(required=True, metadata={"format": "uri"})


class FlagSchema(Schema):
    kind = fields.String(
        required=True,
        metadata={
            "enum": [
                "ceiling",
                "hours",
                "period",
                "rate",
                "amendments",
                "direct_award",
                "threshold",
            ]
        },
    )
    text = fields.String(required=True, metadata={"description": "the finding, in a sentence"})
    since = fields.String(allow_none=True, required=True, metadata={"format": "date"})
    until = fields.String(allow_none=True, required=True, metadata={"format": "date"})
    contract_id = fields.Integer(allow_none=True, required=True)
    vendor_id = fields.Integer(allow_none=True, required=True)
    invoice_ids = fields.List(fields.Integer(), required=True)
    invoices = fields.List(
        fields.Nested(FlagInvoiceSchema),
        required=True,
        metadata={"description": "the invoices the flag cites"},
    )
    evidence = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "the address of a vendor flag's invoice list"},
    )


class BalanceCurrencySchema(Schema):
    costs = _text_amount(required=True)
    income = _text_amount(required=True)
    net = _text_amount(required=True)


class IncomeRowSchema(Schema):
    organiser = fields.String(required=True)
    currency = fields.String(required=True)
    day_rate = _text_amount(required=True)
    started_days = fields.Integer(required=True)
    amount = _text_amount(required=True)
    count = fields.Integer(required=True)


class BalanceSchema(Schema):
    report = fields.String(required=True, metadata={"enum": ["balance"]})
    year = fields.Integer(required=True)
    date_basis = fields.String(required=True)
    currencies = fields.Dict(
        keys=fields.String(), values=fields.Nested(BalanceCurrencySchema), required=True
    )
    costs_by_vendor = fields.List(fields.Nested(TotalsRowSchema), required=True)
    costs_by_category = fields.List(fields.Nested(TotalsRowSchema), required=True)
    income_by_organiser = fields.List(fields.Nested(IncomeRowSchema), required=True)
    flags = fields.List(fields.Nested(FlagSchema), required=True)


class FlagListSchema(Schema):
    year = fields.Integer(allow_none=True, required=True)
    contract_id = fields.Integer(allow_none=True, required=True)
    flags = fields.List(fields.Nested(FlagSchema), required=True)
