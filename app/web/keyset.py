"""Lists paged by keyset: the pages, their JSON and the API continue after (or before) a row
named by a cursor, the row's sort key and id (:mod:`app.services.keyset`).

A cursor is opaque: the list and sort it belongs to and the row's key values, signed with the
app's secret key so that only cursors Insyn made are read back. The pages carry it as
``?after=…`` (the next page) or ``?before=…`` (the previous one), the API as ``?cursor=…``;
one made by either is read by both. An old ``?page=N`` link still opens its page, counted
from the start (OFFSET), with cursor links onwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from flask import abort
from flask import current_app
from flask import request
from flask_babel import gettext
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from app.services.counting import count_rows
from app.services.keyset import Key
from app.services.keyset import window
from app.web.listing import page_arg

#: The paging arguments of a list's address, left out when its filters or sort change.
PAGING_ARGS = ("page", "after", "before", "cursor")


class BadCursor(ValueError):
    """The cursor was not made by Insyn for this list and sort."""


def list_name(name: str, sort_key: str, descending: bool, keys: list[Key]) -> str:
    """What a cursor is bound to: the list, its sort, and how many keys the order has (the
    public's order of some lists has one more)."""
    return f"{name}:{sort_key}:{descending}:{len(keys)}"


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


def encode_cursor(name: str, values: list) -> str:
    return _serializer().dumps([name, [_plain(v) for v in values]])


def decode_cursor(cursor: str, name: str, size: int) -> list:
    """The key values a cursor holds.

    Raises:
        BadCursor: it is not Insyn's, or belongs to another list or sort.
    """
    try:
        found, values = _serializer().loads(cursor)
        if found != name or not isinstance(values, list) or len(values) != size:
            raise BadCursor(cursor)
        return [_typed(v) for v in values]
    except (BadSignature, ValueError, TypeError, KeyError):
        raise BadCursor(cursor) from None


def link(base: str, changes: dict) -> str:
    """``base`` (this request's URL without its query) with the query string changed: every
    paging argument replaced by ``changes`` (``None`` leaves one out)."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in PAGING_ARGS}
    args |= {k: [v] for k, v in changes.items() if v is not None}
    query = urlencode(args, doseq=True)
    return base + (f"?{query}" if query else "")


@dataclass
class ListPage:
    """A page of a list as the templates and the JSON show it: its items, the whole list's
    count when known, and the addresses of the first, previous and next pages (``None`` where
    there is none). ``number`` is the page's number when it was asked for by number."""

    items: list
    total: int | None
    per_page: int
    first_url: str | None
    previous_url: str | None
    next_url: str | None
    next_cursor: str | None = None
    number: int | None = None

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def keyset_page(
    statement,
    keys: list[Key],
    name: str,
    per_page: int,
    total=None,
    make=None,
    base: str | None = None,
) -> ListPage:
    """The page of ``statement`` the request asks for (``?after=``, ``?before=``, or an old
    ``?page=N``, else the first), ``per_page`` rows in the order of ``keys``. ``total`` is
    the whole list's count, or a function giving it (called once), or ``None``. A cursor not
    made for this list is a 400 that says so.
    """
    after = before = None
    try:
        if request.args.get("after"):
            after = decode_cursor(request.args["after"], name, len(keys))
        elif request.args.get("before"):
            before = decode_cursor(request.args["before"], name, len(keys))
    except BadCursor:
        abort(400, description=gettext("This page's address is not one of this list's pages."))
    number = page_arg() if after is None and before is None and "page" in request.args else None
    offset = (number - 1) * per_page if number else 0
    found = window(statement, keys, per_page, after, before, offset, make)
    base = base or request.base_url
    next_cursor = encode_cursor(name, found.last) if found.has_next and found.last else None
    previous = None
    if found.has_previous:
        previous = (
            link(base, {"before": encode_cursor(name, found.first)})
            if found.first
            else link(base, {})
        )
    return ListPage(
        items=found.items,
        total=total() if callable(total) else total,
        per_page=per_page,
        first_url=link(base, {}) if found.has_previous else None,
        previous_url=previous,
        next_url=link(base, {"after": next_cursor}) if next_cursor else None,
        next_cursor=next_cursor,
        number=number,
    )


def list_page(statement, keys: list[Key], name: str, total=None, make=None) -> ListPage:
    """:func:`keyset_page` for a list page: ``PAGE_SIZE`` rows, the whole list counted unless
    ``total`` is given."""
    return keyset_page(
        statement,
        keys,
        name,
        current_app.config["PAGE_SIZE"],
        total=total if total is not None else lambda: count_rows(statement),
        make=make,
    )
