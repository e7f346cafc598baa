"""What an export holds: a table of typed columns and streamed rows, its totals, and what a
reader needs to trust it (the filters, when it was made, the sources, the licence).

Every format (XLSX, the two CSV dialects, JSON) is written from a :class:`Table`, so the
files of one view hold exactly the same rows and figures. Rows are any iterable, usually a
generator over a database cursor: no writer holds more than one row at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

#: The kinds a column's cells can be; each writer formats them its own way.
#: ``money``: ``Decimal`` in the currency's main unit, two decimals. ``decimal``: any
#: ``Decimal`` (hours, a share as a fraction). ``int``: counts, years, ids. ``date``:
#: ``datetime.date``. ``datetime``: an aware ``datetime`` (UTC). ``text``: ``str``.
KINDS = ("text", "money", "decimal", "share", "int", "date", "datetime")


@dataclass(frozen=True)
class Column:
    """One column: ``key`` names it in JSON and code, ``label`` heads it in spreadsheets (in
    the reader's language); ``width`` is a spreadsheet width in characters."""

    key: str
    label: str
    kind: str = "text"
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Source:
    """An import batch some rows came from."""

    batch_id: int
    filename: str
    sha256: str | None
    imported_at: dt.datetime | None
    rows: int  #: how many of the export's rows it gave


@dataclass
class Table:
    """An export.

    Attributes:
        kind: what it is (``totals``, ``invoices``…), for file names and JSON.
        title: a heading, in the reader's language.
        columns: the columns, in order.
        rows: the rows, each a sequence of cells in column order (streamed).
        totals: the totals rows (one per currency), written after the rows and marked.
        about: (label, value) pairs: the filters and choices that made it.
        sources: the import batches behind the rows.
        name_parts: what the file name says after ``insyn-<kind>`` (``year-vendor``,
            ``2010-2011``).
        created_at: when it was made (UTC).
        licence: the licence the data is published under.
        notes: sentences on how the figures were computed.
        parts: further tables that belong to this one (a balance's flags): a sheet each in
            a workbook, a section each after a blank line in CSV, ``parts`` in JSON.
    """

    kind: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    totals: Sequence[Sequence] = ()
    about: Sequence[tuple[str, str]] = ()
    sources: Sequence[Source] = ()
    name_parts: Sequence[str] = ()
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    licence: str = ""
    notes: Sequence[str] = ()
    parts: Sequence[Table] = ()

    def file_name(self, extension: str) -> str:
        """``insyn-totals-year-vendor-2010-2011-20261123.xlsx``: what and when, in ASCII."""
        parts = ["insyn", self.kind, *self.name_parts, self.created_at.strftime("%Y%m%d")]
        stem = "-".join(_slug(part) for part in parts if part)
        return f"{stem}.{extension}"


def _slug(text: str) -> str:
    """A file-name-safe piece: ASCII letters, digits and hyphens."""
    table = str.maketrans("åäöÅÄÖéÉüÜ", "aaoAAOeEuU")
    ascii_text = str(text).translate(table).lower()
    kept = "".join(c if c.isascii() and c.isalnum() else "-" for c in ascii_text)
    return "-".join(part for part in kept.split("-") if part)[:60]
