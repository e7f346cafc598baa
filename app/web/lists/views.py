"""The managed lists: categories and departments (administrators keep them)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services import lists as service
from app.web.access import admin_required
from app.web.history import history_for
from app.web.lists.forms import EntryForm
from app.web.saving import save

bp = Blueprint("lists", __name__, url_prefix="/lists")

TITLES = {"categories": _l("Categories"), "departments": _l("Departments")}
NEW_TITLES = {"categories": _l("New category"), "departments": _l("New department")}


def _model(kind: str):
    model = service.LIST_MODELS.get(kind)
    if model is None:
        abort(404)
    return model


@bp.get("/")
def index():
    tables = {
        kind: [
            (entry, service.usage_count(entry))
            for entry in db.session.scalars(service.ordered(model))
        ]
        for kind, model in service.LIST_MODELS.items()
    }
    return render_template("lists/index.html", tables=tables, titles=TITLES)


@bp.get("/<kind>/<int:id>")
def entry(kind: str, id: int):
    record = db.get_or_404(_model(kind), id)
    return render_template(
        "lists/entry.html",
        entry=record,
        kind=kind,
        used=service.usage_count(record),
        history=history_for(record),
    )


@bp.route("/<kind>/new", methods=["GET", "POST"])
@admin_required
def create(kind: str):
    model = _model(kind)
    form = EntryForm()
    if form.validate_on_submit():
        entry = save(form, lambda: service.create_entry(model, form.data))
        if entry is not None:
            flash(gettext("“%(name)s” added.", name=entry.name), "success")
            return redirect(url_for(".index") + f"#{kind}")
    return render_template(
        "lists/form.html", form=form, kind=kind, entry=None, new_title=NEW_TITLES[kind]
    )


@bp.route("/<kind>/<int:id>/edit", methods=["GET", "POST"])
@admin_required
def edit(kind: str, id: int):
    entry = db.get_or_404(_model(kind), id)
    form = EntryForm(obj=entry)
    if form.validate_on_submit() and save(
        form, lambda: service.update_entry(entry, form.data), entry
    ):
        flash(gettext("Changes saved."), "success")
        return redirect(url_for(".index") + f"#{kind}")
    return render_template(
        "lists/form.html",
        form=form,
        kind=kind,
        entry=entry,
        new_title=NEW_TITLES[kind],
    )
