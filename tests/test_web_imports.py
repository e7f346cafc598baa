"""Importing in the browser: upload → preview → confirm, the batch page, re-imports and undo."""

from __future__ import annotations

import io
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.models import AuditEvent
from app.models import ImportBatch
from app.models import ImportJob
from app.models import Invoice
from tests.conftest import REAL_DATA
from tests.processes import REFUSAL_MB
from tests.processes import REFUSAL_SECONDS
from tests.processes import child_env
from tests.processes import one_line_csv
from tests.processes import run_measured
from tests.processes import wide_csv

CRAVEN = REAL_DATA / "craven_payments_over_500_2017-03.csv"


def _upload(client, path: Path = CRAVEN, name: str | None = None, **fields):
    data = {
        "file": (io.BytesIO(path.read_bytes()), name or path.name),
        "kind": "",
        "profile": "auto",
        **fields,
    }
    return client.post("/imports/", data=data, content_type="multipart/form-data")


def _job(db) -> ImportJob:
    return db.session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc())).first()


def _total(db, batch_id: int) -> Decimal:
    return db.session.scalar(
        sa.select(sa.func.sum(Invoice.net_amount)).where(
            Invoice.import_batch_id == batch_id, Invoice.voided_at.is_(None)
        )
    ) or Decimal("0")


def test_upload_preview_confirm(client, db):
    response = _upload(client)
    assert response.status_code == 302
    job = _job(db)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The preview: nothing written, every figure shown.
    assert 'data-import-status="preview"' in page
    assert re.search(r'data-figure="rows">171<', page)
    assert 'data-left-out="totals"' in page and "173" in page
    assert "726\u00a0583,94" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    confirmed = client.post(f"/imports/jobs/{job.id}/confirm", data={})
    assert confirmed.status_code == 302
    page = client.get(f"/imports/jobs/{job.id}").get_data(as_text=True)
    assert 'data-import-status="imported"' in page
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.batch_id and _total(db, job.batch_id) == Decimal("726583.94")
    batch = db.session.get(ImportBatch, job.batch_id)
    assert (
        batch.actor == f"{client.user.name} <{client.user.email}>"
        and batch.counts["imported"] == 171
    )
    assert batch.totals == {"GBP": "726583.94"}
    # The batch page links to its invoices; each invoice links back to the batch and row.
    batch_page = client.get(f"/imports/batches/{batch.id}").get_data(as_text=True)
    assert f"/invoices/?batch={batch.id}" in batch_page and batch.sha256 in batch_page
    listing = client.get(f"/invoices/?batch={batch.id}").get_data(as_text=True)
    assert "726\u00a0583,94" in listing
    invoice = db.session.scalar(
        sa.select(Invoice).where(Invoice.import_batch_id == batch.id).limit(1)
    )
    detail = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert f"/imports/batches/{batch.id}" in detail and f"{invoice.source_row}" in detail


def test_the_same_file_again_imports_nothing(client, db):
    for _ in range(2):
        response = _upload(client)
        job = _job(db)
        client.post(f"/imports/jobs/{job.id}/confirm", data={})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-import-status="duplicate"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 171


def test_an_unreadable_upload_says_why_and_writes_nothing(client, db, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is no workbook")
    response = _upload(client, broken)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-import-status="unreadable"' in page and "broken.xlsx" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0


def test_only_clerks_and_admins_upload(anonymous, auditor_client, db):
    assert _upload(anonymous).status_code == 302
    assert _upload(auditor_client).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportJob)) == 0


def test_an_upload_above_the_limit_is_refused_clearly(app, client, db):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = _upload(client)
        assert response.status_code == 413
        assert "MB" in response.get_data(as_text=True)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 200 * 1024 * 1024


def test_an_admin_undoes_a_batch_and_it_can_be_imported_again(client, admin_client, db):
    _upload(client)
    job = _job(db)
    client.post(f"/imports/jobs/{job.id}/confirm", data={})
    db.session.expire_all()
    batch_id = db.session.get(ImportJob, job.id).batch_id
    assert (
        client.post(f"/imports/batches/{batch_id}/undo", data={"reason": "Fel fil"}).status_code
        == 403
    )
    response = admin_client.post(f"/imports/batches/{batch_id}/undo", data={"reason": "Fel fil"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _total(db, batch_id) == 0
    voided = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Invoice)
        .where(Invoice.import_batch_id == batch_id, Invoice.voided_at.is_not(None))
    )
    assert voided == 171
    events = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.record_type == "invoices", AuditEvent.action == "void")
    )
    assert events == 171
    assert db.session.get(ImportBatch, batch_id).is_undone
    # Undone, the file may be imported again.
    _upload(client)
    job = _job(db)
    client.post(f"/imports/jobs/{job.id}/confirm", data={})
    db.session.expire_all()
    assert _total(db, db.session.get(ImportJob, job.id).batch_id) == Decimal("726583.94")


def test_a_file_of_unknown_columns_is_read_with_the_columns_chosen_on_the_page(
    client, db, tmp_path
):
    from tests.test_importing_columns import ODD_LEDGER

    path = tmp_path / "reskontra.csv"
    path.write_text(ODD_LEDGER, encoding="utf-8")
    response = _upload(client, path, kind="invoices")
    job = _job(db)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-import-status="rejected"' in page and 'id="choose-columns"' in page
    assert '<select id="column-net_amount" name="column-net_amount">' in page
    assert '<option value="Kronor" selected>Kronor</option>' in page  # found by its content
    assert 'class="field field-missing"' in page  # the needed field not told is marked
    assert 'data-ambiguous="vendor_name"' in page and "Penseo AB · Mediabyrån AB" in page

    # A header the file does not have is refused, and the job stays as it was.
    client.post(f"/imports/jobs/{job.id}/columns", data={"column-net_amount": "Summa"})
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).report["status"] == "rejected"

    chosen = {"column-vendor_name": "Avsändare", "column-invoiced_on": "Bokf.dag",
              "column-net_amount": "Kronor", "column-description": "Text"}  # fmt: skip
    assert client.post(f"/imports/jobs/{job.id}/columns", data=chosen).status_code == 302
    page = client.get(f"/imports/jobs/{job.id}").get_data(as_text=True)
    assert 'data-import-status="preview"' in page
    assert re.search(r'data-figure="imported">2<', page) and "3\u00a0500,50" in page
    assert '<option value="Kronor" selected>Kronor</option>' in page  # the choice is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0

    client.post(f"/imports/jobs/{job.id}/confirm", data={})
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.batch_id and _total(db, job.batch_id) == Decimal("3500.50")
    batch_page = client.get(f"/imports/batches/{job.batch_id}").get_data(as_text=True)
    assert "valda för hand" in batch_page and "Belopp exkl. moms ← Kronor" in batch_page


def test_a_payment_in_advance_is_imported_once_the_clerk_confirms_the_file(client, db, tmp_path):
    ledger = tmp_path / "forskott.csv"
    ledger.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Betaldatum;Belopp\n"
        "Förskott AB;F-1;2010-03-10;2010-02-01;1 000,00\n"
        "Vanlig AB;F-2;2010-03-10;2010-04-01;2 500,50\n",
        encoding="utf-8",
    )
    _upload(client, ledger)
    job = _job(db)
    page = client.get(f"/imports/jobs/{job.id}").get_data(as_text=True)
    assert "The payment date 2010-02-01 is before the invoice date 2010-03-10" in page or (
        "Betaldatumet 2010-02-01 är före fakturadatumet 2010-03-10" in page
    )
    assert 'name="accept_prepaid"' in page and 'name="accept_vat"' not in page
    # Confirming without the doubt leaves the row refused and nothing written.
    client.post(f"/imports/jobs/{job.id}/confirm", data={})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    _upload(client, ledger)
    job = _job(db)
    client.post(f"/imports/jobs/{job.id}/confirm", data={"accept_prepaid": "y"})
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job.batch_id and _total(db, job.batch_id) == Decimal("3500.50")


# --- files too long or too wide: refused at the preview, in bounded time and memory ---------

#: A browser's upload and preview in a process of its own (its memory measured alone): signs
#: in, uploads the file, prints the preview page's size and then the page.
_UPLOAD = """
import sys
from pathlib import Path
from app import create_app
from tests.conftest import PASSWORD, TEST_CONFIG
url, email, path = sys.argv[1:4]
app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
client = app.test_client()
assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
with open(path, "rb") as handle:
    data = {"file": (handle, Path(path).name), "kind": "", "profile": "auto"}
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
page = client.get(response.headers["Location"]).get_data(as_text=True)
print(len(page))
print(page)
"""


@pytest.fixture(scope="module")
def own_app(databases, migrated_app):
    """An app on a database of this module's own, shared with child processes."""
    from app.extensions import db as _db

    app = migrated_app(databases.new())
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize(
    ("make", "what"), [(one_line_csv, "är längre än"), (wide_csv, "har 100000 kolumner")]
)
def test_an_endless_line_or_100000_columns_are_refused_at_the_preview_in_bounded_time_and_memory(
    own_app, tmp_path, make, what
):
    from app.services.accounts import create_user
    from app.settings import password_policy
    from tests.conftest import PASSWORD

    with own_app.app_context():
        user = create_user(
            {"email": f"{make.__name__}@kommun.example", "name": "Clerk", "role": "clerk",
             "password": PASSWORD},
            policy=password_policy(),
        )  # fmt: skip
        own_app.extensions["sqlalchemy"].session.commit()
        email = user.email
    path = make(tmp_path / f"{make.__name__}.csv")
    url = own_app.config["SQLALCHEMY_DATABASE_URI"]
    finished = run_measured([sys.executable, "-c", _UPLOAD, url, email, str(path)], child_env(url))
    print(f"{path.name} (page): {finished.seconds:.2f} s, {finished.peak_mb:.0f} MB")
    assert finished.code == 0, finished.stderr[-2000:]
    assert finished.seconds < REFUSAL_SECONDS and finished.peak_mb < REFUSAL_MB
    size, page = finished.stdout.split("\n", 1)
    assert int(size) < 100_000
    assert 'data-import-status="unreadable"' in page
    assert f"Rad 1 i {path.name} {what}" in page and "k99999" not in page
    with own_app.app_context():
        session = own_app.extensions["sqlalchemy"].session
        assert session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0
        assert session.scalar(sa.select(ImportJob.status).order_by(ImportJob.id.desc())) == "done"


# --- jobs whose worker is gone ---------------------------------------------------------------


def _running_job(db, client, worker: str | None, age_minutes: float = 0, status="running"):
    import datetime as dt

    from app.models.base import utcnow
    from app.services.imports import create_job

    job = create_job(client.user, "fakturor.csv", Path("/nonexistent/fakturor.csv"), {})
    job.status, job.worker = status, worker
    db.session.flush()
    # Set after the flush: the column updates itself on every write.
    db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(updated_at=utcnow() - dt.timedelta(minutes=age_minutes))
    )
    db.session.commit()
    return job.id


def _status(client, db, job_id: int) -> tuple[str, str | None]:
    page = client.get(f"/imports/jobs/{job_id}").get_data(as_text=True)
    job = db.session.get(ImportJob, job_id)
    db.session.refresh(job)
    if job.status == "failed":
        assert "avbröts" in page or "interrupted" in page
    return job.status, job.error


def _gone_worker() -> str:
    """A worker on this host whose process has ended (its id no longer in use)."""
    import socket
    import subprocess

    process = subprocess.Popen(["true"])  # noqa: S607
    process.wait()
    return f"{socket.gethostname()}:{process.pid}:1"


def test_a_running_job_whose_process_is_gone_is_marked_failed_when_looked_at(client, db):
    job_id = _running_job(db, client, _gone_worker())
    assert _status(client, db, job_id) == ("failed", "interrupted")


def test_a_job_run_by_a_live_process_stays_running_however_quiet(client, db):
    from app.web.imports.jobs import this_worker

    job_id = _running_job(db, client, this_worker(), age_minutes=60)
    assert _status(client, db, job_id) == ("running", None)


def test_a_process_id_given_to_another_process_since_is_not_the_worker(client, db):
    import os
    import socket

    job_id = _running_job(db, client, f"{socket.gethostname()}:{os.getpid()}:1")
    assert _status(client, db, job_id) == ("failed", "interrupted")


def test_a_job_of_another_host_is_failed_only_when_silent_for_too_long(client, db):
    recent = _running_job(db, client, "another-host:4242:99", age_minutes=1)
    silent = _running_job(db, client, "another-host:4242:99", age_minutes=11)
    assert _status(client, db, recent) == ("running", None)
    assert _status(client, db, silent) == ("failed", "interrupted")


def test_a_job_queued_and_never_taken_is_failed_after_a_while(client, db):
    fresh = _running_job(db, client, None, age_minutes=1, status="queued")
    old = _running_job(db, client, None, age_minutes=11, status="queued")
    assert _status(client, db, fresh) == ("queued", None)
    assert _status(client, db, old) == ("failed", "interrupted")


def test_the_api_reports_a_dead_workers_job_as_failed_and_stale(app, db, make_user):
    from app.services.imports import create_job
    from tests.api_helpers import bearer
    from tests.api_helpers import make_token

    token, secret = make_token(db, make_user)
    job = create_job(token.user, "fakturor.csv", Path("/nonexistent/fakturor.csv"), {})
    job.status, job.worker = "running", _gone_worker()
    db.session.commit()
    answer = app.test_client().get(f"/api/v1/imports/{job.id}", headers=bearer(secret))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert (answer.json["status"], answer.json["stale"]) == ("failed", True)


def test_a_file_as_wide_as_allowed_offers_its_columns_in_a_page_of_bounded_size(
    client, db, tmp_path
):
    from app.importing.bounds import MAX_COLUMNS

    path = tmp_path / "bred.csv"
    header = ";".join(f"Kolumn {i}" for i in range(MAX_COLUMNS))
    values = ";".join(f"värde {i}" for i in range(MAX_COLUMNS))
    path.write_text(f"{header}\n{values}\n{values}\n", encoding="utf-8")
    response = _upload(client, path, kind="invoices")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-import-status="rejected"' in page
    menu = page[page.index('<select id="column-net_amount"') :]
    menu = menu[: menu.index("</select>")]
    assert menu.count("<option") == MAX_COLUMNS + 1  # the columns, and "not read"
    assert "Kolumn 39, …" in page and "Kolumn 40," not in page.split("<form")[0]
    print(f"{MAX_COLUMNS} columns: a page of {len(page) / 1e6:.1f} MB")
    assert len(page) < 2_000_000
