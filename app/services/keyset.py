"""Keyset paging: a list's order as a row of keys ending in the record's id, and pages cut
by the last (or first) row's key values rather than by OFFSET, so that the thousandth page
costs what the first does and rows added meanwhile never shift a page.

The lists' services say their order as :class:`Key` rows (:func:`order_by` turns them into
an ORDER BY); the pages, their JSON and the API read the same keys, so that all of them list
the same rows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db


@dataclass(frozen=True)
class Key:
    """One part of a list's order: a column, its direction, and whether it may be empty
    (empty values come last in either direction)."""

    column: sa.ColumnElement
    descending: bool = False
    nullable: bool = False

    def order(self):
        order = self.column.desc() if self.descending else self.column.asc()
        return order.nulls_last() if self.nullable else order

    def reversed(self) -> Key:
        """This key read backwards (for the page before a row): empty values then come
        first, which :meth:`after` and :meth:`order` of the reversed key account for."""
        return _Reversed(self.column, not self.descending, self.nullable)

    def after(self, value):
        """Rows after ``value`` in this key's direction (not equal to it)."""
        if value is None:
            return sa.false()  # empty values are last: nothing comes after them
        value = sa.literal(value, self.column.type)
        beyond = self.column < value if self.descending else self.column > value
        return sa.or_(beyond, self.column.is_(None)) if self.nullable else beyond

    def equal(self, value):
        if value is None:
            return self.column.is_(None)
        return self.column == sa.literal(value, self.column.type)


@dataclass(frozen=True)
class _Reversed(Key):
    """A key read backwards: its empty values come first."""

    def order(self):
        order = self.column.desc() if self.descending else self.column.asc()
        return order.nulls_first() if self.nullable else order

    def reversed(self) -> Key:
        return Key(self.column, not self.descending, self.nullable)

    def after(self, value):
        if value is None:
            return self.column.is_not(None)  # empty values are first: every other comes after
        value = sa.literal(value, self.column.type)
        return self.column < value if self.descending else self.column > value


def column_key(column, descending: bool = False) -> Key:
    """A :class:`Key` on ``column``, nullable when the column is."""
    return Key(column, descending, bool(getattr(column.expression, "nullable", False)))


def order_by(keys: list[Key]) -> list:
    """The ORDER BY clauses of ``keys``."""
    return [k.order() for k in keys]


def beyond(keys: list[Key], values: list):
    """A condition: rows after the row whose keys are ``values``, in the order of ``keys``.

    Where every key runs one way and none may be empty, this is a row-value comparison,
    ``(a, id) < (:a, :id)``, which both databases answer by seeking in an index on
    ``(a, id)``; otherwise the same, spelled out key by key."""
    simple = all(not k.nullable for k in keys) and len({k.descending for k in keys}) == 1
    if simple and len(keys) > 1:
        columns = sa.tuple_(*(k.column for k in keys))
        bound = sa.tuple_(
            *(sa.literal(v, k.column.type) for k, v in zip(keys, values, strict=True))
        )
        return columns < bound if keys[0].descending else columns > bound
    conditions = []
    for index, k in enumerate(keys):
        earlier = [keys[i].equal(values[i]) for i in range(index)]
        conditions.append(sa.and_(*earlier, k.after(values[index])))
    return sa.or_(*conditions)


@dataclass
class Window:
    """One page of a list: its rows (as ``make`` built them), the key values of its first and
    last rows, and whether rows come before or after it."""

    items: list
    first: list | None
    last: list | None
    has_previous: bool
    has_next: bool


def window(
    statement: sa.Select,
    keys: list[Key],
    limit: int,
    after: list | None = None,
    before: list | None = None,
    offset: int = 0,
    make=None,
) -> Window:
    """The ``limit`` rows of ``statement`` (in the order of ``keys``, which replaces its own,
    the last key being unique: the record's id) after the row whose keys are ``after``, or
    before the row whose keys are ``before``, or else from the start (``offset`` rows in: only
    for old page-numbered links). ``make(row)`` turns a result row (without the keys added to
    it) into an item; by default the row's first column.

    Reads ``limit + 1`` rows to know whether there are more, and nothing else.
    """
    backwards = before is not None
    read_keys = [k.reversed() for k in keys] if backwards else keys
    query = statement.order_by(None).order_by(*order_by(read_keys))
    if backwards:
        query = query.where(beyond(read_keys, before))
    elif after is not None:
        query = query.where(beyond(keys, after))
    elif offset:
        query = query.offset(offset)
    width = len(statement.column_descriptions)  # an entity is one column of the row
    rows = db.session.execute(query.add_columns(*(k.column for k in keys)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    build = make or (lambda row: row[0])
    items = [build(row[:width]) for row in rows]
    first = list(rows[0][width:]) if rows else None
    last = list(rows[-1][width:]) if rows else None
    if backwards:
        return Window(items, first, last, has_previous=more, has_next=True)
    return Window(items, first, last, has_previous=after is not None or offset > 0, has_next=more)
