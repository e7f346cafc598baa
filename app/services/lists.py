"""The managed lists: categories and departments."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Category
from app.models import Department
from app.money import N_
from app.services.conflicts import check_version
from app.services.errors import DuplicateError
from app.text import clean_text

#: The two managed lists, by the name used in URLs.
LIST_MODELS: dict[str, type[Category] | type[Department]] = {
    "categories": Category,
    "departments": Department,
}


def ordered(model: type[Category] | type[Department]) -> sa.Select:
    """All entries of a list in use, by name (not those an undone import withdrew)."""
    return sa.select(model).where(model.withdrawn_at.is_(None)).order_by(sa.func.lower(model.name))


def choices(model: type[Category] | type[Department]) -> list:
    """``(id, name)`` rows of the entries in use, by name: what a filter menu offers."""
    return db.session.execute(
        sa.select(model.id, model.name)
        .where(model.withdrawn_at.is_(None))
        .order_by(sa.func.lower(model.name))
    ).all()


def find_by_name(model: type[Category] | type[Department], name: str):
    """The entry whose name equals ``name`` ignoring case and spacing, or ``None``."""
    cleaned = clean_text(name) or ""
    return db.session.scalar(sa.select(model).where(sa.func.lower(model.name) == cleaned.lower()))


def create_entry(model: type[Category] | type[Department], data: dict):
    """Add a category or department.

    Args:
        data: ``name`` and optionally ``code`` (and ``description`` for a category).

    Raises:
        DuplicateError: an entry with that name (ignoring case) exists; ``existing`` is it.
    """
    name = clean_text(data.get("name"))
    existing = find_by_name(model, name or "")
    if existing is not None and existing.withdrawn_at is not None:
        # Withdrawn with an undone import, and wanted again: it comes back.
        existing.withdrawn_at = None
        _apply(existing, data)
        db.session.flush()
        return existing
    if existing is not None:
        raise DuplicateError(
            N_("“%(name)s” is already on the list."), field="name", existing=existing, name=name
        )
    entry = model(name=name)
    _apply(entry, data)
    db.session.add(entry)
    db.session.flush()
    return entry


def update_entry(entry, data: dict):
    """Rename or recode a category or department.

    Raises:
        DuplicateError: another entry already has the new name.
    """
    check_version(entry, data)
    name = clean_text(data.get("name"))
    other = find_by_name(type(entry), name or "")
    if other is not None and other.id != entry.id:
        raise DuplicateError(
            N_("“%(name)s” is already on the list."), field="name", existing=other, name=name
        )
    entry.name = name
    _apply(entry, data)
    db.session.flush()
    return entry


def get_or_create(model: type[Category] | type[Department], name: str):
    """The entry called ``name`` (ignoring case), created if missing: for inline adds and
    imports, where a name met twice must not make two entries."""
    existing = find_by_name(model, name)
    return existing if existing is not None else create_entry(model, {"name": name})


def usage_count(entry) -> int:
    """How many invoices use ``entry``."""
    from app.models import Invoice

    column = Invoice.category_id if isinstance(entry, Category) else Invoice.department_id
    return db.session.scalar(sa.select(sa.func.count()).where(column == entry.id)) or 0


def _apply(entry, data: dict) -> None:
    if "code" in data:
        entry.code = clean_text(data.get("code"))
    if isinstance(entry, Category) and "description" in data:
        entry.description = clean_text(data.get("description"))
