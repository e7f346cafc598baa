"""Friendly error pages: no traceback ever reaches a user."""

from __future__ import annotations

import logging

from flask import Flask
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

log = logging.getLogger(__name__)

#: Headline and explanation per status, in the user's language.
MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("Something in the address or the form was not as expected. Go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (
        _l("Not found"),
        _l(
            "There is nothing at this address. It may have been mistyped, "
            "or the record may not exist."
        ),
    ),
    405: (_l("Not allowed here"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("The file is larger than Insyn accepts.")),
    429: (
        _l("Too many requests"),
        _l("This address has sent more requests than Insyn answers in a while. Wait and retry."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "Insyn could not finish this request. Nothing was saved. "
            "Try again, and tell the administrator if it happens again."
        ),
    ),
}


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, detail: str | None = None):
    """A page (or JSON body, or a problem on the API) for ``status`` in the user's language."""
    title, text = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    if request.path.startswith("/api/"):
        from app.web.api.problems import problem

        return problem(status, detail or str(text), title=str(title))
    if _wants_json():
        return jsonify(error=str(title), detail=detail or str(text)), status
    return render_template(
        "errors/error.html", status=status, title=title, text=text, detail=detail
    ), status


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.before_request
    def _refuse_nul():
        # No text anywhere may hold a NUL character (PostgreSQL refuses it, and it is never
        # typed by a person): refuse the request before a query or a save meets it.
        values = [*request.args.values(), *request.args.keys()]
        if request.method in ("POST", "PUT", "PATCH"):
            values += [*request.form.values(), *request.form.keys()]
        if any("\x00" in value for value in values):
            from flask_babel import gettext

            return render_error(
                400,
                gettext(
                    "The address or the form holds a character no text can hold (NUL). "
                    "Remove it and try again."
                ),
            )
        return None

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        from flask_babel import gettext

        return render_error(
            400,
            gettext(
                "The form had expired or was sent from elsewhere, so nothing was saved. "
                "Reload the page and send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 413:
            from flask import current_app
            from flask_babel import gettext

            limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            return render_error(
                413,
                gettext(
                    "The file is larger than the %(limit)s MB Insyn accepts. Split it, or ask the "
                    "administrator to raise the limit (INSYN_MAX_CONTENT_LENGTH).",
                    limit=limit,
                ),
            )
        # A description given where the error was raised says what was wrong; the class's
        # own is werkzeug's English boilerplate.
        detail = error.description if error.description != type(error).description else None
        response = make_response(render_error(error.code, detail))
        # What the error says besides its status (Allow on a 405, Retry-After on a 429).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        from app.extensions import db

        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
