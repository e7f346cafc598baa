"""The API's query-string parameters, as marshmallow schemas: checked strictly (a value that
cannot be read is a 400 naming the parameter), then read by the pages' own readers, so that
every filter means on the API what it means on the pages."""

from __future__ import annotations

from flask import abort
from flask import request
from flask_babel import gettext
from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import invoices as invoice_service
from app.services import vendors as vendor_service
from app.services.invoice_filters import DATE_BASES
from app.services.invoice_filters import STATUSES
from app.services.totals import DIMENSIONS
from app.services.totals import MEASURES
from app.web.api.paging import DEFAULT_LIMIT
from app.web.api.paging import MAX_LIMIT
from app.web.api.problems import field_error
from app.web.api.problems import problem
from app.web.listing import MAX_ID

ID = validate.Range(1, MAX_ID)
ID_OR_NONE = validate.Range(0, MAX_ID)
IDS = validate.Regexp(r"^[0-9]+(,[0-9]+)*$")
TEXT = validate.Length(max=200)


def _id(description: str, none: bool = False) -> fields.Integer:
    if none:
        description += " (0: none)"
    return fields.Integer(
        validate=ID_OR_NONE if none else ID, metadata={"description": description}
    )


class _Query(Schema):
    class Meta:
        unknown = EXCLUDE


class PagingQuery(_Query):
    limit = fields.Integer(
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"items per page (default {DEFAULT_LIMIT})"},
    )
    cursor = fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "where the page starts: the `next` link of the page before"},
    )
    before = fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "the page before this row: the `previous` link of a page"},
    )
    dir = fields.String(validate=validate.OneOf(["asc", "desc"]))


class InvoiceFiltersQuery(_Query):
    """The invoice filters of the pages (``/invoices/?…``, ``/reports/totals?…``)."""

    vendor = _id("one vendor")
    vendors = fields.String(validate=IDS, metadata={"description": "several vendors: 3,7,9"})
    not_vendor = fields.String(validate=IDS, metadata={"description": "all but these vendors"})
    vendor_q = fields.String(validate=TEXT, metadata={"description": "part of the vendor's name"})
    contract = _id("a contract", none=True)
    category = _id("a category", none=True)
    department = _id("a department", none=True)
    date = fields.String(
        validate=validate.OneOf(DATE_BASES),
        metadata={"description": "which date places an invoice in a period"},
    )
    year = fields.Integer(validate=validate.Range(1, 9999))
    month = fields.Integer(validate=validate.Range(1, 12), metadata={"description": "with year"})
    from_ = fields.Date(data_key="from", metadata={"description": "from this date, inclusive"})
    to = fields.Date(metadata={"description": "to this date, inclusive"})
    min = fields.String(
        validate=TEXT, metadata={"description": "amount excl. VAT at least (1250.00)"}
    )
    max = fields.String(validate=TEXT, metadata={"description": "amount excl. VAT at most"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Za-z]{3}$"))
    q = fields.String(validate=TEXT, metadata={"description": "part of the number or text"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    batch = _id("imported by this import batch")


class InvoiceQuery(InvoiceFiltersQuery, PagingQuery):
    sort = fields.String(validate=validate.OneOf(list(invoice_service.SORTS)))


class VendorQuery(PagingQuery):
    q = fields.String(validate=TEXT, metadata={"description": "part of the name or org number"})
    sort = fields.String(validate=validate.OneOf(list(vendor_service.SORTS)))


class ContractQuery(PagingQuery):
    vendor = _id("one vendor")
    vendor_q = fields.String(validate=TEXT)
    batch = _id("imported by this import batch")
    year = fields.Integer(validate=validate.Range(1, 9999), metadata={"description": "running"})
    q = fields.String(validate=TEXT, metadata={"description": "part of reference or title"})
    sort = fields.String(validate=validate.OneOf(list(contract_service.SORTS)))


class EngagementQuery(PagingQuery):
    year = fields.Integer(validate=validate.Range(1, 9999))
    q = fields.String(validate=TEXT)
    batch = _id("imported by this import batch")
    sort = fields.String(validate=validate.OneOf(list(income_service.SORTS)))


class BatchQuery(_Query):
    limit = PagingQuery._declared_fields["limit"]
    cursor = PagingQuery._declared_fields["cursor"]
    before = PagingQuery._declared_fields["before"]


class TotalsQuery(InvoiceFiltersQuery):
    by = fields.String(
        validate=validate.Regexp(rf"^({'|'.join(DIMENSIONS)})(,({'|'.join(DIMENSIONS)}))?$"),
        metadata={"description": "one or two groupings: year,vendor"},
    )
    measure = fields.String(validate=validate.OneOf(MEASURES))


class PivotQuery(InvoiceFiltersQuery):
    measure = fields.String(validate=validate.OneOf(MEASURES))
    top = fields.Integer(validate=validate.Range(1, 200), metadata={"description": "vendors"})


class BalanceQuery(_Query):
    year = fields.Integer(
        validate=validate.Range(1, 9999), metadata={"description": "default: the latest"}
    )
    date = fields.String(validate=validate.OneOf(DATE_BASES))


class FlagQuery(_Query):
    year = fields.Integer(
        validate=validate.Range(1, 9999), metadata={"description": "default: the latest"}
    )
    contract = _id("one contract's flags instead of a year's")


def checked(schema: type[Schema]) -> dict:
    """The query string read by ``schema``; a 400 problem naming each unreadable parameter."""
    try:
        return schema().load(request.args)
    except ValidationError as error:
        errors = [
            field_error(name, " ".join(str(m) for m in messages))
            for name, messages in sorted(error.messages.items())
        ]
        abort(refused(errors))


def refused(errors: list[dict]):
    """A 400 problem for parameters that cannot be read."""
    return problem(
        400,
        gettext("Some parameters of the address cannot be read."),
        errors=errors,
    )


def refuse_ignored(ignored: list[str]) -> None:
    """Stop with a 400 when the pages' readers left something out: the pages say so and go
    on, a program must know."""
    if ignored:
        abort(refused([{"field": "query", "detail": message} for message in ignored]))


def limit() -> int:
    return request.args.get("limit", DEFAULT_LIMIT, type=int) or DEFAULT_LIMIT


def request_cursor(name: str = "cursor") -> str | None:
    return request.args.get(name) or None
