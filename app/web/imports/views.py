"""Import pages: upload → preview (mapping, first rows, problems, totals) → confirm; the
progress of a running job; an import batch with its records; undoing a batch."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import ngettext
from flask_login import current_user

from app.extensions import db
from app.importing import headers as header_map
from app.importing.plan import Options
from app.models import Contract
from app.models import Engagement
from app.models import ImportBatch
from app.models import ImportJob
from app.models import Invoice
from app.services import imports as service
from app.services.errors import ServiceError
from app.web.access import admin_required
from app.web.access import write_required
from app.web.feedback import show_on_form
from app.web.imports.forms import ColumnsForm
from app.web.imports.forms import ConfirmImportForm
from app.web.imports.forms import UndoForm
from app.web.imports.forms import UploadForm
from app.web.listing import paginate

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.get("/")
def index():
    return render_template(
        "imports/index.html",
        page=paginate(service.batches()),
        form=UploadForm() if current_user.is_authenticated and current_user.can_write else None,
    )


@bp.post("/")
@write_required
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template(
            "imports/index.html", page=paginate(service.batches()), form=form
        ), 400
    options = Options(
        kind=form.kind.data or None,
        profile=form.profile.data or "auto",
        sheet=form.sheet.data or None,
        period=form.period.data or None,
        currency=(form.currency.data or "").upper() or None,
    )
    job_id = service.start_job(current_user._get_current_object(), form.file.data, options).id
    db.session.commit()
    # Only the id crosses over: the job runs with a session of its own.
    service.launch(current_app._get_current_object(), job_id)
    return redirect(url_for(".job", id=job_id))


def _own_job(id: int) -> ImportJob:
    """A job, readable by the one who started it, auditors and administrators."""
    job = db.get_or_404(ImportJob, id)
    if job.user_id != current_user.id and not current_user.can_read_history:
        from flask import abort

        abort(403)
    return job


@bp.get("/jobs/<int:id>")
@write_required
def job(id: int):
    job = _own_job(id)
    done, total = service.progress_of(job)
    return render_template(
        "imports/job.html",
        job=job,
        done=done,
        total=total,
        stale=service.is_stale(job),
        report=job.report,
        confirm_form=ConfirmImportForm(),
        columns_form=ColumnsForm(),
        fields=_column_fields(job.report),
    )


def _column_fields(report: dict | None) -> list[tuple[str, bool]]:
    """The fields of the report's kind a user may choose a column for, the needed ones first:
    (name, needed)."""
    kind = (report or {}).get("kind")
    if kind not in header_map.FIELDS or not (report or {}).get("headers"):
        return []
    needed = set(header_map.required_fields(kind))
    specs = sorted(header_map.FIELDS[kind], key=lambda spec: spec.name not in needed)
    return [(spec.name, spec.name in needed) for spec in specs]


@bp.post("/jobs/<int:id>/columns")
@write_required
def columns(id: int):
    """Preview the upload again, reading the columns chosen on the page."""
    job = _own_job(id)
    form = ColumnsForm()
    report = job.report or {}
    headers = set(report.get("headers") or [])
    if form.validate_on_submit():
        chosen = {}
        for name, _needed in _column_fields(report):
            value = request.form.get(f"column-{name}", "")
            if value and value not in headers:
                flash(gettext("The file has no column %(column)s.", column=value), "error")
                return redirect(url_for(".job", id=id))
            chosen[name] = value
        try:
            service.choose_columns(job, chosen)
        except ServiceError as error:
            db.session.rollback()
            flash(gettext(error.message, **error.params), "error")
        else:
            db.session.commit()
            service.launch(current_app._get_current_object(), id)
    return redirect(url_for(".job", id=id))


@bp.get("/jobs/<int:id>.json")
@write_required
def job_status(id: int):
    """The job's progress, for the page's progress bar."""
    job = _own_job(id)
    done, total = service.progress_of(job)
    return jsonify(
        id=job.id,
        phase=job.phase,
        status=job.status,
        done=done,
        total=total,
        stale=service.is_stale(job),
        url=url_for(".job", id=job.id),
    )


@bp.post("/jobs/<int:id>/confirm")
@write_required
def confirm(id: int):
    job = _own_job(id)
    form = ConfirmImportForm()
    if form.validate_on_submit():
        try:
            service.confirm_job(job, form.skip_invalid.data)
        except ServiceError as error:
            db.session.rollback()
            flash(gettext(error.message, **error.params), "error")
        else:
            db.session.commit()
            service.launch(current_app._get_current_object(), id)
    return redirect(url_for(".job", id=id))


@bp.get("/batches/<int:id>")
def batch(id: int):
    batch = db.get_or_404(ImportBatch, id)
    counts = {
        model.__tablename__: db.session.scalar(
            db.select(db.func.count()).select_from(model).where(model.import_batch_id == batch.id)
        )
        for model in (Invoice, Contract, Engagement)
    }
    can_undo = current_user.is_authenticated and current_user.is_admin and not batch.is_undone
    return render_template(
        "imports/batch.html", batch=batch, counts=counts, undo_form=UndoForm() if can_undo else None
    )


@bp.post("/batches/<int:id>/undo")
@admin_required
def undo(id: int):
    batch = db.get_or_404(ImportBatch, id)
    form = UndoForm()
    if form.validate_on_submit():
        try:
            voided = service.undo_batch(batch, form.reason.data)
        except ServiceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Import undone: %(num)s record voided.",
                    "Import undone: %(num)s records voided.",
                    voided,
                ),
                "success",
            )
            return redirect(url_for(".batch", id=batch.id))
    counts = {}
    return render_template("imports/batch.html", batch=batch, counts=counts, undo_form=form), 400
