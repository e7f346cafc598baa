"""Counting the rows a query selects, in the database."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db


def count_rows(statement: sa.Select) -> int:
    """How many rows ``statement`` selects (its ordering dropped: it changes no count)."""
    counted = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    return db.session.scalar(counted)
