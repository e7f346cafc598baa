"""A record's history and the audit log: they open after every kind of event Insyn writes,
tell an imported record's life from its file on, and speak the reader's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from app.models import AuditEvent
from app.models import ImportBatch
from app.models import ImportJob
from app.models import Invoice
from tests.conftest import REAL_DATA
from tests.conftest import version_of

CRAVEN = REAL_DATA / "craven_payments_over_500_2017-03.csv"


def _import(client, db, path: Path = CRAVEN) -> ImportBatch:
    """Upload ``path`` and confirm it; the batch it made."""
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "kind": "", "profile": "auto"}
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    job = db.session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc())).first()
    assert client.post(f"/imports/jobs/{job.id}/confirm", data={}).status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.batch_id, job.report
    return db.session.get(ImportBatch, job.batch_id)


def test_the_audit_log_and_its_csv_open_after_an_import_is_undone(admin_client, db):
    batch = _import(admin_client, db)
    response = admin_client.post(f"/imports/batches/{batch.id}/undo", data={"reason": "Fel fil"})
    assert response.status_code == 302
    for url in ["/audit/", "/audit/?action=void", "/audit/?type=invoices", "/audit/?page=2"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        # The newest events of an undo are the withdrawals of the suppliers the import
        # created; its voids are found by their action or their table.
        assert "Fel fil" in response.get_data(as_text=True) or url in ("/audit/", "/audit/?page=2")
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.record_type == "invoices", AuditEvent.action == "void"
        )
    ).all()
    assert len(events) == 171
    assert all(e.changes["void_reason"][1].startswith("Fel fil") for e in events)
    rows = list(
        csv.DictReader(
            io.StringIO(
                admin_client.get("/audit/events.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    voids = [r for r in rows if r["action"] == "void" and r["record_type"] == "invoices"]
    assert len(voids) == 171
    assert all('"void_reason"' in r["changes"] and "Fel fil" in r["changes"] for r in voids)
    invoice = db.session.scalars(
        sa.select(Invoice).where(Invoice.import_batch_id == batch.id)
    ).first()
    page = admin_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "Fel fil" in page


#: A timestamp as stored (ISO 8601 with a time); a page shows none of them as text.
ISO_TIMESTAMP = re.compile(r">[^<]*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _text_ok(html: str) -> None:
    assert "Traceback" not in html
    assert not ISO_TIMESTAMP.search(html), ISO_TIMESTAMP.search(html).group(0)


def test_every_kind_of_event_leaves_a_history_and_a_log_that_open(
    app, admin_client, auditor_client, client, db, make_vendor, make_contract, make_rate_card,
    make_user,
):  # fmt: skip
    """Entry, edit, void, restore, import, undo, merge, role change and threshold change (and
    the voids of contracts, amendments, engagements and day rates): afterwards each record's
    history and every view of the audit log open, in the reader's notation."""
    from app.models import DirectAwardThreshold
    from app.services.contracts import add_amendment
    from app.services.income import create_engagement

    vendor = make_vendor(name="Konsult AB")
    twin = make_vendor(name="KONSULT AKTIEBOLAG")
    contract = make_contract(vendor=vendor, ceiling_amount=Decimal("100000"))
    amendment = add_amendment(
        contract,
        {"dated_on": dt.date(2010, 6, 1), "kind": "expansion", "added_hours": Decimal("40")},
    )
    card = make_rate_card()
    engagement = create_engagement(
        {"organiser_name": "Förening", "topic": "Föredrag", "first_day": dt.date(2010, 5, 3)}
    )
    db.session.commit()
    # Entry and edit through the form.
    response = client.post(
        "/invoices/new",
        data={"vendor": vendor.name, "vendor_id": vendor.id, "invoice_number": "F-40",
              "invoiced_on": "2010-03-01", "net_amount": "40 000,00", "vat_rate": "25",
              "currency": "SEK", "hours": "40"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "F-40"))
    response = client.post(
        f"/invoices/{invoice.id}/edit",
        data={"vendor": vendor.name, "vendor_id": vendor.id, "invoice_number": "F-40",
              "invoiced_on": "2010-03-01", "net_amount": "40 500,00", "vat_rate": "25",
              "currency": "SEK", "hours": "40,5", "version": invoice.version},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    # Void and restore.
    assert (
        client.post(
            f"/invoices/{invoice.id}/void", data={"reason": "Fel", "version": version_of(invoice)}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/invoices/{invoice.id}/restore", data={"version": version_of(invoice)}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/contracts/amendments/{amendment.id}/void",
            data={"reason": "Fel", "version": version_of(amendment)},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/income/{engagement.id}/void",
            data={"reason": "Inställd", "version": version_of(engagement)},
        ).status_code
        == 302
    )
    # Import and undo.
    batch = _import(admin_client, db)
    imported = db.session.scalars(
        sa.select(Invoice).where(Invoice.import_batch_id == batch.id).order_by(Invoice.id)
    ).first()
    assert (
        admin_client.post(
            f"/imports/batches/{batch.id}/undo", data={"reason": "Fel fil"}
        ).status_code
        == 302
    )
    # Merge, role change, threshold change, day rate void.
    response = admin_client.post(
        f"/vendors/{vendor.id}/merge",
        data={"vendor": twin.name, "vendor_id": twin.id, "confirm": "y", "version": vendor.version},
    )
    assert response.status_code == 302
    other = make_user("clerk")
    response = admin_client.post(
        f"/users/{other.id}",
        data={"name": other.name, "role": "auditor", "is_active": "y", "version": other.version},
    )
    assert response.status_code == 302
    threshold = db.session.scalars(sa.select(DirectAwardThreshold)).first()
    response = admin_client.post(
        f"/reports/thresholds/{threshold.id}/edit",
        data={"valid_from": "2010-01-01", "amount": "300 000", "currency": "SEK",
              "note": "Ändrat", "version": threshold.version},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    make_rate_card(valid_from=dt.date(2009, 1, 1), valid_to=dt.date(2009, 12, 31))
    assert admin_client.post(
        f"/income/rates/{card.id}/void", data={"reason": "Fel", "version": version_of(card)}
    ).status_code in (200, 302)

    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"insert", "update", "void", "restore", "delete"} <= actions
    pages = [
        f"/invoices/{invoice.id}",
        f"/invoices/{imported.id}",
        f"/vendors/{vendor.id}",
        f"/contracts/{contract.id}",
        f"/income/{engagement.id}",
        f"/income/rates/{card.id}",
        f"/users/{other.id}",
        f"/reports/thresholds/{threshold.id}",
        f"/imports/batches/{batch.id}",
    ]
    for reader in (auditor_client, admin_client):
        for url in pages:
            if url.startswith("/users/") and reader is auditor_client:
                continue  # accounts are the administrators'
            response = reader.get(url)
            assert response.status_code == 200, url
            _text_ok(response.get_data(as_text=True))
    log_urls = (
        ["/audit/"]
        + [f"/audit/?type={t}" for t in _types(db)]
        + [f"/audit/?action={a}" for a in actions]
    )
    for url in log_urls:
        response = auditor_client.get(url)
        assert response.status_code == 200, url
        _text_ok(response.get_data(as_text=True))
    pages_of_log = range(
        2,
        2
        + db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        // app.config["PAGE_SIZE"],
    )
    for number in pages_of_log:
        assert auditor_client.get(f"/audit/?page={number}").status_code == 200
    rows = list(
        csv.DictReader(
            io.StringIO(
                auditor_client.get("/audit/events.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert rows and all(r["changes"].startswith("{") for r in rows)

    # The invoice's history, in Swedish: its hours and amounts as the interface writes them.
    page = auditor_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    history = page.split('class="history"', 1)[1]
    assert "40,5" in history and "40.5" not in history and "40.00" not in history
    assert "40\u00a0500,00" in history
    assert "återställde" in history and "makulerade" in history


def _types(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.record_type).distinct()))


def test_an_imported_records_history_begins_with_its_file_sheet_row_and_import(
    admin_client, auditor_client, db
):
    batch = _import(admin_client, db)
    invoice = db.session.scalars(
        sa.select(Invoice).where(Invoice.import_batch_id == batch.id).order_by(Invoice.id)
    ).first()
    page = auditor_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    history = page.split('class="history"', 1)[1].split("</section>", 1)[0]
    created = history.split(f'data-created-by-import="{batch.id}"', 1)[1].split("</li>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", created))
    assert f"Importerades från {CRAVEN.name}" in text
    assert f"rad {invoice.source_row}" in text and f"import {batch.id}" in text
    assert admin_client.user.name in text and admin_client.user.email in text
    assert f'href="/imports/batches/{batch.id}"' in created
    # Then its later events, newest first: the undo's void above the creation.
    admin_client.post(f"/imports/batches/{batch.id}/undo", data={"reason": "Fel fil"})
    history = auditor_client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    history = history.split('class="history"', 1)[1]
    assert history.index("makulerade") < history.index("data-created-by-import")
    # Readers without the history see none of it.
    assert 'class="history"' not in admin_client.application.test_client().get(
        f"/invoices/{invoice.id}"
    ).get_data(as_text=True)
