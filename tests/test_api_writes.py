"""Writes through the API: tokens and roles, the forms' validation, version checks, the
audit trail with the token's name, idempotency keys and imports by upload."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from app.models import AuditEvent
from app.models import Engagement
from app.models import Invoice
from app.models.base import utcnow
from tests.api_helpers import bearer
from tests.api_helpers import make_token
from tests.conftest import TEST_DATA

SAMPLES = TEST_DATA.parent.parent / "imports" / "samples"


def _invoice_body(vendor, **extra) -> dict:
    return {
        "vendor_id": vendor.id,
        "invoice_number": "API-1",
        "invoiced_on": "2010-05-04",
        "net_amount": "12500.00",
        "vat_rate": 25,
        "description": "Strategi",
        **extra,
    }


def _count(db, model=Invoice) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_write_token_enters_an_invoice_as_the_form_does(app, db, make_user, make_vendor):
    token, secret = make_token(db, make_user, "clerk", "write", name="Ekonomisystemet")
    vendor = make_vendor()
    response = app.test_client().post(
        "/api/v1/invoices", json=_invoice_body(vendor), headers=bearer(secret)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json
    assert data["vat_amount"] == "3125.00" and data["vendor_id"] == vendor.id
    assert response.headers["Location"].endswith(f"/api/v1/invoices/{data['id']}")
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.record_type == "invoices", AuditEvent.record_id == data["id"]
        )
    )
    assert event.action == "insert" and event.origin == "api"
    assert event.via_token == "Ekonomisystemet" and event.actor_id == token.user_id


def test_the_write_appears_in_the_records_history_with_the_tokens_name(
    app, db, make_user, make_vendor, auditor_client
):
    _token, secret = make_token(db, make_user, "clerk", "write", name="Ekonomisystemet")
    created = app.test_client().post(
        "/api/v1/invoices", json=_invoice_body(make_vendor()), headers=bearer(secret)
    )
    page = auditor_client.get(f"/invoices/{created.json['id']}").get_data(as_text=True)
    assert 'class="history"' in page
    assert "Ekonomisystemet" in page


def test_a_read_token_cannot_write(app, db, make_user, make_vendor):
    _token, secret = make_token(db, make_user, "clerk", "read")
    response = app.test_client().post(
        "/api/v1/invoices", json=_invoice_body(make_vendor()), headers=bearer(secret)
    )
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert _count(db) == 0


def test_a_write_token_of_an_account_that_may_not_write_cannot(app, db, make_user, make_vendor):
    token, secret = make_token(db, make_user, "clerk", "write")
    from app.services.accounts import set_role

    set_role(token.user, "auditor")
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/invoices", json=_invoice_body(make_vendor()), headers=bearer(secret)
    )
    assert response.status_code == 403
    assert _count(db) == 0


def test_revoked_expired_and_unknown_tokens_get_401(app, db, make_user, make_vendor):
    from app.services.tokens import revoke_token

    revoked, revoked_secret = make_token(db, make_user)
    revoke_token(revoked)
    expired, expired_secret = make_token(db, make_user)
    expired.expires_on = utcnow().date() - dt.timedelta(days=1)
    db.session.commit()
    client = app.test_client()
    for secret in (revoked_secret, expired_secret, "insyn_" + "x" * 43, "not-even-one"):
        for method, path in (("post", "/api/v1/invoices"), ("get", "/api/v1/invoices")):
            response = getattr(client, method)(
                path, json=_invoice_body(make_vendor()), headers=bearer(secret)
            )
            assert response.status_code == 401, (secret, path)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _count(db) == 0


def test_a_signed_in_browser_cannot_write_through_the_api(client, db, make_vendor):
    """The API takes no CSRF token, so it takes no session for writes either."""
    response = client.post("/api/v1/invoices", json=_invoice_body(make_vendor()))
    assert response.status_code == 401
    assert _count(db) == 0


def test_the_forms_validation_names_the_field(app, db, make_user, make_vendor):
    _token, secret = make_token(db, make_user)
    client = app.test_client()
    vendor = make_vendor()
    response = client.post(
        "/api/v1/invoices",
        json=_invoice_body(vendor, net_amount="tolv", currency="KRONOR"),
        headers=bearer(secret),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json["errors"]}
    assert {"net_amount", "currency"} <= fields
    # A service's rule (one number per vendor) is a problem naming its field too.
    assert (
        client.post(
            "/api/v1/invoices", json=_invoice_body(vendor), headers=bearer(secret)
        ).status_code
        == 201
    )
    twice = client.post("/api/v1/invoices", json=_invoice_body(vendor), headers=bearer(secret))
    assert twice.status_code == 422
    assert [e["field"] for e in twice.json["errors"]] == ["invoice_number"]
    # No body, or not JSON.
    assert client.post("/api/v1/invoices", data="x", headers=bearer(secret)).status_code == 415
    assert _count(db) == 1


def test_idempotency_key_makes_a_retry_return_the_first_invoice(app, db, make_user, make_vendor):
    _token, secret = make_token(db, make_user)
    client = app.test_client()
    body = _invoice_body(make_vendor())
    headers = bearer(secret, **{"Idempotency-Key": "faktura-4711"})
    first = client.post("/api/v1/invoices", json=body, headers=headers)
    again = client.post("/api/v1/invoices", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(db) == 1
    other = client.post(
        "/api/v1/invoices", json={**body, "invoice_number": "API-2"}, headers=headers
    )
    assert other.status_code == 422
    assert _count(db) == 1
    # Without a key, the same body is a duplicate the service refuses.
    assert client.post("/api/v1/invoices", json=body, headers=bearer(secret)).status_code == 422


def test_a_correction_needs_the_version_and_a_stale_one_is_409_naming_who(
    app, db, make_user, make_invoice, client
):
    _token, secret = make_token(db, make_user, name="Ekonomisystemet")
    invoice = make_invoice()
    api = app.test_client()
    path = f"/api/v1/invoices/{invoice.id}"
    assert api.patch(path, json={"description": "x"}, headers=bearer(secret)).status_code == 428
    ok = api.patch(
        path, json={"net_amount": "2000.00"}, headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert ok.json["net_amount"] == "2000.00" and ok.json["vat_amount"] == "500.00"
    assert ok.json["version"] == 2
    stale = api.patch(path, json={"description": "late", "version": 1}, headers=bearer(secret))
    assert stale.status_code == 409
    assert "Ekonomisystemet" in stale.json["saved_by"] and stale.json["current_version"] == 2
    assert stale.json["saved_at"]
    db.session.refresh(invoice)
    assert invoice.description is None


def test_void_through_the_api(app, db, make_user, make_invoice):
    _token, secret = make_token(db, make_user)
    invoice = make_invoice()
    api = app.test_client()
    no_reason = api.post(f"/api/v1/invoices/{invoice.id}/void", json={}, headers=bearer(secret))
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    voided = api.post(
        f"/api/v1/invoices/{invoice.id}/void",
        json={"reason": "Inmatad två gånger", "version": 1},
        headers=bearer(secret),
    )
    assert voided.status_code == 200 and voided.json["void_reason"] == "Inmatad två gånger"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.record_id == invoice.id, AuditEvent.action == "void")
    )
    assert event is not None and event.via_token


def test_engagements_and_amendments_through_the_api(
    app, db, make_user, make_rate_card, make_contract
):
    _token, secret = make_token(db, make_user)
    make_rate_card()
    api = app.test_client()
    made = api.post(
        "/api/v1/engagements",
        json={
            "organiser_name": "Region Exempel",
            "first_day": "2010-03-03",
            "last_day": "2010-03-04",
            "topic": "Sociala medier",
            "organiser_pays_travel": True,
        },
        headers=bearer(secret),
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.json["started_days"] == 2 and made.json["fee_amount"] == "12000.00"
    assert _count(db, Engagement) == 1
    contract = make_contract()
    amended = api.post(
        f"/api/v1/contracts/{contract.id}/amendments",
        json={"dated_on": "2010-06-01", "kind": "expansion", "added_amount": "25000"},
        headers=bearer(secret),
    )
    assert amended.status_code == 201, amended.get_data(as_text=True)
    terms = api.get(f"/api/v1/contracts/{contract.id}").json["current_terms"]
    assert terms["ceiling_amount"] == "125000.00"
    refused = api.post(
        f"/api/v1/contracts/{contract.id}/amendments",
        json={"dated_on": "2010-06-01", "kind": "other"},
        headers=bearer(secret),
    )
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "reason"


def test_an_import_is_started_by_upload_and_followed_to_its_batch(app, db, make_user):
    token, secret = make_token(db, make_user)
    api = app.test_client()
    content = (SAMPLES / "exempelkommun-leverantorsreskontra-2010.csv").read_bytes()
    started = api.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(content), "ledger.csv")},
        headers=bearer(secret),
        content_type="multipart/form-data",
    )
    assert started.status_code == 202, started.get_data(as_text=True)
    job = started.json
    assert job["phase"] == "preview" and job["status"] == "queued"
    assert started.headers["Location"] == job["status_url"]
    status = api.get(job["status_url"], headers=bearer(secret))
    assert status.status_code == 200 and status.json["id"] == job["id"]
    assert status.json["status"] == "done"  # the tests run jobs in the request
    confirmed = api.post(job["confirm_url"], json={}, headers=bearer(secret))
    assert confirmed.status_code == 202, confirmed.get_data(as_text=True)
    done = api.get(job["status_url"], headers=bearer(secret)).json
    assert done["phase"] == "import" and done["status"] == "done" and done["batch_id"]
    batch = api.get(f"/api/v1/import-batches/{done['batch_id']}").json
    assert batch["row_count"] > 0
    # The job is its owner's: another account's token reads 403, no token 401.
    _other, other_secret = make_token(db, make_user)
    assert api.get(job["status_url"], headers=bearer(other_secret)).status_code == 403
    assert api.get(job["status_url"]).status_code == 401


def test_an_upload_that_is_no_file_names_the_field(app, db, make_user):
    _token, secret = make_token(db, make_user)
    response = app.test_client().post(
        "/api/v1/imports", data={"kind": "invoices"}, headers=bearer(secret)
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["file"]


def test_every_api_write_needs_a_write_token_whose_owner_may_write(
    app, db, make_user, demo_ids, client
):
    """Walks the URL map: a new write route of the API is checked without being listed."""
    _read, read_secret = make_token(db, make_user, "clerk", "read")
    auditor, auditor_secret = make_token(db, make_user, "auditor", "read")
    api = app.test_client()
    writes = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.methods & {"POST", "PATCH", "PUT", "DELETE"}
    ]
    assert len(writes) >= 7
    for rule in writes:
        url = rule.rule.replace("<id:id>", str(demo_ids["invoice"]))
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            anonymous = api.open(url, method=method, json={})
            assert anonymous.status_code == 401, (method, url)
            assert (
                api.open(url, method=method, json={}, headers=bearer(read_secret)).status_code
                == 403
            )
            assert (
                api.open(url, method=method, json={}, headers=bearer(auditor_secret)).status_code
                == 403
            )
            assert client.open(url, method=method, json={}).status_code == 401, (method, url)
