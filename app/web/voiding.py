"""Voiding and restoring records from their pages: one form, one page and one button for
invoices, contracts, amendments, engagements and day rates, each calling its service."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app.web.fields import RecordForm
from app.web.saving import save


class VoidForm(RecordForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say why it is voided.")), Length(max=2000)],
        description=_l(
            "E.g. entered twice, wrong vendor. It stays on record, struck through, and leaves "
            "every total, flag and export; it can be restored."
        ),
        render_kw={"rows": 3},
    )


class RestoreForm(RecordForm):
    """A button that makes a voided record count again (its version guards against a stale
    page)."""


def void_page(
    record,
    action: Callable[[str, str | None], object],
    *,
    title: str,
    back_url: str,
    summary: str = "",
    warning: str | None = None,
    done: str,
):
    """The void page of ``record`` (GET) and its submission (POST): ``action(reason, version)``
    is the service call; on success flash ``done`` and go back to ``back_url``."""
    form = VoidForm(obj=record if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = None
    if form.validate_on_submit() and save(
        form, lambda: action(form.reason.data, form.version.data), record
    ):
        flash(done, "success")
        return redirect(back_url)
    return render_template(
        "void.html",
        form=form,
        record=record,
        title=title,
        back_url=back_url,
        summary=summary,
        warning=warning,
    )


def restore_post(record, action: Callable[[str | None], object], *, back_url: str, done: str):
    """A restore button's submission: ``action(version)`` is the service call."""
    form = RestoreForm()
    if form.validate_on_submit() and save(form, lambda: action(form.version.data), record):
        flash(done, "success")
    return redirect(back_url)


def restore_form(record) -> RestoreForm:
    """The restore button's form for ``record``'s page, carrying its version."""
    form = RestoreForm(formdata=None)
    form.version.data = str(record.version)
    return form


def restored_message() -> str:
    return gettext("Restored: it counts again.")
