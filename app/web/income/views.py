"""Income pages: engagements (lecture fees) and the rate cards that price them."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import ngettext

from app.extensions import db
from app.models import Engagement
from app.models import RateCard
from app.services import income as service
from app.services.errors import ServiceError
from app.web.feedback import show_on_form
from app.web.fields import ConfirmForm
from app.web.income.forms import EngagementForm
from app.web.income.forms import RateCardForm
from app.web.listing import paginate
from app.web.listing import sorting
from app.web.listing import text_arg
from app.web.listing import year_arg

bp = Blueprint("income", __name__, url_prefix="/income")


@bp.get("/")
def index():
    filters = service.EngagementFilters(year=year_arg(), q=text_arg("q"))
    sort = sorting(service.SORTS, "first_day", descending=True)
    page = paginate(service.engagement_select(filters, sort.key, sort.descending))
    return render_template(
        "income/index.html",
        page=page,
        filters=filters,
        sort=sort,
        totals=service.engagement_totals(filters),
        years=service.engagement_years(),
    )


@bp.get("/<int:id>")
def detail(id: int):
    engagement = db.get_or_404(Engagement, id)
    return render_template("income/detail.html", engagement=engagement)


def _rates():
    return db.session.scalars(service.rate_cards()).all()


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = EngagementForm()
    if form.validate_on_submit():
        try:
            engagement = service.create_engagement(form.data)
        except ServiceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Engagement saved: %(num)s started day, fee %(fee)s.",
                    "Engagement saved: %(num)s started days, fee %(fee)s.",
                    engagement.started_days,
                    fee=_money(engagement),
                ),
                "success",
            )
            return redirect(url_for(".detail", id=engagement.id))
    return render_template("income/form.html", form=form, engagement=None, rate_cards=_rates())


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
def edit(id: int):
    engagement = db.get_or_404(Engagement, id)
    form = EngagementForm(obj=engagement)
    if request.method == "GET" and not engagement.rate_override_reason:
        form.day_rate.data = None  # the card's rate is not an override
    if form.validate_on_submit():
        try:
            service.update_engagement(engagement, form.data)
        except ServiceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(gettext("Changes saved."), "success")
            return redirect(url_for(".detail", id=engagement.id))
    return render_template(
        "income/form.html", form=form, engagement=engagement, rate_cards=_rates()
    )


def _money(engagement: Engagement) -> str:
    from app.web.filters import money

    return money(engagement.fee_amount, engagement.currency)


@bp.get("/rates/on.json")
def rate_on():
    """The day rate in force on ``?day=YYYY-MM-DD`` (for the engagement form)."""
    try:
        day = dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return jsonify(error=gettext("Give a date as YYYY-MM-DD.")), 400
    card = service.rate_card_on(day)
    if card is None:
        return jsonify(day=day.isoformat(), day_rate=None)
    return jsonify(
        day=day.isoformat(),
        day_rate=str(card.day_rate),
        currency=card.currency,
        valid_from=card.valid_from.isoformat(),
        valid_to=card.valid_to.isoformat() if card.valid_to else None,
    )


@bp.get("/rates/")
def rate_cards():
    return render_template("income/rate_cards.html", rate_cards=_rates(), delete_form=ConfirmForm())


@bp.route("/rates/new", methods=["GET", "POST"])
def create_rate_card():
    form = RateCardForm()
    if form.validate_on_submit():
        try:
            service.create_rate_card(form.data)
        except ServiceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(gettext("Day rate saved."), "success")
            return redirect(url_for(".rate_cards"))
    return render_template("income/rate_card_form.html", form=form, card=None)


@bp.route("/rates/<int:id>/edit", methods=["GET", "POST"])
def edit_rate_card(id: int):
    card = db.get_or_404(RateCard, id)
    form = RateCardForm(obj=card)
    if form.validate_on_submit():
        try:
            service.update_rate_card(card, form.data)
        except ServiceError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            db.session.commit()
            flash(gettext("Day rate saved."), "success")
            return redirect(url_for(".rate_cards"))
    return render_template("income/rate_card_form.html", form=form, card=card)


@bp.post("/rates/<int:id>/delete")
def delete_rate_card(id: int):
    card = db.get_or_404(RateCard, id)
    if ConfirmForm().validate_on_submit():
        try:
            service.delete_rate_card(card)
        except ServiceError as error:
            db.session.rollback()
            flash(gettext(error.message, **error.params), "error")
        else:
            db.session.commit()
            flash(gettext("Day rate removed."), "success")
    return redirect(url_for(".rate_cards"))
