"""The API's records: suppliers, contracts (with amendments and current terms), invoices, fee
income, rate cards, categories, departments and import batches, listed page by page with the
pages' filters and sort orders, or one at a time."""

from __future__ import annotations

from flask import abort
from flask import jsonify
from flask import url_for
from marshmallow import Schema
from marshmallow import fields

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Engagement
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from app.services import contracts as contract_service
from app.services import imports as import_service
from app.services import income as income_service
from app.services import invoices as invoice_service
from app.services import lists as list_service
from app.services import vendors as vendor_service
from app.web.api import bp
from app.web.api import queries
from app.web.api import schemas
from app.web.api.paging import BadCursor
from app.web.api.paging import Key
from app.web.api.paging import page
from app.web.api.spec import operation
from app.web.contracts.views import list_filters as contract_filters
from app.web.income.views import list_filters as engagement_filters
from app.web.keyset import list_name
from app.web.listing import sorting
from app.web.report_args import read_filters
from app.web.vendors.views import list_filters as vendor_filters


def _page(statement, keys: list[Key], order_name: str, schema) -> dict:
    try:
        found = page(
            statement,
            keys,
            order_name,
            queries.limit(),
            queries.request_cursor(),
            queries.request_cursor("before"),
        )
    except BadCursor:
        abort(queries.refused([{"field": "cursor", "detail": "Not a cursor of this list."}]))
    return {
        "items": schema(many=True).dump(found.items),
        "next": found.next,
        "previous": found.previous,
        "limit": found.limit,
    }


def _paged(body: dict):
    response = jsonify(body)
    links = [f'<{body[rel]}>; rel="{rel}"' for rel in ("next", "previous") if body[rel]]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


#: What the API's front door links to.
INDEX = [
    "vendors",
    "contracts",
    "invoices",
    "engagements",
    "rate_cards",
    "categories",
    "departments",
    "import_batches",
    "totals",
    "pivot",
    "balance",
    "flags",
    "openapi",
    "reference",
]
IndexSchema = Schema.from_dict(
    {name: fields.String(required=True) for name in INDEX}, name="ApiIndex"
)


@bp.get("/")
@operation("What the API holds, with links", tag="API", responses={200: IndexSchema})
def index():
    return jsonify({name: url_for(f"api.{name}", _external=True) for name in INDEX})


# --- vendors ---------------------------------------------------------------------------------


@bp.get("/vendors")
@operation(
    "Suppliers, by name", tag="Vendors", query=queries.VendorQuery,
    responses={200: schemas.VendorPage},
)  # fmt: skip
def vendors():
    queries.checked(queries.VendorQuery)
    sort = sorting(vendor_service.SORTS, "name")
    filters = vendor_filters()
    statement = vendor_service.with_related(
        vendor_service.vendor_select(filters, sort.key, sort.descending)
    )
    # As on the pages: to the public, private persons last (a place among names would hint).
    keys = vendor_service.vendor_keys(filters, sort.key, sort.descending)
    name = list_name("vendors", sort.key, sort.descending, keys)
    return _paged(_page(statement, keys, name, schemas.VendorSchema))


@bp.get("/vendors/<id:id>")
@operation("One supplier", tag="Vendors", responses={200: schemas.VendorSchema})
def vendor(id: int):
    return jsonify(schemas.VendorSchema().dump(db.get_or_404(Vendor, id)))


# --- contracts -------------------------------------------------------------------------------


@bp.get("/contracts")
@operation(
    "Contracts with their amendments and the terms in force",
    tag="Contracts",
    query=queries.ContractQuery,
    responses={200: schemas.ContractPage},
)
def contracts():
    queries.checked(queries.ContractQuery)
    sort = sorting(contract_service.SORTS, "starts_on", descending=True)
    filters = contract_filters()
    statement = contract_service.with_related(
        contract_service.contract_select(filters, sort.key, sort.descending)
    )
    keys = contract_service.contract_keys(filters, sort.key, sort.descending)
    name = list_name("contracts", sort.key, sort.descending, keys)
    return _paged(_page(statement, keys, name, schemas.ContractSchema))


@bp.get("/contracts/<id:id>")
@operation("One contract", tag="Contracts", responses={200: schemas.ContractSchema})
def contract(id: int):
    return jsonify(schemas.ContractSchema().dump(db.get_or_404(Contract, id)))


# --- invoices --------------------------------------------------------------------------------


@bp.get("/invoices")
@operation(
    "Supplier invoices and credit notes, with the pages' filters",
    tag="Invoices",
    query=queries.InvoiceQuery,
    responses={200: schemas.InvoicePage},
)
def invoices():
    queries.checked(queries.InvoiceQuery)
    ignored: list[str] = []
    filters = read_filters(ignored)
    queries.refuse_ignored(ignored)
    sort = sorting(invoice_service.SORTS, "invoiced_on", descending=True)
    statement = invoice_service.with_related(
        invoice_service.invoice_select(filters, sort.key, sort.descending)
    )
    keys = invoice_service.invoice_keys(sort.key, sort.descending)
    name = list_name("invoices", sort.key, sort.descending, keys)
    return _paged(_page(statement, keys, name, schemas.InvoiceSchema))


@bp.get("/invoices/<id:id>")
@operation("One invoice", tag="Invoices", responses={200: schemas.InvoiceSchema})
def invoice(id: int):
    return jsonify(schemas.InvoiceSchema().dump(db.get_or_404(Invoice, id)))


# --- fee income ------------------------------------------------------------------------------


@bp.get("/engagements")
@operation(
    "Fee income: lectures and similar engagements, priced by the day rate in force",
    tag="Fee income",
    query=queries.EngagementQuery,
    responses={200: schemas.EngagementPage},
)
def engagements():
    queries.checked(queries.EngagementQuery)
    sort = sorting(income_service.SORTS, "first_day", descending=True)
    filters = engagement_filters()
    statement = income_service.engagement_select(filters, sort.key, sort.descending)
    keys = income_service.engagement_keys(filters, sort.key, sort.descending)
    name = list_name("engagements", sort.key, sort.descending, keys)
    return _paged(_page(statement, keys, name, schemas.EngagementSchema))


@bp.get("/engagements/<id:id>")
@operation("One engagement", tag="Fee income", responses={200: schemas.EngagementSchema})
def engagement(id: int):
    return jsonify(schemas.EngagementSchema().dump(db.get_or_404(Engagement, id)))


@bp.get("/rate-cards")
@operation(
    "Day rates over time, newest first", tag="Fee income", responses={200: schemas.RateCardList}
)
def rate_cards():
    cards = db.session.scalars(income_service.rate_cards()).all()
    return jsonify(items=schemas.RateCardSchema(many=True).dump(cards))


# --- the managed lists and the imports ---------------------------------------------------------


@bp.get("/categories")
@operation("Categories, by name", tag="Lists", responses={200: schemas.CategoryList})
def categories():
    entries = db.session.scalars(list_service.ordered(Category)).all()
    return jsonify(items=schemas.CategorySchema(many=True).dump(entries))


@bp.get("/departments")
@operation("Departments, by name", tag="Lists", responses={200: schemas.DepartmentList})
def departments():
    entries = db.session.scalars(list_service.ordered(Department)).all()
    return jsonify(items=schemas.DepartmentSchema(many=True).dump(entries))


@bp.get("/import-batches")
@operation(
    "Import batches, newest first: where every imported record came from",
    tag="Imports",
    query=queries.BatchQuery,
    responses={200: schemas.ImportBatchPage},
)
def import_batches():
    queries.checked(queries.BatchQuery)
    keys = [Key(ImportBatch.imported_at, descending=True), Key(ImportBatch.id, descending=True)]
    return _paged(_page(import_service.batches(), keys, "batches", schemas.ImportBatchSchema))


@bp.get("/import-batches/<id:id>")
@operation("One import batch", tag="Imports", responses={200: schemas.ImportBatchSchema})
def import_batch(id: int):
    return jsonify(schemas.ImportBatchSchema().dump(db.get_or_404(ImportBatch, id)))
