"""Writes for systems: invoices entered, corrected and voided, fee engagements and contract
amendments recorded, through the pages' forms and services (see :mod:`app.web.api.saving`)."""

from __future__ import annotations

from flask import url_for

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Invoice
from app.models import Vendor
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import invoices as invoice_service
from app.settings import with_rules
from app.web.api import bp
from app.web.api import schemas
from app.web.api import write_schemas
from app.web.api.saving import current_values
from app.web.api.saving import expected_version
from app.web.api.saving import form_data
from app.web.api.saving import idempotent
from app.web.api.saving import json_body
from app.web.api.saving import refuse_invalid
from app.web.api.saving import save
from app.web.api.saving import version_needed
from app.web.api.saving import write_required
from app.web.api.spec import operation
from app.web.contracts.forms import AmendmentForm
from app.web.income.forms import EngagementForm
from app.web.invoices.forms import InvoiceForm
from app.web.invoices.views import invoice_values as invoice_data
from app.web.voiding import VoidForm

NO_CSRF = {"csrf": False}

#: The API's names of an invoice's values → the invoice form's fields.
INVOICE_FIELDS = {
    "vendor": "vendor",
    "vendor_id": "vendor_id",
    "invoice_number": "invoice_number",
    "invoiced_on": "invoiced_on",
    "paid_on": "paid_on",
    "net_amount": "net_amount",
    "vat_rate": "vat_rate",
    "vat_amount": "vat_amount",
    "currency": "currency",
    "hours": "hours",
    "contract_id": "contract_id",
    "category_id": "category_id",
    "category": "new_category",
    "department_id": "department_id",
    "department": "new_department",
    "description": "description",
    "version": "version",
}


def _get(model, value):
    """The record ``value`` names (an id from the body), or ``None``."""
    return db.session.get(model, value) if isinstance(value, int) and 0 < value < 2**31 else None


def _invoice_form(body: dict, base=None) -> InvoiceForm:
    """The invoice form filled from ``body`` (over ``base``), offered the records the body
    names (the browser's form offers all of them; only the chosen one matters)."""
    data = form_data(body, INVOICE_FIELDS, base)
    vendor = _get(Vendor, body.get("vendor_id"))
    if vendor is not None and "vendor" not in body:
        data["vendor"] = vendor.name  # the picker shows the chosen vendor's name
    pick = {}
    for key, model, name in (
        ("contract_id", Contract, "contracts"),
        ("category_id", Category, "categories"),
        ("department_id", Department, "departments"),
    ):
        chosen = _get(model, int(data[key]) if data.get(key, "").isdigit() else None)
        pick[name] = [chosen] if chosen is not None else []
    return InvoiceForm(formdata=data, meta=NO_CSRF, **pick)


def _invoice_location(invoice: Invoice) -> str:
    return url_for("api.invoice", id=invoice.id, _external=True)


@bp.post("/invoices")
@operation(
    "Enter an invoice (or a credit note, with negative amounts)",
    tag="Invoices",
    body=write_schemas.InvoiceInput,
    responses={201: schemas.InvoiceSchema, 400: None, 403: None, 415: None, 422: None},
    write=True,
    description="The same checks as the invoice form: a vendor's invoice number is entered "
    "once; a contract must be the vendor's and in the invoice's currency. VAT is computed "
    "from vat_rate (25 unless given) when vat_amount is not given.",
)
@write_required
@idempotent
def create_invoice():
    body = json_body()
    form = _invoice_form(body)
    if not form.validate():
        return refuse_invalid(form, INVOICE_FIELDS)
    return save(
        lambda: invoice_service.create_invoice(with_rules(invoice_data(form))),
        schemas.InvoiceSchema().dump,
        201,
        _invoice_location,
    )


@bp.patch("/invoices/<id:id>")
@operation(
    "Correct an invoice: send the values that change and the version read",
    tag="Invoices",
    body=write_schemas.InvoicePatch,
    responses={
        200: schemas.InvoiceSchema, 400: None, 403: None, 409: None, 415: None, 422: None,
        428: None,
    },
    write=True,
    description='The version read goes in the body ("version") or in If-Match: "<version>". '
    "A newer version on the server is a 409 naming who saved it and when.",
)  # fmt: skip
@write_required
def correct_invoice(id: int):
    invoice = db.get_or_404(Invoice, id)
    body = json_body()
    version = expected_version(body)
    if version is None:
        return version_needed()
    base_form = InvoiceForm(formdata=None, obj=invoice, meta=NO_CSRF)
    base_form.load(invoice)
    base = current_values(base_form)
    if ("net_amount" in body or "vat_rate" in body) and "vat_amount" not in body:
        base["vat_amount"] = ""  # computed again from the rate, as the form does
    form = _invoice_form({**body, "version": version}, base)
    if not form.validate():
        return refuse_invalid(form, INVOICE_FIELDS)
    return save(
        lambda: invoice_service.update_invoice(invoice, with_rules(invoice_data(form))),
        schemas.InvoiceSchema().dump,
    )


@bp.post("/invoices/<id:id>/void")
@operation(
    "Void an invoice: it stays on record, marked, and leaves every total",
    tag="Invoices",
    body=write_schemas.VoidInput,
    responses={200: schemas.InvoiceSchema, 400: None, 403: None, 409: None, 415: None, 422: None},
    write=True,
)
@write_required
def void_invoice(id: int):
    invoice = db.get_or_404(Invoice, id)
    body = json_body()
    names = {"reason": "reason", "version": "version"}
    form = VoidForm(formdata=form_data(body, names), meta=NO_CSRF)
    if not form.validate():
        return refuse_invalid(form, names)
    return save(
        lambda: invoice_service.void_invoice(
            invoice, form.reason.data, expected_version(body) or ""
        ),
        schemas.InvoiceSchema().dump,
    )


ENGAGEMENT_FIELDS = {name: name for name in write_schemas.EngagementInput._declared_fields}


@bp.post("/engagements")
@operation(
    "Record a fee engagement; it is priced by the day rate in force on its first day",
    tag="Fee income",
    body=write_schemas.EngagementInput,
    responses={201: schemas.EngagementSchema, 400: None, 403: None, 415: None, 422: None},
    write=True,
)
@write_required
@idempotent
def create_engagement():
    form = EngagementForm(formdata=form_data(json_body(), ENGAGEMENT_FIELDS), meta=NO_CSRF)
    if not form.validate():
        return refuse_invalid(form, ENGAGEMENT_FIELDS)
    return save(
        lambda: income_service.create_engagement(with_rules(form.data)),
        schemas.EngagementSchema().dump,
        201,
        lambda e: url_for("api.engagement", id=e.id, _external=True),
    )


AMENDMENT_FIELDS = {name: name for name in write_schemas.AmendmentInput._declared_fields}


@bp.post("/contracts/<id:id>/amendments")
@operation(
    "Record an amendment to a contract: a later end, more money or hours, a new rate",
    tag="Contracts",
    body=write_schemas.AmendmentInput,
    responses={201: schemas.AmendmentSchema, 400: None, 403: None, 415: None, 422: None},
    write=True,
)
@write_required
@idempotent
def add_amendment(id: int):
    contract = db.get_or_404(Contract, id)
    form = AmendmentForm(formdata=form_data(json_body(), AMENDMENT_FIELDS), meta=NO_CSRF)
    if not form.validate():
        return refuse_invalid(form, AMENDMENT_FIELDS)
    return save(
        lambda: contract_service.add_amendment(contract, with_rules(form.data)),
        schemas.AmendmentSchema().dump,
        201,
        lambda a: url_for("api.contract", id=a.contract_id, _external=True),
    )
