"""Layouts clerks save in the browser: the columns a preview read, kept under a name
(:class:`~app.models.ImportProfile`) and used from then on like the shipped profiles, so the
next file in that layout imports with no questions; and written out as a TOML profile for
``imports/profiles/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.importing import headers as header_map
from app.importing.profiles import NAME
from app.importing.profiles import profile_toml
from app.importing.profiles import shipped_profiles
from app.models import ImportProfile
from app.models import User
from app.money import N_
from app.services.errors import ServiceError


def saved_layouts() -> sa.Select:
    """The layouts saved in the browser, by name."""
    return sa.select(ImportProfile).order_by(ImportProfile.name)


def layout_named(name: str) -> ImportProfile | None:
    return db.session.scalar(sa.select(ImportProfile).where(ImportProfile.name == name))


def save_layout(user: User | None, data: dict, report: dict) -> ImportProfile:
    """Keep the columns a preview read as a named layout. Flushes.

    Args:
        data: ``name`` (lower-case letters, digits, hyphens) and ``title``.
        report: the preview's report (its kind, mapping and currency).

    Raises:
        ServiceError: the name is malformed or taken, or the preview read no columns.
    """
    name = (data.get("name") or "").strip().lower()
    title = (data.get("title") or "").strip() or name
    if not NAME.match(name):
        raise ServiceError(
            N_("Name the layout with lower-case letters, digits and hyphens, e.g. kommun-2024."),
            field="name",
        )
    if name in {p.name for p in shipped_profiles()} or layout_named(name) is not None:
        raise ServiceError(
            N_("There is a layout called %(name)s already."), field="name", name=name
        )
    kind, mapping = report.get("kind"), report.get("mapping") or {}
    needed = header_map.required_fields(kind) if kind in header_map.FIELDS else []
    if not mapping or any(f not in mapping for f in needed):
        raise ServiceError(N_("The preview has no columns to keep; choose them first."))
    layout = ImportProfile(
        name=name,
        title=title[:300],
        kind=kind,
        definition=layout_definition(title, kind, mapping, report.get("currency") or {}),
        user=user,
    )
    db.session.add(layout)
    db.session.flush()
    return layout


def layout_definition(title: str, kind: str, mapping: dict[str, str], currency: dict) -> dict:
    """A layout in the TOML profiles' shape: the columns by their headers (every one of them
    must be in a file's header for the layout to apply), and the currency when the file
    itself, or the user, named it."""
    headers = list(dict.fromkeys(mapping.values()))
    definition: dict = {"title": title, "kind": kind, "headers": headers, "columns": dict(mapping)}
    if currency.get("source") in ("header", "title", "option") and currency.get("code"):
        definition["currency"] = currency["code"]
    return definition


def delete_layout(layout: ImportProfile) -> str:
    """Forget a saved layout. Flushes; returns its name."""
    db.session.delete(layout)
    db.session.flush()
    return layout.name


def layout_toml(layout: ImportProfile) -> str:
    """A saved layout as a TOML profile for ``imports/profiles/``."""
    return profile_toml(layout.name, layout.definition)


def suggested_name(filename: str) -> str:
    """A layout name suggested from a file name: "Spend April-2023.csv" → "spend-april-2023"."""
    stem = Path(filename or "").stem.lower()
    value = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:60]
    return value if NAME.match(value) else "min-layout"
