"""The full-text search indexes are the database's own, made by a migration rather than
declared as models (see :mod:`app.services.fulltext`): SQLite's FTS5 tables (and the tables
FTS5 keeps for each), PostgreSQL's GIN indexes on an expression."""

from __future__ import annotations


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether a table or index named ``name`` belongs to the full-text search."""
    if not name:
        return False
    if type_ == "table":
        return name.startswith("search_")
    if type_ == "index":
        return name.startswith("ix_search_")
    return False


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparison of the models with the database: leave the full-text search's
    objects out (they have no models)."""
    return not is_search_object(name, type_)
