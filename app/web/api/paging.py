"""Cursor pagination (keyset): each page continues after the last row of the one before, by
the list's sort key and the record's id, so that pages stay put while records are added and
a deep page costs what the first does (no OFFSET).

A cursor is opaque to clients: the sort it belongs to and the last row's key, signed with the
app's secret key so that only cursors Insyn made are read back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from app.extensions import db

#: Items per page, by default and at most.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class BadCursor(ValueError):
    """The cursor was not made by Insyn for this list and sort."""


@dataclass(frozen=True)
class Key:
    """One part of a list's order: a column, its direction, and whether it may be empty
    (empty values come last in either direction, as on the pages)."""

    column: sa.ColumnElement
    descending: bool = False
    nullable: bool = False

    def order(self):
        order = self.column.desc() if self.descending else self.column.asc()
        return order.nulls_last() if self.nullable else order

    def after(self, value):
        """Rows after ``value`` in this key's direction (not equal to it)."""
        if value is None:
            return sa.false()
        # A bound value of the column's type (booleans cannot be compared as Python constants).
        value = sa.literal(value, self.column.type)
        beyond = self.column < value if self.descending else self.column > value
        return sa.or_(beyond, self.column.is_(None)) if self.nullable else beyond

    def equal(self, value):
        if value is None:
            return self.column.is_(None)
        return self.column == sa.literal(value, self.column.type)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="insyn-api-cursor")


def _plain(value):
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _typed(value):
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
    return value


def encode_cursor(order_name: str, values: list) -> str:
    return _serializer().dumps([order_name, [_plain(v) for v in values]])


def decode_cursor(cursor: str, order_name: str, size: int) -> list:
    """The key values a cursor holds.

    Raises:
        BadCursor: it is not Insyn's, or belongs to another sort.
    """
    try:
        name, values = _serializer().loads(cursor)
    except (BadSignature, ValueError, TypeError):
        raise BadCursor(cursor) from None
    if name != order_name or not isinstance(values, list) or len(values) != size:
        raise BadCursor(cursor)
    return [_typed(v) for v in values]


@dataclass
class Page:
    """One page: the records (or rows) and the address of the next page, if any."""

    items: list
    next: str | None
    limit: int


def page(statement: sa.Select, keys: list[Key], order_name: str, limit: int, cursor: str | None):
    """The page of ``statement`` after ``cursor``, ordered by ``keys`` (the last of which
    must be unique: the record's id). ``statement`` selects one entity (or one row shape);
    its own ORDER BY is replaced by the keys'.

    Raises:
        BadCursor: as :func:`decode_cursor`.
    """
    columns = [key.column for key in keys]
    query = statement.order_by(None).order_by(*(key.order() for key in keys))
    if cursor:
        values = decode_cursor(cursor, order_name, len(keys))
        conditions = []
        for index, key in enumerate(keys):
            earlier = [keys[i].equal(values[i]) for i in range(index)]
            conditions.append(sa.and_(*earlier, key.after(values[index])))
        query = query.where(sa.or_(*conditions))
    rows = db.session.execute(query.add_columns(*columns).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [row[0] for row in rows]
    next_url = None
    if more:
        last = list(rows[-1][1:])
        next_url = _link(encode_cursor(order_name, last))
    return Page(items, next_url, limit)


def _link(cursor: str) -> str:
    args = request.args.to_dict(flat=False) | {"cursor": [cursor]}
    return request.base_url + "?" + urlencode(args, doseq=True)
