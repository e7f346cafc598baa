"""Imports through the API: a file sent as multipart/form-data is read and checked in the
background (the preview), then written once confirmed, as on the import page. The answer
gives the job's status address to follow."""

from __future__ import annotations

from flask import current_app
from flask import jsonify
from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.importing.plan import Options
from app.models import ImportJob
from app.services import imports as import_service
from app.services.changes import DataVersion
from app.web.access import current_token
from app.web.api import bp
from app.web.api import write_schemas
from app.web.api.problems import problem
from app.web.api.saving import form_data
from app.web.api.saving import idempotent
from app.web.api.saving import json_body
from app.web.api.saving import refuse_invalid
from app.web.api.saving import save
from app.web.api.saving import write_required
from app.web.api.spec import operation
from app.web.http_cache import own_validator
from app.web.imports import jobs
from app.web.imports.forms import ConfirmImportForm
from app.web.imports.forms import UploadForm

UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream"},
        "kind": {"type": "string", "enum": ["", "invoices", "contracts", "engagements"]},
        "profile": {"type": "string", "description": "an import profile, or auto"},
        "sheet": {"type": "string"},
        "period": {"type": "string", "description": "YYYY-MM, for a file without dates"},
        "currency": {"type": "string", "description": "for a file that does not say"},
    },
}
UPLOAD_FIELDS = {"file": "file", "kind": "kind", "profile": "profile", "sheet": "sheet"}


def _job_json(job: ImportJob) -> dict:
    done, total = jobs.progress_of(job)
    return {
        "id": job.id,
        "phase": job.phase,
        "status": job.status,
        "filename": job.filename,
        "done": done,
        "total": total,
        "stale": jobs.is_stale(job),
        "report": job.report,
        "error": job.error,
        "batch_id": job.batch_id,
        "status_url": url_for("api.import_job", id=job.id, _external=True),
        "confirm_url": url_for("api.confirm_import", id=job.id, _external=True),
    }


def _location(job: ImportJob) -> str:
    return url_for("api.import_job", id=job.id, _external=True)


@bp.post("/imports")
@operation(
    "Send a file to import: it is read and checked first; confirm to write it",
    tag="Imports",
    multipart=UPLOAD,
    responses={202: write_schemas.ImportJobSchema, 400: None, 403: None, 413: None, 422: None},
    write=True,
)
@write_required
@idempotent
def upload():
    form = UploadForm(meta={"csrf": False})
    if not form.validate():
        return refuse_invalid(form, UPLOAD_FIELDS)
    options = Options(
        kind=form.kind.data or None,
        profile=form.profile.data or "auto",
        sheet=form.sheet.data or None,
        period=form.period.data or None,
        currency=(form.currency.data or "").upper() or None,
    )
    user = current_user._get_current_object()
    started: list[int] = []

    def start() -> ImportJob:
        job = jobs.start_job(user, form.file.data, options)
        started.append(job.id)
        return job

    response = save(start, _job_json, 202, _location)
    if started and response.status_code == 202:
        # Only the id crosses over: the job runs with a session of its own.
        jobs.launch(current_app._get_current_object(), started[0])
    return response


def _own_job(id: int) -> ImportJob | None:
    """A job, for the account that started it, auditors and administrators."""
    job = db.get_or_404(ImportJob, id)
    if job.user_id == current_user.id or current_user.can_read_history:
        return jobs.settle(job)
    return None


@own_validator("imports.job_status")  # the import page's progress bar, too
@own_validator("api.import_job")
def _job_version(id: int) -> DataVersion:
    job = db.session.get(ImportJob, id)
    if job is None:
        return DataVersion("none", None)
    job = jobs.settle(job)  # a job whose worker died is failed, not running still
    done, total = jobs.progress_of(job)
    return DataVersion(f"job.{job.id}.{job.status}.{job.phase}.{done}.{total}", job.updated_at)


@bp.get("/imports/<id:id>")
@operation(
    "An import job's status and, when done, its report",
    tag="Imports",
    responses={200: write_schemas.ImportJobSchema, 403: None},
    write=True,
)
def import_job(id: int):
    if current_token() is None or not current_user.is_authenticated:
        return problem(401, gettext("An import job is read with a token."))
    job = _own_job(id)
    if job is None:
        return problem(403, gettext("This import job is another account's."))
    return jsonify(_job_json(job))


@bp.post("/imports/<id:id>/confirm")
@operation(
    "Write a checked import (optionally leaving out the rows it rejected, or confirming that "
    "the file is right about payments in advance or an unusual VAT)",
    tag="Imports",
    body=write_schemas.Schema.from_dict(
        {
            "skip_invalid": write_schemas.fields.Boolean(),
            "accept_prepaid": write_schemas.fields.Boolean(),
            "accept_vat": write_schemas.fields.Boolean(),
        },
        name="ConfirmImport",
    ),
    responses={202: write_schemas.ImportJobSchema, 400: None, 403: None, 415: None, 422: None},
    write=True,
)
@write_required
def confirm_import(id: int):
    job = _own_job(id)
    if job is None:
        return problem(403, gettext("This import job is another account's."))
    names = {name: name for name in ("skip_invalid", "accept_prepaid", "accept_vat")}
    form = ConfirmImportForm(formdata=form_data(json_body(), names), meta={"csrf": False})
    if not form.validate():
        return refuse_invalid(form, names)
    job_id = job.id
    response = save(
        lambda: import_service.confirm_job(job, form.skip_invalid.data, form.accepted()),
        _job_json,
        202,
        _location,
    )
    if response.status_code == 202:
        jobs.launch(current_app._get_current_object(), job_id)
    return response
