"""Direct-award thresholds and the amendment review share: everyone reads them (flags depend
on them), administrators keep them."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext

from app.extensions import db
from app.models import DirectAwardThreshold
from app.services import flag_rules
from app.services import thresholds as service
from app.web.access import admin_required
from app.web.fields import ConfirmForm
from app.web.filters import percent
from app.web.history import history_for
from app.web.saving import save
from app.web.thresholds.forms import ReviewShareForm
from app.web.thresholds.forms import ThresholdForm

bp = Blueprint("thresholds", __name__, url_prefix="/reports/thresholds")


@bp.get("/")
def index():
    rules = flag_rules.flag_rules()
    return render_template(
        "thresholds/index.html",
        thresholds=list(reversed(rules.thresholds)),
        review_percent=rules.review_percent,
        delete_form=ConfirmForm(),
    )


@bp.get("/<int:id>")
def detail(id: int):
    threshold = db.get_or_404(DirectAwardThreshold, id)
    return render_template(
        "thresholds/detail.html", threshold=threshold, history=history_for(threshold)
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = ThresholdForm()
    if form.validate_on_submit() and save(form, lambda: service.create_threshold(form.data)):
        flash(gettext("Threshold saved."), "success")
        return redirect(url_for(".index"))
    return render_template("thresholds/form.html", form=form, threshold=None)


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@admin_required
def edit(id: int):
    threshold = db.get_or_404(DirectAwardThreshold, id)
    form = ThresholdForm(obj=threshold)
    if form.validate_on_submit() and save(
        form, lambda: service.update_threshold(threshold, form.data), threshold
    ):
        flash(gettext("Threshold saved."), "success")
        return redirect(url_for(".index"))
    return render_template("thresholds/form.html", form=form, threshold=threshold)


@bp.post("/<int:id>/delete")
@admin_required
def delete(id: int):
    threshold = db.get_or_404(DirectAwardThreshold, id)
    form = ConfirmForm()
    if form.validate_on_submit() and save(
        form, lambda: service.delete_threshold(threshold), threshold
    ):
        flash(gettext("Threshold removed."), "success")
    return redirect(url_for(".index"))


@bp.route("/review-share", methods=["GET", "POST"])
@admin_required
def edit_review_share():
    """Change the amendment review share; every contract's stored flags follow in the same
    transaction."""
    settings = flag_rules.flag_settings()
    if settings is None:  # the migrations make the row; only a change past Insyn removes it
        abort(404)
    form = ReviewShareForm(obj=settings)
    if form.validate_on_submit() and save(
        form, lambda: flag_rules.update_review_share(settings, form.data), settings
    ):
        flash(
            gettext(
                "Amendment review share saved: amendments raising a ceiling by more than "
                "%(share)s are flagged.",
                share=percent(settings.amendment_review_percent),
            ),
            "success",
        )
        return redirect(url_for(".index"))
    return render_template(
        "thresholds/review_share.html", form=form, settings=settings, history=history_for(settings)
    )
