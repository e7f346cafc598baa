"""The shapes of the API's records, as marshmallow schemas: what the API writes, and what its
OpenAPI document says it writes (apispec reads these same classes).

Amounts are decimal strings beside their ``currency``; dates are ISO 8601 (``2010-03-01``),
times ISO 8601 in UTC. A private person's name and ids are withheld from the public
(:mod:`app.web.api.audience`).
"""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema
from marshmallow import fields
from marshmallow import post_dump

from app.services.contracts import current_terms
from app.web.api import audience
from app.web.api.fields import amount


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


class Links(Schema):
    """Where to find the record and what belongs to it."""

    self = fields.String(metadata={"description": "this record in the API"})
    html = fields.String(metadata={"description": "the record's page"})
    invoices = fields.String(metadata={"description": "its invoices in the API"})
    totals = fields.String(metadata={"description": "its totals in the API"})
    feed = fields.String(metadata={"description": "its Atom feed"})


class VendorSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "Privatperson for the public"})
    org_number = fields.String(allow_none=True, metadata={"description": "NNNNNN-NNNN"})
    id_kind = fields.String(attribute="id_kind.value")
    vat_number = fields.String(allow_none=True)
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    is_private_person = fields.Boolean()
    aliases = fields.Function(lambda v: [a.name for a in v.aliases], metadata={"type": "array"})
    notes = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    links = fields.Nested(Links)

    @post_dump(pass_original=True)
    def _finish(self, data, vendor, **_kwargs):
        data["links"] = {
            "self": _url("api.vendor", id=vendor.id),
            "html": _url("vendors.detail", id=vendor.id),
            "invoices": _url("api.invoices", vendor=vendor.id),
            "totals": _url("api.totals", vendor=vendor.id, by="year"),
            "feed": _url("feeds.vendor", id=vendor.id),
        }
        return audience.mask_vendor_fields(data, vendor, name_key="name")


class TermsSchema(Schema):
    """A contract's terms from a date on (after its amendments)."""

    effective_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    ceiling_amount = amount(allow_none=True)
    hour_quota = amount(allow_none=True, metadata={"description": "hours"})
    hourly_rate = amount(allow_none=True)


class AmendmentSchema(Schema):
    id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    dated_on = fields.Date(required=True)
    kind = fields.String(attribute="kind.value", metadata={"enum": [
        "extension", "expansion", "price_change", "other"]})  # fmt: skip
    new_ends_on = fields.Date(allow_none=True)
    added_amount = amount(allow_none=True)
    added_hours = amount(allow_none=True, metadata={"description": "hours"})
    new_hourly_rate = amount(allow_none=True)
    reason = fields.String(allow_none=True)
    import_batch_id = fields.Integer(allow_none=True)
    source_row = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()


class ContractSchema(Schema):
    id = fields.Integer(required=True)
    vendor_id = fields.Integer(required=True)
    vendor = fields.String(attribute="vendor.name")
    reference = fields.String(allow_none=True, metadata={"description": "diarienummer"})
    title = fields.String()
    purpose = fields.String(allow_none=True)
    procurement_basis = fields.String(attribute="procurement_basis.value")
    signed_on = fields.Date(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True, metadata={"description": "the original end date"})
    ceiling_amount = amount(allow_none=True, metadata={"description": "original, excl. VAT"})
    hour_quota = amount(allow_none=True, metadata={"description": "original, hours"})
    hourly_rate = amount(allow_none=True, metadata={"description": "original, excl. VAT"})
    currency = fields.String()
    notes = fields.String(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    import_batch_id = fields.Integer(allow_none=True)
    source_row = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    amendments = fields.List(fields.Nested(AmendmentSchema))
    current_terms = fields.Nested(TermsSchema)
    links = fields.Nested(Links)

    @post_dump(pass_original=True)
    def _finish(self, data, contract, **_kwargs):
        data["current_terms"] = TermsSchema().dump(current_terms(contract))
        data["links"] = {
            "self": _url("api.contract", id=contract.id),
            "html": _url("contracts.detail", id=contract.id),
            "invoices": _url("api.invoices", contract=contract.id),
            "totals": _url("api.totals", contract=contract.id, by="year"),
            "feed": _url("feeds.contract", id=contract.id),
        }
        return audience.mask_vendor_fields(data, contract.vendor)


class InvoiceSchema(Schema):
    id = fields.Integer(required=True)
    invoice_number = fields.String(required=True)
    vendor_id = fields.Integer(required=True)
    vendor = fields.String(attribute="vendor.name")
    vendor_org_number = fields.String(attribute="vendor.org_number", allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    invoiced_on = fields.Date(required=True)
    paid_on = fields.Date(allow_none=True)
    net_amount = amount(required=True, metadata={"description": "excl. VAT"})
    vat_amount = amount(required=True)
    gross_amount = amount(required=True, metadata={"description": "incl. VAT"})
    currency = fields.String(required=True)
    hours = amount(allow_none=True, metadata={"description": "hours billed"})
    category_id = fields.Integer(allow_none=True)
    category = fields.String(attribute="category.name", allow_none=True)
    department_id = fields.Integer(allow_none=True)
    department = fields.String(attribute="department.name", allow_none=True)
    description = fields.String(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    import_batch_id = fields.Integer(allow_none=True)
    source_row = fields.Integer(allow_none=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    links = fields.Nested(Links)

    @post_dump(pass_original=True)
    def _finish(self, data, invoice, **_kwargs):
        for name in ("category", "department"):
            data.setdefault(name, None)
        data["links"] = {
            "self": _url("api.invoice", id=invoice.id),
            "html": _url("invoices.detail", id=invoice.id),
        }
        return audience.mask_vendor_fields(data, invoice.vendor)


class EngagementSchema(Schema):
    id = fields.Integer(required=True)
    organiser_name = fields.String(required=True)
    organiser_org_number = fields.String(allow_none=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    started_days = fields.Integer(required=True)
    topic = fields.String()
    speaker = fields.String(allow_none=True)
    rate_card_id = fields.Integer(allow_none=True)
    day_rate = amount(required=True)
    rate_override_reason = fields.String(allow_none=True)
    fee_amount = amount(required=True, metadata={"description": "started days × day rate"})
    currency = fields.String(required=True)
    organiser_pays_travel = fields.Boolean()
    travel_amount = amount(allow_none=True, metadata={"description": "never income"})
    outgoing_invoice_number = fields.String(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    import_batch_id = fields.Integer(allow_none=True)
    source_row = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    links = fields.Nested(Links)

    @post_dump(pass_original=True)
    def _finish(self, data, engagement, **_kwargs):
        data["links"] = {
            "self": _url("api.engagement", id=engagement.id),
            "html": _url("income.detail", id=engagement.id),
        }
        return audience.mask_organiser_fields(data, engagement)


class RateCardSchema(Schema):
    id = fields.Integer(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(allow_none=True, metadata={"description": "inclusive"})
    day_rate = amount(required=True, metadata={"description": "per started day"})
    currency = fields.String()
    basis = fields.String(allow_none=True)
    version = fields.Integer()


class CategorySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    code = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class DepartmentSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    code = fields.String(allow_none=True)


class ImportBatchSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String()
    sha256 = fields.String()
    size_bytes = fields.Integer(allow_none=True)
    sheet_name = fields.String(allow_none=True)
    kind = fields.String()
    profile = fields.String(allow_none=True)
    row_count = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Raw(), allow_none=True)
    totals = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)
    imported_at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)
    links = fields.Nested(Links)

    @post_dump(pass_original=True)
    def _finish(self, data, batch, **_kwargs):
        data["links"] = {
            "self": _url("api.import_batch", id=batch.id),
            "html": _url("imports.batch", id=batch.id),
            "invoices": _url("api.invoices", batch=batch.id),
        }
        return data


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A page of ``item`` records: ``items``, the address of the ``next`` page (null on the
    last), of the ``previous`` one (null on the first) and the page's ``limit``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.String(allow_none=True, required=True),
            "previous": fields.String(allow_none=True, required=True),
            "limit": fields.Integer(required=True),
        },
        name=name,
    )


VendorPage = page_schema(VendorSchema, "VendorPage")
ContractPage = page_schema(ContractSchema, "ContractPage")
InvoicePage = page_schema(InvoiceSchema, "InvoicePage")
EngagementPage = page_schema(EngagementSchema, "EngagementPage")
ImportBatchPage = page_schema(ImportBatchSchema, "ImportBatchPage")
RateCardList = Schema.from_dict(
    {"items": fields.List(fields.Nested(RateCardSchema), required=True)}, name="RateCardList"
)
CategoryList = Schema.from_dict(
    {"items": fields.List(fields.Nested(CategorySchema), required=True)}, name="CategoryList"
)
DepartmentList = Schema.from_dict(
    {"items": fields.List(fields.Nested(DepartmentSchema), required=True)}, name="DepartmentList"
)
