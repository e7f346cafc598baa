"""Lists: sorting and paging taken from the query string, so every list has a stable URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import request
from flask_babel import gettext
from werkzeug.routing import IntegerConverter

from app.extensions import db


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool


def sorting(allowed, default: str, descending: bool = False) -> Sorting:
    """The sort asked for in ``?sort=…&dir=asc|desc``, if allowed, else the default."""
    key = request.args.get("sort", default)
    if key not in allowed:
        return Sorting(default, descending)
    direction = request.args.get("dir")
    return Sorting(key, descending if direction not in ("asc", "desc") else direction == "desc")


#: Pages (and rows per page) beyond this are not pages of any list: no database counts so
#: far, and an offset past 64 bits is an error there.
MAX_PAGE = 10**7


def page_arg(name: str = "page", default: int = 1) -> int:
    """A page number (or rows per page) from the query string: ``default`` when missing, not a
    number or below 1.

    Raises:
        BadRequest: (400) a number larger than any list has pages (``MAX_PAGE``).
    """
    value = request.args.get(name, default, type=int)
    if value is None or value < 1:
        return default
    if value > MAX_PAGE:
        abort(
            400,
            description=gettext(
                "%(name)s=%(value)s is larger than any list has pages.",
                name=name,
                value=request.args.get(name, "")[:30],
            ),
        )
    return value


def paginate(query, total: int | None = None):
    """One page of ``query``: ``?page=N`` (from 1), ``PAGE_SIZE`` rows; never an error for a
    page beyond the last or not a number (a number larger than any list is refused, see
    :func:`page_arg`). ``total``, when the caller knows how many rows the query has, spares
    counting them again."""
    page = page_arg()
    pagination = db.paginate(
        query,
        page=page,
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=total is None,
    )
    if total is not None:
        pagination.total = total
    return pagination


#: Ids are 32-bit integers in the database; a larger one in a URL matches nothing.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class RowWindow:
    """The rows of a table held whole (a report's grouped rows) that a page shows, as the
    ``pager`` macro reads a page: page ``page`` of ``pages``, rows ``first`` to ``last``
    (counted from 1) of ``total``; ``start`` and ``stop`` slice them. A page past the last
    shows the last."""

    page: int
    pages: int
    total: int
    start: int
    stop: int

    @classmethod
    def of(cls, total: int, page: int, size: int) -> RowWindow:
        """Page ``page`` of ``total`` rows, ``size`` rows a page."""
        pages = max(1, -(-total // size))
        page = min(max(page, 1), pages)
        start = (page - 1) * size
        return cls(page, pages, total, start, min(start + size, total))

    first = property(lambda self: self.start + 1)
    last = property(lambda self: self.stop)
    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)

    def iter_pages(self, left_edge=1, left_current=2, right_current=3, right_edge=1):
        """Page numbers to link, ``None`` for a gap (as Flask-SQLAlchemy's pages)."""
        last = 0
        for number in range(1, self.pages + 1):
            near = self.page - left_current <= number < self.page + right_current
            if number <= left_edge or number > self.pages - right_edge or near:
                if last + 1 != number:
                    yield None
                yield number
                last = number


def int_arg(name: str) -> int | None:
    """A record id from the query string, or ``None`` when missing, not a number or out of
    range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def year_arg(name: str = "year") -> int | None:
    """A calendar year from the query string, or ``None`` when missing or impossible."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= 9999 else None


def text_arg(name: str) -> str | None:
    """A trimmed text from the query string, or ``None``."""
    value = (request.args.get(name) or "").strip()
    return value[:200] or None


def safe_next(name: str = "next") -> str | None:
    """A path on this site from the query string to return to, or ``None``.

    Never another site: the target must be a path (``/…``) with no scheme and no host
    however a browser reads it. Browsers drop tabs and line breaks from a URL and read a
    backslash as a slash, so ``/\t/evil.example`` and ``/\\evil.example`` would become
    ``//evil.example``: a target holding any control character or backslash is refused, as
    is one that starts with ``//`` or names a scheme (``https:evil``).
    """
    target = request.args.get(name, "")
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def status_arg(name: str = "status") -> str:
    """Which records a list shows: "active" (valid ones, the default), "voided" or "all"."""
    value = request.args.get(name)
    return value if value in ("all", "active", "voided") else "active"


class IdConverter(IntegerConverter):
    """``<id:…>`` in a route: a record id, 0 to ``MAX_ID``. A larger number matches no route
    at all (a 404 whatever the method), so no query ever meets a number the database's
    integers cannot hold."""

    #: 0–2147483647, digit by digit (a converter's bound is checked only after the method).
    regex = (
        r"(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
        r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )
