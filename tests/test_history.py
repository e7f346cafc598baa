"""A record's history and the audit log: they open after every kind of event Insyn writes,
tell an imported record's life from its file on, and speak the reader's language."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa

from app.models import AuditEvent
from app.models import ImportBatch
from app.models import ImportJob
from app.models import Invoice
from tests.conftest import REAL_DATA

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
        assert "Fel fil" in response.get_data(as_text=True) or "page=2" in url
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
