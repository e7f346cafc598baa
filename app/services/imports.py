"""Imports as the browser runs them: uploads kept until confirmed, jobs that run in the
background of the server process with their progress in the database, and undoing a batch.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask import current_app
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.importing.plan import Options
from app.importing.run import run_import
from app.models import AuditEvent
from app.models import Contract
from app.models import ContractAmendment
from app.models import Engagement
from app.models import ImportBatch
from app.models import ImportJob
from app.models import Invoice
from app.models import User
from app.models.base import utcnow
from app.money import N_
from app.services.errors import ServiceError

log = logging.getLogger(__name__)

#: A job not heard from for this long was interrupted (the server stopped).
STALE_AFTER = dt.timedelta(minutes=10)
#: Seconds between progress writes.
PROGRESS_EVERY = 0.5

#: Progress of the jobs running in this process, for when the database cannot take a write
#: (SQLite holds its one write lock for the whole import transaction).
_live_progress: dict[int, tuple[int, int]] = {}


def upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_filename(name: str) -> str:
    """The base name of an upload, stripped of directories and of characters a file system
    or a header would trip on; never empty."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    base = re.sub(r"[^\w.\- ()åäöÅÄÖ]+", "_", base)[:200]
    return base if base and base not in {".", ".."} else "upload"


def start_job(user: User, upload, options: Options) -> ImportJob:
    """Keep an upload on disk and queue its preview. ``upload`` is a werkzeug FileStorage.
    Flushes; the caller commits and then calls :func:`launch`."""
    _clean_old_uploads()
    filename = safe_filename(upload.filename)
    folder = upload_dir() / uuid.uuid4().hex
    folder.mkdir()
    stored = folder / filename
    upload.save(stored)
    job = ImportJob(
        user=user,
        filename=filename,
        stored_path=str(stored),
        phase="preview",
        status="queued",
        options={
            "kind": options.kind,
            "profile": options.profile,
            "sheet": options.sheet,
            "period": options.period,
            "currency": options.currency,
        },
    )
    db.session.add(job)
    db.session.flush()
    return job


def confirm_job(job: ImportJob, skip_invalid: bool) -> ImportJob:
    """Queue the import of a previewed upload.

    Raises:
        ServiceError: the job is not a finished preview (already imported, still running).
    """
    _check_waiting(job)
    job.phase, job.status = "import", "queued"
    job.options = {**job.options, "skip_invalid": bool(skip_invalid)}
    job.done_rows = 0
    db.session.flush()
    return job


def choose_columns(job: ImportJob, columns: dict[str, str]) -> ImportJob:
    """Queue the preview of an upload again, reading the columns the user chose (field name
    → header; an empty header leaves the field unread) as the kind the first preview found.
    Flushes; the caller commits and then calls :func:`launch`.

    Raises:
        ServiceError: the job is not a finished preview, or its upload is no longer kept.
    """
    _check_waiting(job)
    kind = (job.report or {}).get("kind") or job.options.get("kind")
    job.options = {**job.options, "kind": kind, "columns": columns}
    job.status, job.report, job.done_rows = "queued", None, 0
    db.session.flush()
    return job


def _check_waiting(job: ImportJob) -> None:
    """Refuse a job that is not a finished preview whose upload is still kept."""
    if job.phase != "preview" or job.status != "done":
        raise ServiceError(N_("This upload is not waiting for confirmation."))
    if not Path(job.stored_path).exists():
        raise ServiceError(N_("The uploaded file is no longer kept; upload it again."))


def launch(app: Flask, job_id: int) -> None:
    """Run a queued job: in a background thread, or at once when ``IMPORT_JOBS_INLINE`` is
    set (tests, whose database connection cannot be shared with a thread)."""
    if app.config.get("IMPORT_JOBS_INLINE"):
        run_job(app, job_id)
        return
    thread = threading.Thread(
        target=run_job, args=(app, job_id), name=f"insyn-import-{job_id}", daemon=True
    )
    thread.start()


def run_job(app: Flask, job_id: int) -> None:
    """Do one job's work with its own session; record the outcome (or the failure) on the job."""
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        if job is None or job.status != "queued":
            return
        job.status = "running"
        db.session.commit()
        user = job.user
        options = Options(
            **{k: v for k, v in job.options.items() if k in Options.__dataclass_fields__}
        )
        options.dry_run = job.phase == "preview"
        progress = _ProgressWriter(app, job_id)
        try:
            with audit.acting_as(audit.Actor.for_user(user, origin="import")):
                report = run_import(Path(job.stored_path), job.filename, options, progress)
            if report.written:
                db.session.commit()
            else:
                db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            job.report = report.to_dict()
            job.batch_id = report.batch_id
            job.status = "done"
            job.done_rows = job.total_rows = report.rows_read
            db.session.commit()
            if job.phase == "import" or report.status in ("unreadable", "duplicate"):
                _discard_upload(job)
        except Exception:
            log.exception("import job %s failed", job_id)
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            job.status = "failed"
            job.error = "unexpected"
            db.session.commit()
        finally:
            _live_progress.pop(job_id, None)


class _ProgressWriter:
    """Records a job's progress: in memory at once, in the database at most twice a second
    through a connection of its own (skipped while the database's write lock is taken)."""

    def __init__(self, app: Flask, job_id: int) -> None:
        self.app = app
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        _live_progress[self.job_id] = (done, total)
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and done < total:
            return
        self.last = now
        engine = db.engine
        if not isinstance(engine, sa.Engine):
            return  # a connection lent by the caller (tests): it cannot be shared
        try:
            with engine.connect() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA busy_timeout = 50")
                connection.execute(
                    sa.update(ImportJob)
                    .where(ImportJob.id == self.job_id)
                    .values(done_rows=done, total_rows=total, updated_at=utcnow())
                )
                connection.commit()
        except sa.exc.OperationalError:
            pass  # SQLite's write lock belongs to the import; the memory copy serves meanwhile


def progress_of(job: ImportJob) -> tuple[int, int]:
    """Rows done and in all, the freshest known."""
    return _live_progress.get(job.id, (job.done_rows, job.total_rows))


def is_stale(job: ImportJob) -> bool:
    return (
        job.status in ("queued", "running")
        and job.id not in _live_progress
        and utcnow() - job.updated_at > STALE_AFTER
    )


def _discard_upload(job: ImportJob) -> None:
    shutil.rmtree(Path(job.stored_path).parent, ignore_errors=True)


def _clean_old_uploads(older_than: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Remove uploads left unconfirmed for a day."""
    limit = time.time() - older_than.total_seconds()
    for folder in upload_dir().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


# --- batches ----------------------------------------------------------------------------------


def batches():
    """Every import batch, newest first (the demo data included)."""
    return (
        sa.select(ImportBatch)
        .options(selectinload(ImportBatch.user))
        .order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc())
    )


def undo_batch(batch: ImportBatch, reason: str) -> int:
    """Undo an import: every record it created is voided (not erased) with an audit event
    each, and the batch is marked undone, so the file can be imported again. Returns how
    many records were voided.

    Raises:
        ServiceError: the batch is already undone, or no reason is given.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Say why the import is undone."), field="reason")
    if batch.is_undone:
        raise ServiceError(N_("This import is already undone."))
    actor = audit.current_actor()
    now = utcnow()
    why = f"{reason} (import {batch.id}, {batch.filename})"[:2000]
    voided = _void_invoices(batch, now, why, actor)
    for model in (Contract, ContractAmendment, Engagement):
        for record in db.session.scalars(
            sa.select(model).where(model.import_batch_id == batch.id, model.voided_at.is_(None))
        ):
            record.voided_at, record.void_reason = now, why
            voided += 1
    batch.undone_at, batch.undone_by = now, actor.label[:300]
    db.session.flush()
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "occurred_at": now,
                "actor_id": actor.user_id,
                "actor": actor.label[:300],
                "origin": actor.origin,
                "via_token": actor.via_token,
                "record_type": "import_batches",
                "record_id": batch.id,
                "record_label": batch.filename[:400],
                "action": "void",
                "record_version": None,
                "changes": {
                    "undone_at": [None, now.isoformat()],
                    "reason": [None, reason],
                    "records": [None, voided],
                },
            }
        ],
    )
    return voided


def _void_invoices(batch: ImportBatch, now: dt.datetime, why: str, actor: audit.Actor) -> int:
    """Void the batch's live invoices in two statements (a million rows stay quick), with an
    audit event per invoice, written from the same rows."""
    live = sa.and_(Invoice.import_batch_id == batch.id, Invoice.voided_at.is_(None))
    changes = {"voided_at": [None, now.isoformat()], "void_reason": [None, why]}
    events = sa.select(
        sa.literal(now, AuditEvent.occurred_at.type).label("occurred_at"),
        sa.literal(actor.user_id, sa.Integer).label("actor_id"),
        sa.literal(actor.label[:300]).label("actor"),
        sa.literal(actor.origin).label("origin"),
        sa.literal("invoices").label("record_type"),
        Invoice.id.label("record_id"),
        sa.func.substr(Invoice.invoice_number, 1, 400).label("record_label"),
        sa.literal("void").label("action"),
        (Invoice.version + 1).label("record_version"),
        # A JSON bind, not CAST(text AS JSON): SQLite has no JSON type, gives such a cast
        # numeric affinity and stores 0; PostgreSQL gets a typed parameter.
        sa.literal(changes, AuditEvent.changes.type).label("changes"),
    ).where(live)
    columns = [
        "occurred_at",
        "actor_id",
        "actor",
        "origin",
        "record_type",
        "record_id",
        "record_label",
        "action",
        "record_version",
        "changes",
    ]
    db.session.execute(sa.insert(AuditEvent).from_select(columns, events))
    result = db.session.execute(
        sa.update(Invoice)
        .where(live)
        .values(voided_at=now, void_reason=why, version=Invoice.version + 1),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount
