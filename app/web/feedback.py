"""Turning a service's refusal into messages on the form the user filled in."""

from __future__ import annotations

from flask import flash
from flask import url_for
from flask_babel import gettext
from markupsafe import Markup
from markupsafe import escape

from app.services.errors import DuplicateError
from app.services.errors import ServiceError

#: Where the record a duplicate collided with can be seen, by model name.
_ENDPOINTS = {
    "Invoice": "invoices.detail",
    "Vendor": "vendors.detail",
    "Contract": "contracts.detail",
    "Category": "lists.index",
    "Department": "lists.index",
}


def message_for(error: ServiceError) -> Markup:
    """The error's message in the user's language; for a duplicate, with a link to the
    record that already exists."""
    text = escape(gettext(error.message, **error.params))
    if isinstance(error, DuplicateError) and error.existing is not None:
        endpoint = _ENDPOINTS.get(type(error.existing).__name__)
        if endpoint == "lists.index":
            url = url_for(endpoint)
        elif endpoint:
            url = url_for(endpoint, id=error.existing.id)
        else:
            return text
        link = Markup('<a href="{}">{}</a>').format(url, gettext("Open the existing one"))
        return Markup("{} {}").format(text, link)
    return text


def show_on_form(form, error: ServiceError) -> None:
    """Put the message under the field it concerns, or at the top of the page; every problem
    of an implausible record under its own field."""
    problems = getattr(error, "problems", None)
    if not problems:
        _show_one(form, error.field, message_for(error))
        return
    for problem in problems:
        _show_one(form, problem.field, escape(gettext(problem.message, **problem.params)))


def _show_one(form, field_name: str | None, message) -> None:
    field = getattr(form, field_name, None) if field_name else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)
    else:
        flash(message, "error")
