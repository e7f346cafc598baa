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
from app.settings import with_rules
from app.web import voiding
from app.web.access import admin_required
from app.web.access import write_required
from app.web.audience import request_audience
from app.web.filters import date
from app.web.filters import money
from app.web.history import history_for
from app.web.income.forms import EngagementForm
from app.web.income.forms import RateCardForm
from app.web.keyset import list_name
from app.web.keyset import list_page
from app.web.listing import int_arg
from app.web.listing import sorting
from app.web.listing import status_arg
from app.web.listing import text_arg
from app.web.listing import year_arg
from app.web.saving import save

bp = Blueprint("income", __name__, url_prefix="/income")


def list_filters() -> service.EngagementFilters:
    """The engagement list's filters from the query string (the list and its exports)."""
    return service.EngagementFilters(
        year=year_arg(),
        q=text_arg("q"),
        batch_id=int_arg("batch"),
        status=status_arg(),
        audience=request_audience(),
    )


@bp.get("/")
def index():
    filters = list_filters()
    sort = sorting(service.SORTS, "first_day", descending=True)
    keys = service.engagement_keys(filters, sort.key, sort.descending)
    page = list_page(
        service.engagement_select(filters, sort.key, sort.descending),
        keys,
        list_name("engagements", sort.key, sort.descending, keys),
    )
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
    return render_template(
        "income/detail.html",
        engagement=engagement,
        history=history_for(engagement),
        restore=voiding.restore_form(engagement),
    )


def _rates():
    return db.session.scalars(service.rate_cards()).all()


@bp.route("/new", methods=["GET", "POST"])
@write_required
def create():
    form = EngagementForm()
    if form.validate_on_submit():
        engagement = save(form, lambda: service.create_engagement(with_rules(form.data)))
        if engagement is not None:
            flash(
                ngettext(
                    "Engagement saved: %(num)s started day, fee %(fee)s.",
                    "Engagement saved: %(num)s started days, fee %(fee)s.",
                    engagement.started_days,
                    fee=money(engagement.fee_amount, engagement.currency),
                ),
                "success",
            )
            return redirect(url_for(".detail", id=engagement.id))
    return render_template("income/form.html", form=form, engagement=None, rate_cards=_rates())


@bp.route("/<int:id>/edit", methods=["GET", "POST"])
@write_required
def edit(id: int):
    engagement = db.get_or_404(Engagement, id)
    form = EngagementForm(obj=engagement)
    if request.method == "GET":
        form.load(engagement)
    if form.validate_on_submit() and save(
        form, lambda: service.update_engagement(engagement, with_rules(form.data)), engagement
    ):
        flash(gettext("Changes saved."), "success")
        return redirect(url_for(".detail", id=engagement.id))
    return render_template(
        "income/form.html", form=form, engagement=engagement, rate_cards=_rates()
    )


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
    return render_template("income/rate_cards.html", rate_cards=_rates())


@bp.get("/rates/<int:id>")
def rate_card(id: int):
    card = db.get_or_404(RateCard, id)
    return render_template(
        "income/rate_card.html",
        card=card,
        history=history_for(card),
        restore=voiding.restore_form(card),
    )


@bp.route("/rates/new", methods=["GET", "POST"])
@admin_required
def create_rate_card():
    form = RateCardForm()
    if form.validate_on_submit() and save(
        form, lambda: service.create_rate_card(with_rules(form.data))
    ):
        flash(gettext("Day rate saved."), "success")
        return redirect(url_for(".rate_cards"))
    return render_template("income/rate_card_form.html", form=form, card=None)


@bp.route("/rates/<int:id>/edit", methods=["GET", "POST"])
@admin_required
def edit_rate_card(id: int):
    card = db.get_or_404(RateCard, id)
    form = RateCardForm(obj=card)
    if form.validate_on_submit() and save(
        form, lambda: service.update_rate_card(card, with_rules(form.data)), card
    ):
        flash(gettext("Day rate saved."), "success")
        return redirect(url_for(".rate_cards"))
    return render_template("income/rate_card_form.html", form=form, card=card)


@bp.route("/rates/<int:id>/void", methods=["GET", "POST"])
@admin_required
def void_rate_card(id: int):
    card = db.get_or_404(RateCard, id)
    return voiding.void_page(
        card,
        lambda reason, version: service.void_rate_card(card, reason, version),
        title=gettext("Void the day rate from %(start)s", start=date(card.valid_from)),
        summary=money(card.day_rate, card.currency),
        warning=gettext(
            "The engagements it priced take the rate in force on their first day instead."
        ),
        back_url=url_for(".rate_card", id=card.id),
        done=gettext("Day rate voided."),
    )


@bp.post("/rates/<int:id>/restore")
@admin_required
def restore_rate_card(id: int):
    card = db.get_or_404(RateCard, id)
    return voiding.restore_post(
        card,
        lambda version: service.restore_rate_card(card, version),
        back_url=url_for(".rate_card", id=card.id),
        done=voiding.restored_message(),
    )


@bp.route("/<int:id>/void", methods=["GET", "POST"])
@write_required
def void(id: int):
    engagement = db.get_or_404(Engagement, id)
    return voiding.void_page(
        engagement,
        lambda reason, version: service.void_engagement(engagement, reason, version),
        title=gettext("Void the engagement of %(day)s", day=date(engagement.first_day)),
        summary=f"{engagement.organiser_name} · {engagement.topic}",
        back_url=url_for(".detail", id=engagement.id),
        done=gettext("Engagement voided: its fee counts no more."),
    )


@bp.post("/<int:id>/restore")
@write_required
def restore(id: int):
    engagement = db.get_or_404(Engagement, id)
    return voiding.restore_post(
        engagement,
        lambda version: service.restore_engagement(engagement, version),
        back_url=url_for(".detail", id=engagement.id),
        done=voiding.restored_message(),
    )
