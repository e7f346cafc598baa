"""Import pages: upload → preview (mapping, currency, sheets, first rows, problems, totals) →
confirm; the progress of a running job; choosing columns and keeping them as a layout; an
import batch with its records; undoing a batch."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
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
from app.importing import saved
from app.importing.plan import Options
from app.importing.summary import doubts_in
from app.models import ImportBatch
from app.models import ImportJob
from app.services import imports as service
from app.web.access import admin_required
from app.web.access import write_required
from app.web.imports import jobs
from app.web.imports.forms import ColumnsForm
from app.web.imports.forms import ConfirmImportForm
from app.web.imports.forms import DeleteLayoutForm
from app.web.imports.forms import SaveLayoutForm
from app.web.imports.forms import UndoForm
from app.web.imports.forms import UploadForm
from app.web.listing import paginate
from app.web.saving import save

bp = Blueprint("imports", __name__, url_prefix="/imports")


def _index(form, status: int = 200):
    return render_template(
        "imports/index.html",
        page=paginate(service.batches()),
        form=form,
        layouts=db.session.scalars(saved.saved_layouts()).all(),
        default_currency=current_app.config.get("DEFAULT_CURRENCY", "SEK"),
        delete_form=DeleteLayoutForm()
        if current_user.is_authenticated and current_user.is_admin
        else None,
    ), status


@bp.get("/")
def index():
    writer = current_user.is_authenticated and current_user.can_write
    return _index(UploadForm() if writer else None)


@bp.post("/")
@write_required
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    options = Options(
        kind=form.kind.data or None,
        profile=form.profile.data or "auto",
        sheet=form.sheet.data or None,
        period=form.period.data or None,
        currency=(form.currency.data or "").upper() or None,
    )
    user = current_user._get_current_object()
    # Only the id crosses over (read before the commit): the job runs with a session of its
    # own.
    job_id = save(form, lambda: jobs.start_job(user, form.file.data, options).id)
    if job_id is None:
        return _index(form, 400)
    jobs.launch(current_app._get_current_object(), job_id)
    return redirect(url_for(".job", id=job_id))


def _own_job(id: int) -> ImportJob:
    """A job, readable by the one who started it, auditors and administrators; marked failed
    if its worker died."""
    job = db.get_or_404(ImportJob, id)
    if job.user_id != current_user.id and not current_user.can_read_history:
        abort(403)
    return jobs.settle(job)


@bp.get("/jobs/<int:id>")
@write_required
def job(id: int):
    job = _own_job(id)
    done, total = jobs.progress_of(job)
    report = job.report
    return render_template(
        "imports/job.html",
        job=job,
        done=done,
        total=total,
        stale=jobs.is_stale(job),
        report=report,
        doubts=doubts_in((report or {}).get("issues") or []),
        confirm_form=ConfirmImportForm(),
        columns_form=ColumnsForm(),
        layout_form=SaveLayoutForm(
            formdata=None,
            name=saved.suggested_name(job.filename),
            title=job.filename,
        ),
        fields=_column_fields(report),
        samples={c["header"]: c["samples"] for c in (report or {}).get("columns") or []},
    )


def _column_fields(report: dict | None) -> list[tuple[str, bool]]:
    """The fields of the report's kind a user may choose a column for, the needed ones first:
    (name, needed)."""
    kind = (report or {}).get("kind")
    if kind not in header_map.FIELDS or not (report or {}).get("headers"):
        return []
    needed = set(header_map.required_fields(kind)) | set(header_map.DATE_GROUP.get(kind, ()))
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
        if save(form, lambda: service.choose_columns(job, chosen)) is not None:
            jobs.launch(current_app._get_current_object(), id)
    return redirect(url_for(".job", id=id))


@bp.get("/jobs/<int:id>.json")
@write_required
def job_status(id: int):
    """The job's progress, for the page's progress bar."""
    job = _own_job(id)
    done, total = jobs.progress_of(job)
    return jsonify(
        id=job.id,
        phase=job.phase,
        status=job.status,
        done=done,
        total=total,
        stale=jobs.is_stale(job),
        url=url_for(".job", id=job.id),
    )


@bp.post("/jobs/<int:id>/confirm")
@write_required
def confirm(id: int):
    job = _own_job(id)
    form = ConfirmImportForm()
    if form.validate_on_submit() and save(
        form, lambda: service.confirm_job(job, form.skip_invalid.data, form.accepted())
    ):
        jobs.launch(current_app._get_current_object(), id)
    return redirect(url_for(".job", id=id))


@bp.post("/jobs/<int:id>/layout")
@write_required
def save_layout(id: int):
    """Keep the columns the preview read as a named layout."""
    job = _own_job(id)
    form = SaveLayoutForm()
    if form.validate_on_submit():
        layout = save(
            form,
            lambda: saved.save_layout(
                current_user._get_current_object(), form.data, job.report or {}
            ),
        )
        if layout is not None:
            flash(
                gettext(
                    "Layout %(name)s saved: files with these columns import with no questions.",
                    name=layout.name,
                ),
                "success",
            )
            return redirect(url_for(".job", id=id))
    for field_errors in form.errors.values():
        for error in field_errors:
            flash(error, "error")
    return redirect(url_for(".job", id=id))


@bp.get("/layouts/<name>.toml")
def layout_toml(name: str):
    """A saved layout as a TOML profile for ``imports/profiles/``."""
    layout = saved.layout_named(name)
    if layout is None:
        abort(404)
    return Response(
        saved.layout_toml(layout),
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{layout.name}.toml"'},
    )


@bp.post("/layouts/<name>/delete")
@admin_required
def delete_layout(name: str):
    layout = saved.layout_named(name)
    if layout is None:
        abort(404)
    form = DeleteLayoutForm()
    if form.validate_on_submit() and save(form, lambda: saved.delete_layout(layout)):
        flash(gettext("Layout %(name)s deleted.", name=name), "success")
    return redirect(url_for(".index"))


@bp.get("/batches/<int:id>")
def batch(id: int):
    batch = db.get_or_404(ImportBatch, id)
    can_undo = current_user.is_authenticated and current_user.is_admin and not batch.is_undone
    return render_template(
        "imports/batch.html",
        batch=batch,
        counts=service.record_counts(batch),
        undo_form=UndoForm() if can_undo else None,
    )


@bp.post("/batches/<int:id>/undo")
@admin_required
def undo(id: int):
    batch = db.get_or_404(ImportBatch, id)
    form = UndoForm()
    if form.validate_on_submit():
        voided = save(form, lambda: service.undo_batch(batch, form.reason.data))
        if voided is not None:
            flash(
                ngettext(
                    "Import undone: %(num)s record voided.",
                    "Import undone: %(num)s records voided.",
                    voided,
                ),
                "success",
            )
            return redirect(url_for(".batch", id=batch.id))
    return render_template("imports/batch.html", batch=batch, counts={}, undo_form=form), 400
