"""The front page, the search, the health check and the language switch."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from app import i18n
from app.extensions import db
from app.services import overview
from app.services.search import SHOWN
from app.services.search import search_everything
from app.services.year_flags import year_flags
from app.web.audience import request_audience
from app.web.listing import safe_next
from app.web.reports import present
from app.web.reports import report_charts

bp = Blueprint("main", __name__)


#: Flags the front page shows before pointing to the balance for the rest.
FRONT_PAGE_FLAGS = 6


@bp.get("/")
def index():
    """The years' costs against income (table and chart), what the latest year raises that
    still holds, and the counts of records."""
    years = overview.yearly_overview()
    # The latest year with costs or income: the overview's years are those.
    latest = max((row.year for row in years), default=None)
    flags = []
    if latest is not None:
        flags = [found for found in year_flags(latest, request_audience()) if found[0].is_current]
    # A chart per currency: amounts in different currencies are never drawn on one axis, and
    # none is left out (the currency most invoices are in first).
    counts: dict[str, int] = {}
    for row in years:
        counts[row.currency] = (
            counts.get(row.currency, 0) + row.invoice_count + row.engagement_count
        )
    currencies = sorted(counts, key=lambda c: (-counts[c], c))
    return render_template(
        "main/index.html",
        years=years,
        counts=overview.counts(),
        latest=latest,
        flags=[present.show_flag(*found) for found in flags[:FRONT_PAGE_FLAGS]],
        more_flags=max(0, len(flags) - FRONT_PAGE_FLAGS),
        charts=[(c, report_charts.balance_chart(years, c)) for c in currencies],
    )


@bp.get("/search")
def search():
    """``?q=``: vendors, contracts, invoices and fee income holding the text, with sums and
    links to the full lists."""
    result = search_everything(request.args.get("q"), request_audience())
    return render_template("main/search.html", result=result, shown=SHOWN)


@bp.get("/healthz")
def health():
    """For a load balancer or a monitor: 200 when the database answers, 503 when it does
    not. Says nothing else about the installation."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.get("/language/<code>")
def language(code: str):
    """Switch the interface language and go back where the user was."""
    response = redirect(safe_next() or url_for("main.index"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response
