"""Imports as records: the jobs a browser upload goes through, the batches imports wrote,
and undoing a batch (with what it created and nothing else uses).

Every function flushes and none commits: running a job, tracking its progress and committing
are the job runner's (``app.web.imports.jobs``) and the command line's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import audit
from app.extensions import db
from app.models import AuditEvent
from app.models import Category
from app.models import Contract
from app.models import ContractAmendment
from app.models import Department
from app.models import Engagement
from app.models import ImportBatch
from app.models import ImportJob
from app.models import Invoice
from app.models import User
from app.models import Vendor
from app.models import VendorAlias
from app.models.base import utcnow
from app.money import N_
from app.services import summaries
from app.services.errors import ServiceError

# --- jobs -------------------------------------------------------------------------------------


def create_job(user: User, filename: str, stored_path: Path, options: dict) -> ImportJob:
    """Record an upload kept at ``stored_path`` and queue its preview. Flushes; the caller
    commits and then starts the job."""
    job = ImportJob(
        user=user,
        filename=filename,
        stored_path=str(stored_path),
        phase="preview",
        status="queued",
        options=options,
    )
    db.session.add(job)
    db.session.flush()
    return job


def confirm_job(job: ImportJob, skip_invalid: bool, accept: tuple[str, ...] = ()) -> ImportJob:
    """Queue the import of a previewed upload; ``accept`` names the doubts the person
    confirmed the file is right about ("prepaid", "vat").

    Raises:
        ServiceError: the job is not a finished preview (already imported, still running).
    """
    _check_waiting(job)
    job.phase, job.status = "import", "queued"
    job.options = {**job.options, "skip_invalid": bool(skip_invalid), "accept": list(accept)}
    job.done_rows = 0
    db.session.flush()
    return job


def choose_columns(job: ImportJob, columns: dict[str, str]) -> ImportJob:
    """Queue the preview of an upload again, reading the columns the user chose (field name
    → header; an empty header leaves the field unread) as the kind the first preview found.
    Flushes; the caller commits and then starts the job.

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


# --- batches ----------------------------------------------------------------------------------


def batches():
    """Every import batch, newest first (the demo data included)."""
    return (
        sa.select(ImportBatch)
        .options(selectinload(ImportBatch.user))
        .order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc())
    )


def record_counts(batch: ImportBatch) -> dict[str, int]:
    """How many invoices, contracts and engagements the batch created, by table."""
    return {
        model.__tablename__: db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.import_batch_id == batch.id)
        )
        for model in (Invoice, Contract, Engagement)
    }


def undo_batch(batch: ImportBatch, reason: str) -> int:
    """Undo an import: every record it created is voided (not erased) with an audit event
    each; the other spellings it added are removed; the vendors, categories and departments
    it created that nothing outside it uses are withdrawn (deleted when nothing at all points
    at them, else kept out of lists until used again); and the batch's sheets are released,
    so the file can be imported again. Returns how many records were voided.

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
    withdrawn = _withdraw_created(batch, now)
    batch.undone_at, batch.undone_by = now, actor.label[:300]
    for sheet in batch.sheets:
        sheet.is_live = None
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
                    "withdrawn": [None, withdrawn],
                },
            }
        ],
    )
    return voided


#: What points at each kind of entry an import creates: (model, its column).
_USERS = {
    Vendor: ((Invoice, Invoice.vendor_id), (Contract, Contract.vendor_id)),
    Category: ((Invoice, Invoice.category_id),),
    Department: ((Invoice, Invoice.department_id),),
}


def _withdraw_created(batch: ImportBatch, now: dt.datetime) -> dict[str, int]:
    """Withdraw what the batch created that nothing outside it uses (each change audited):
    entries nothing points at are deleted, entries only the batch's own (voided) records
    point at are marked withdrawn. Returns the counts by table."""
    counts: dict[str, int] = {}
    for alias in db.session.scalars(
        sa.select(VendorAlias).where(VendorAlias.import_batch_id == batch.id)
    ):
        alias.vendor.aliases.remove(alias)  # a change of the vendor, in its history
        counts["vendor_aliases"] = counts.get("vendor_aliases", 0) + 1
    db.session.flush()
    for model, users in _USERS.items():
        for entry in db.session.scalars(
            sa.select(model).where(model.import_batch_id == batch.id, model.withdrawn_at.is_(None))
        ):
            elsewhere = any(
                db.session.scalar(
                    sa.select(sa.literal(True)).where(
                        column == entry.id,
                        sa.or_(user.import_batch_id.is_(None), user.import_batch_id != batch.id),
                    )
                )
                for user, column in users
            )
            if elsewhere or (
                model is Vendor
                and any(alias.import_batch_id != batch.id for alias in entry.aliases)
            ):
                continue
            ours = any(
                db.session.scalar(sa.select(sa.literal(True)).where(column == entry.id))
                for _user, column in users
            )
            if ours:
                entry.withdrawn_at = now
            else:
                db.session.delete(entry)
            counts[model.__tablename__] = counts.get(model.__tablename__, 0) + 1
    db.session.flush()
    return counts


def _of_batch(batch: ImportBatch) -> sa.ColumnElement[bool]:
    """The batch's invoices, also bounded by the range of ids they hold (read from the index
    on the batch, each end one lookup). The statements that void them group and copy their
    rows: by the batch alone a database may read the whole table for each (SQLite does, when
    its statistics say most rows share one batch), by the range it reads only theirs."""
    first, last = (
        sa.select(agg(Invoice.id)).where(Invoice.import_batch_id == batch.id).scalar_subquery()
        for agg in (sa.func.min, sa.func.max)
    )
    low, high = db.session.execute(sa.select(first, last)).one()
    if low is None:
        return sa.false()
    return sa.and_(Invoice.import_batch_id == batch.id, Invoice.id.between(low, high))


def _void_invoices(batch: ImportBatch, now: dt.datetime, why: str, actor: audit.Actor) -> int:
    """Void the batch's live invoices in two statements (a million rows stay quick), with an
    audit event per invoice, written from the same rows."""
    live = sa.and_(_of_batch(batch), Invoice.voided_at.is_(None))
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
    # The voided rows leave the summaries in one grouped statement, not row by row.
    summaries.remove(live)
    result = db.session.execute(
        sa.update(Invoice)
        .where(live)
        .values(voided_at=now, void_reason=why, version=Invoice.version + 1),
        execution_options={"synchronize_session": False, "summaries": "kept"},
    )
    return result.rowcount
