"""What the API's writes take: the bodies described in the OpenAPI document. The values are
read by the pages' forms (:mod:`app.web.api.saving`), so an amount may be written as on the
form ("12500.00", "12 500,00") and a date as YYYY-MM-DD."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields

AMOUNT = {"description": "a decimal string: 12500.00 (or 12 500,00)", "examples": ["12500.00"]}


def _amount(**kwargs):
    return fields.String(metadata=AMOUNT | kwargs.pop("metadata", {}), **kwargs)


class InvoiceInput(Schema):
    vendor_id = fields.Integer(metadata={"description": "the vendor (or give vendor)"})
    vendor = fields.String(metadata={"description": "the vendor's name or org number"})
    invoice_number = fields.String(required=True)
    invoiced_on = fields.Date(required=True)
    paid_on = fields.Date(allow_none=True)
    net_amount = _amount(required=True, metadata={"description": "excl. VAT; negative for credit"})
    vat_rate = fields.Integer(allow_none=True, metadata={"description": "percent: 25, 12, 6, 0"})
    vat_amount = _amount(allow_none=True, metadata={"description": "VAT; computed when empty"})
    currency = fields.String(metadata={"description": "three letters, SEK by default"})
    hours = _amount(allow_none=True, metadata={"description": "hours billed"})
    contract_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    category = fields.String(allow_none=True, metadata={"description": "a category by name"})
    department_id = fields.Integer(allow_none=True)
    department = fields.String(allow_none=True, metadata={"description": "by name"})
    description = fields.String(allow_none=True)


class InvoicePatch(InvoiceInput):
    invoice_number = fields.String()
    invoiced_on = fields.Date()
    net_amount = _amount()
    version = fields.Integer(metadata={"description": "the version read (or If-Match)"})


class VoidInput(Schema):
    reason = fields.String(required=True, metadata={"description": "why it is voided"})
    version = fields.Integer(metadata={"description": "the version read (or If-Match)"})


class EngagementInput(Schema):
    organiser_name = fields.String(required=True)
    organiser_org_number = fields.String(allow_none=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(allow_none=True, metadata={"description": "the first day if empty"})
    topic = fields.String(required=True)
    speaker = fields.String(allow_none=True)
    day_rate = _amount(allow_none=True, metadata={"description": "only to depart from the card"})
    rate_override_reason = fields.String(allow_none=True)
    organiser_pays_travel = fields.Boolean()
    travel_amount = _amount(allow_none=True, metadata={"description": "never income"})
    outgoing_invoice_number = fields.String(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)


class AmendmentInput(Schema):
    dated_on = fields.Date(required=True)
    kind = fields.String(
        required=True, metadata={"enum": ["extension", "expansion", "price_change", "other"]}
    )
    new_ends_on = fields.Date(allow_none=True)
    added_amount = _amount(allow_none=True, metadata={"description": "negative to reduce"})
    added_hours = _amount(allow_none=True, metadata={"description": "hours; negative to reduce"})
    new_hourly_rate = _amount(allow_none=True)
    reason = fields.String(allow_none=True)


class ImportJobSchema(Schema):
    """An import running in the background: read and checked first (``preview``), then, once
    confirmed, written (``import``)."""

    id = fields.Integer(required=True)
    phase = fields.String(required=True, metadata={"enum": ["preview", "import"]})
    status = fields.String(
        required=True, metadata={"enum": ["queued", "running", "done", "failed"]}
    )
    filename = fields.String(required=True)
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    stale = fields.Boolean(required=True)
    report = fields.Dict(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True)
    batch_id = fields.Integer(allow_none=True, required=True)
    status_url = fields.String(required=True)
    confirm_url = fields.String(required=True)
