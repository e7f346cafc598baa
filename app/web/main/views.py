"""The front page and the language switch."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from app import i18n
from app.services import overview

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template(
        "main/index.html", years=overview.yearly_overview(), counts=overview.counts()
    )


@bp.get("/language/<code>")
def language(code: str):
    """Switch the interface language and go back where the user was."""
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response
