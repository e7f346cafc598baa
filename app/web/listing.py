"""Lists: sorting and paging taken from the query string, so every list has a stable URL."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask import request
from flask_sqlalchemy.pagination import Pagination
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.services.counting import count_rows


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


def paginate(query, total: int | None = None):
    """One page of ``query``: ``?page=N`` (from 1), ``PAGE_SIZE`` rows; never an error for a
    page out of range or not a number. ``total``, when the caller knows how many rows the
    query has, spares counting them again."""
    page = request.args.get("page", 1, type=int) or 1
    pagination = db.paginate(
        query,
        page=max(page, 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=total is None,
    )
    if total is not None:
        pagination.total = total
    return pagination


class _RowsPage(Pagination):
    """A page of plain rows (not records): ``make`` turns each row into what the page
    holds."""

    def __init__(self, statement, make, total: int | None, **kwargs):
        self._statement, self._make, self._total = statement, make, total
        super().__init__(**kwargs)

    def _query_items(self) -> list:
        statement = self._statement.limit(self.per_page).offset(self._query_offset)
        return [self._make(*row) for row in db.session.execute(statement)]

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        return count_rows(self._statement)


def paginate_rows(statement, make, total: int | None = None):
    """As :func:`paginate`, for a select of columns: each row of the page becomes
    ``make(*row)``."""
    page = request.args.get("page", 1, type=int) or 1
    return _RowsPage(
        statement,
        make,
        total,
        page=max(page, 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )


#: Ids are 32-bit integers in the database; a larger one in a URL matches nothing.
MAX_ID = 2**31 - 1


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
    """A local path from the query string to return to, or ``None`` (never another site)."""
    target = request.args.get(name, "")
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else None


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
