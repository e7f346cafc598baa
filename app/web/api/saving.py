"""Writing through the API: who may, the request body read into the browser forms, the
service call committed once, and every refusal as a problem naming the field.

The forms are the pages' own (without their CSRF field, since a token, not a cookie,
authenticates the request), so every value is checked by the same validators, and the
services apply the same rules, version checks and audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from flask import Response
from flask import abort
from flask import g
from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField
from wtforms import SelectField

from app.extensions import db
from app.models import Role
from app.services import idempotency
from app.services.conflicts import VersionConflict
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from app.web.access import current_token
from app.web.api.problems import field_error
from app.web.api.problems import problem

#: Who may write through the API: as in the browser, clerks and administrators.
WRITERS = (Role.CLERK, Role.ADMIN)


def write_required(view: Callable) -> Callable:
    """Let the view run only for a token with write scope whose owner may write: no token is
    401 (a session cookie is not enough: the API takes no CSRF token), a read token or an
    owner without the role 403."""

    @wraps(view)
    def guarded(*args, **kwargs):
        token = current_token()
        if token is None:
            return problem(
                401,
                gettext("Changes through the API need a token: Authorization: Bearer insyn_…"),
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not token.can_write:
            return problem(403, gettext("This token may only read."))
        if not current_user.can(*WRITERS):
            return problem(403, gettext("The token's account may not change records."))
        return view(*args, **kwargs)

    guarded.required_roles = frozenset(WRITERS)
    return guarded


def json_body() -> dict:
    """The request's JSON object; a 415 or 400 problem when there is none."""
    if not request.is_json:
        abort(problem(415, gettext("Send the body as JSON (Content-Type: application/json).")))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(problem(400, gettext("The body is not a JSON object.")))
    return body


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else ""
    if isinstance(value, dict | list):
        abort(problem(400, gettext("A value is a list or an object where text is expected.")))
    return str(value)


def current_values(form) -> MultiDict:
    """What a form built from a record holds, as the browser would send it back."""
    values = MultiDict()
    for field in form:
        if field.type in ("SubmitField", "CSRFTokenField"):
            continue
        if isinstance(field, BooleanField):
            if field.data:
                values[field.name] = "y"
        elif isinstance(field, SelectField):
            values[field.name] = "" if field.data is None else str(field.data)
        else:
            values[field.name] = field._value() if hasattr(field, "_value") else ""
    return values


def form_data(body: dict, names: dict[str, str], base: MultiDict | None = None) -> MultiDict:
    """``body`` as form data: each API name (``names`` maps it to the form's field) as text,
    over ``base`` (a record's current values, for a correction)."""
    data = MultiDict(base or {})
    for api_name, field_name in names.items():
        if api_name in body:
            data.setlist(field_name, [_text(body[api_name])] if body[api_name] is not False else [])
    return data


def refuse_invalid(form, names: dict[str, str]):
    """A 422 problem with each field's messages, by the API's names."""
    api_names = {field: api for api, field in names.items()}
    errors = [
        field_error(api_names.get(name, name), " ".join(str(m) for m in messages))
        for name, messages in form.errors.items()
    ]
    return problem(422, gettext("Some values cannot be saved."), errors=errors)


def expected_version(body: dict) -> str | None:
    """The version the client read: the body's ``version``, else ``If-Match: "<version>"``."""
    if body.get("version") not in (None, ""):
        return str(body["version"])
    for tag in request.if_match.as_set(include_weak=True) if request.if_match else ():
        if tag.isdigit():
            return tag
    return None


def conflict(error: VersionConflict):
    event = error.event
    extra = {"current_version": error.record.version}
    if event is not None:
        who = event.actor + (f" (API token {event.via_token})" if event.via_token else "")
        extra |= {"saved_by": who, "saved_at": event.occurred_at.isoformat()}
    return problem(409, gettext(error.message, **error.params), **extra)


def refused(error: ServiceError):
    """A service's refusal as a 422 problem naming its field."""
    detail = gettext(error.message, **error.params)
    extra = {}
    if isinstance(error, DuplicateError) and error.existing is not None:
        extra["existing"] = f"{type(error.existing).__name__.lower()}:{error.existing.id}"
    errors = [field_error(error.field, detail)] if error.field else None
    return problem(422, detail, errors=errors, **extra)


def save(action: Callable, dump: Callable, status: int = 200, location: Callable | None = None):
    """Run ``action`` (a service call), then commit once; answer with ``dump(result)``. A
    refusal rolls everything back and answers with a problem. With an ``Idempotency-Key``
    the answer is kept in the same transaction (see :func:`idempotent`)."""
    try:
        result = action()
        db.session.flush()
        body = json.dumps(dump(result), ensure_ascii=False)
        where = location(result) if location else None
        key = g.get("idempotency")
        if key is not None:
            token = current_token()
            idempotency.remember(
                current_user.id, token.id if token else None, *key, status, body, where
            )
        db.session.commit()
    except VersionConflict as error:
        db.session.rollback()
        return conflict(error)
    except StaleDataError:
        db.session.rollback()
        return problem(409, gettext("Someone saved this record at the same moment. Read it again."))
    except ServiceError as error:
        db.session.rollback()
        return refused(error)
    except IntegrityError:
        db.session.rollback()
        kept = _kept()
        if kept is not None:
            return _replay(kept)
        raise
    response = Response(body, status=status, mimetype="application/json")
    if where:
        response.headers["Location"] = where
    return response


def _kept():
    key = g.get("idempotency")
    return idempotency.find(current_user.id, key[0]) if key else None


def _replay(kept) -> Response:
    response = Response(kept.body, status=kept.status, mimetype="application/json")
    if kept.location:
        response.headers["Location"] = kept.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable) -> Callable:
    """Honour an ``Idempotency-Key`` header on a create: the first answer is kept with what it
    created, and the same key again returns it; the same key with another request is 422."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 200:
            return problem(400, gettext("The Idempotency-Key is longer than 200 characters."))
        digest = idempotency.request_digest(request.method, request.path, request.get_data())
        kept = idempotency.find(current_user.id, key)
        if kept is not None:
            if kept.request_hash != digest:
                return problem(
                    422,
                    gettext("This Idempotency-Key was used for another request."),
                    errors=[field_error("Idempotency-Key", gettext("Use a new key."))],
                )
            return _replay(kept)
        g.idempotency = (key, digest)
        return view(*args, **kwargs)

    return wrapper


def version_needed():
    """A 428 problem: a correction must say which version it was made from."""
    return problem(
        428,
        gettext('Send the version you read: "version" in the body, or If-Match: "<version>".'),
        errors=[field_error("version", gettext("Give the version of the record you read."))],
    )
