"""Saving a form through a service: commit once on success; on a refusal roll back, keep
everything typed, and say why on the form. A version conflict shows the typed values beside
the current ones, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField
from wtforms import SelectField

from app.extensions import db
from app.money import N_
from app.services.conflicts import VersionConflict
from app.services.conflicts import latest_event
from app.services.errors import ServiceError
from app.web.feedback import message_for
from app.web.feedback import show_on_form

T = TypeVar("T")

#: Fields that are not the record's values.
_NOT_VALUES = {"csrf_token", "version", "vendor_id"}


@dataclass(frozen=True)
class ConflictRow:
    label: str
    current: str
    typed: str


@dataclass(frozen=True)
class Conflict:
    message: str
    rows: list[ConflictRow]


#: A form that edits a record without saying which version it was opened from.
NO_VERSION = N_(
    "This form did not say which version of the record it was opened from, so nothing was "
    "saved: it could have replaced someone else's newer changes. Open the record again and "
    "make your changes there."
)


def save(form, action: Callable[[], T], record=None) -> T | None:
    """Run ``action`` (a service call) and commit. On a refusal roll back and return ``None``,
    with the reason on ``form`` (``form.conflict`` for a version conflict).

    A form that edits ``record`` must carry the version it was opened from: one posted
    without it (or with it empty) is refused, never saved over a newer change.
    """
    version = getattr(form, "version", None)
    # What was posted, not the field's data: a field missing from the post takes the
    # record's current version (``obj=record``), which would wave any stale edit through.
    posted = (version.raw_data or [""])[0] if version is not None else None
    if record is not None and version is not None and not str(posted or "").strip():
        show_on_form(form, ServiceError(NO_VERSION))
        return None
    try:
        result = action()
        db.session.commit()
        return result
    except VersionConflict as conflict:
        db.session.rollback()
        _show_conflict(form, conflict.record, conflict)
    except StaleDataError:
        # Two saves raced past the version check; the database kept the first.
        db.session.rollback()
        if record is None:
            raise
        db.session.refresh(record)
        _show_conflict(form, record, VersionConflict(record, latest_event(record)))
    except ServiceError as error:
        db.session.rollback()
        show_on_form(form, error)
    return None


def _show_conflict(form, record, conflict: VersionConflict) -> None:
    current = type(form)(formdata=None, obj=record, **getattr(form, "init_kwargs", {}))
    if hasattr(current, "load"):
        current.load(record)
    rows = []
    for field in form:
        if field.name in _NOT_VALUES or field.type in ("SubmitField", "CSRFTokenField"):
            continue
        other = current[field.name]
        if _same(field.data, other.data):
            continue
        rows.append(ConflictRow(str(field.label.text), _shown(other), _shown(field)))
    form.conflict = Conflict(message=message_for(conflict), rows=rows)
    if hasattr(form, "version"):
        # Saving again now is a deliberate choice to replace the current values.
        form.version.data = str(record.version)
        form.version.raw_data = None


def _same(typed, current) -> bool:
    def norm(value):
        if isinstance(value, str):
            return value.strip() or None
        return value

    return norm(typed) == norm(current)


def _shown(field) -> str:
    """A field's value as the form shows it."""
    if isinstance(field, BooleanField):
        return gettext("Yes") if field.data else gettext("No")
    if isinstance(field, SelectField):
        for choice in field.choices or []:
            if field.coerce(choice.value) == field.data:
                return str(choice.label)
        return ""
    return field._value() if hasattr(field, "_value") else str(field.data or "")
