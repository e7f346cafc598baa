"""The OpenAPI document describes the API as it answers: real answers of every route, good
and bad, are validated against it with openapi-core, and the document itself with the
OpenAPI 3.1 schema (openapi-spec-validator)."""

from __future__ import annotations

import io
import json

import pytest
from openapi_core import Config
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIResponse
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.api_helpers import bearer
from tests.api_helpers import make_token
from tests.test_api_writes import SAMPLES


@pytest.fixture
def document(anonymous):
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate_spec(document)


class Checker:
    """Validates answers against the document and notes which operations were seen."""

    def __init__(self, document: dict) -> None:
        # Problems are JSON too (RFC 9457); openapi-core knows only application/json by name.
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        self.openapi = OpenAPI.from_dict(document, config=config)
        self.operations = {
            (method.upper(), path)
            for path, item in document["paths"].items()
            for method in item
            if method in ("get", "post", "patch", "put", "delete")
        }
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, response, operation: tuple[str, str], status: int | None = None):
        if status is not None:
            assert response.status_code == status, response.get_data(as_text=True)
        sent = response.request
        # The request as sent, without its body (already read by the app): what an answer
        # is checked against is its operation, found by method and path.
        request = Request(
            EnvironBuilder(
                method=sent.method, path=sent.path, query_string=sent.query_string.decode()
            ).get_environ()
        )
        self.openapi.validate_response(
            WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
        )
        self.seen.add(operation)
        return response


def test_every_route_answers_as_its_document_says(
    app, anonymous, demo, demo_ids, document, db, make_user
):
    check = Checker(document)
    ids = demo_ids
    reads = {
        "/api/v1/": "/api/v1/",
        "/api/v1/vendors": "/api/v1/vendors?limit=2",
        "/api/v1/vendors/{id}": f"/api/v1/vendors/{ids['vendor']}",
        "/api/v1/contracts": "/api/v1/contracts?sort=reference&dir=asc",
        "/api/v1/contracts/{id}": f"/api/v1/contracts/{ids['contract']}",
        "/api/v1/invoices": "/api/v1/invoices?year=2010&limit=5",
        "/api/v1/invoices/{id}": f"/api/v1/invoices/{ids['invoice']}",
        "/api/v1/engagements": "/api/v1/engagements?limit=3",
        "/api/v1/engagements/{id}": f"/api/v1/engagements/{ids['engagement']}",
        "/api/v1/rate-cards": "/api/v1/rate-cards",
        "/api/v1/categories": "/api/v1/categories",
        "/api/v1/departments": "/api/v1/departments",
        "/api/v1/import-batches": "/api/v1/import-batches",
        "/api/v1/import-batches/{id}": f"/api/v1/import-batches/{ids['import_batch']}",
        "/api/v1/totals": "/api/v1/totals?by=month,category&measure=gross",
        "/api/v1/pivot": "/api/v1/pivot?top=1",
        "/api/v1/balance": "/api/v1/balance?year=2010",
        "/api/v1/flags": "/api/v1/flags?year=2010",
        "/api/v1/openapi.json": "/api/v1/openapi.json",
        "/api/v1/reference": "/api/v1/reference",
    }
    for path, url in reads.items():
        check(anonymous.get(url), ("GET", path), 200)
    for by in ("year,vendor", "department,contract", "currency"):
        check(anonymous.get(f"/api/v1/totals?by={by}"), ("GET", "/api/v1/totals"), 200)
    check(anonymous.get(f"/api/v1/flags?contract={ids['contract']}"), ("GET", "/api/v1/flags"), 200)
    # Refusals are problems, as documented.
    check(anonymous.get("/api/v1/invoices?year=x"), ("GET", "/api/v1/invoices"), 400)
    check(anonymous.get("/api/v1/vendors/2147483000"), ("GET", "/api/v1/vendors/{id}"), 404)
    etag = anonymous.get("/api/v1/categories").headers["ETag"]
    check(
        anonymous.get("/api/v1/categories", headers={"If-None-Match": etag}),
        ("GET", "/api/v1/categories"),
        304,
    )

    _token, secret = make_token(db, make_user, name="Ekonomisystemet")
    _read, read_secret = make_token(db, make_user, scope="read")
    api = app.test_client()
    body = {
        "vendor_id": ids["vendor"],
        "invoice_number": "OAS-1",
        "invoiced_on": "2010-05-04",
        "net_amount": "100.00",
    }
    created = check(
        api.post("/api/v1/invoices", json=body, headers=bearer(secret)),
        ("POST", "/api/v1/invoices"),
        201,
    )
    check(
        api.post("/api/v1/invoices", json=body, headers=bearer(secret)),
        ("POST", "/api/v1/invoices"),
        422,
    )
    check(
        api.post("/api/v1/invoices", json=body, headers=bearer(read_secret)),
        ("POST", "/api/v1/invoices"),
        403,
    )
    check(api.post("/api/v1/invoices", json=body), ("POST", "/api/v1/invoices"), 401)
    check(
        api.post("/api/v1/invoices", data="x", headers=bearer(secret)),
        ("POST", "/api/v1/invoices"),
        415,
    )
    invoice = f"/api/v1/invoices/{created.json['id']}"
    check(
        api.patch(invoice, json={"description": "ny", "version": 1}, headers=bearer(secret)),
        ("PATCH", "/api/v1/invoices/{id}"),
        200,
    )
    check(
        api.patch(invoice, json={"description": "gammal", "version": 1}, headers=bearer(secret)),
        ("PATCH", "/api/v1/invoices/{id}"),
        409,
    )
    check(
        api.patch(invoice, json={"description": "x"}, headers=bearer(secret)),
        ("PATCH", "/api/v1/invoices/{id}"),
        428,
    )
    check(
        api.post(invoice + "/void", json={"reason": "fel", "version": 2}, headers=bearer(secret)),
        ("POST", "/api/v1/invoices/{id}/void"),
        200,
    )
    check(
        api.post(
            "/api/v1/engagements",
            json={"organiser_name": "X", "first_day": "2010-02-02", "topic": "T"},
            headers=bearer(secret),
        ),
        ("POST", "/api/v1/engagements"),
        201,
    )
    check(
        api.post(
            f"/api/v1/contracts/{ids['contract']}/amendments",
            json={"dated_on": "2011-01-01", "kind": "extension", "new_ends_on": "2012-12-31"},
            headers=bearer(secret),
        ),
        ("POST", "/api/v1/contracts/{id}/amendments"),
        201,
    )
    content = (SAMPLES / "exempelkommun-leverantorsreskontra-2010.csv").read_bytes()
    job = check(
        api.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(content), "l.csv")},
            headers=bearer(secret),
            content_type="multipart/form-data",
        ),
        ("POST", "/api/v1/imports"),
        202,
    ).json
    check(api.get(job["status_url"], headers=bearer(secret)), ("GET", "/api/v1/imports/{id}"), 200)
    check(
        api.post(job["confirm_url"], json={"skip_invalid": True}, headers=bearer(secret)),
        ("POST", "/api/v1/imports/{id}/confirm"),
        202,
    )

    assert check.seen == check.operations, sorted(check.operations - check.seen)
