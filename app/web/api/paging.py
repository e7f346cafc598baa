"""Cursor pagination (keyset) for the API: each page continues after the last row of the one
before, by the list's sort key and the record's id, so that pages stay put while records are
added and a deep page costs what the first does (no OFFSET). The same keys and cursors as
the pages' (:mod:`app.web.keyset`): a cursor from either is read by both.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from app.services.keyset import Key
from app.services.keyset import window
from app.web.keyset import BadCursor
from app.web.keyset import decode_cursor
from app.web.keyset import encode_cursor
from app.web.keyset import link

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "BadCursor", "Key", "Page", "page"]

#: Items per page, by default and at most.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass
class Page:
    """One page: the records (or rows) and the addresses of the next and previous pages, if
    any."""

    items: list
    next: str | None
    limit: int
    previous: str | None = None


def page(
    statement: sa.Select,
    keys: list[Key],
    order_name: str,
    limit: int,
    cursor: str | None,
    before: str | None = None,
):
    """The page of ``statement`` after ``cursor`` (or before ``before``), ordered by ``keys``
    (the last of which must be unique: the record's id). ``statement`` selects one entity
    (or one row shape); its own ORDER BY is replaced by the keys'.

    Raises:
        BadCursor: as :func:`app.web.keyset.decode_cursor`.
    """
    after = decode_cursor(cursor, order_name, len(keys)) if cursor and not before else None
    back = decode_cursor(before, order_name, len(keys)) if before else None
    found = window(statement, keys, limit, after=after, before=back)
    next_url = previous_url = None
    if found.has_next and found.last:
        next_url = link(request.base_url, {"cursor": encode_cursor(order_name, found.last)})
    if found.has_previous:
        previous_url = link(
            request.base_url,
            {"before": encode_cursor(order_name, found.first)} if found.first else {},
        )
    return Page(found.items, next_url, limit, previous_url)
