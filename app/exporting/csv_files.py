"""A :class:`~app.exporting.table.Table` as CSV, in two dialects, streamed line by line.

* ``excel-sv`` ("Excel (Sverige)", the default): UTF-8 with a byte-order mark, semicolons,
  decimal commas, ISO dates: what Swedish Excel opens by double-click with numbers as numbers.
* ``rfc4180``: UTF-8 without a mark, commas, decimal points, ISO dates: for code.

Numbers carry no thousands separators (a spreadsheet would read them as text). Text that a
spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a
leading apostrophe; numbers stay numbers, negative ones included. Totals rows are left out:
a CSV file is data, and the totals are the sum of its rows. A table's parts (a balance's
flags) follow it, each after a blank line and a line with its title, with a header of its
own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from itertools import repeat
from operator import call

from app.exporting.cells import FORMULA_STARTS
from app.exporting.cells import csv_text
from app.exporting.table import Table


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal: str
    bom: bool
    extension: str = "csv"


EXCEL_SV = Dialect("excel-sv", ";", ",", True)
RFC4180 = Dialect("rfc4180", ",", ".", False)
DIALECTS = {EXCEL_SV.name: EXCEL_SV, RFC4180.name: RFC4180}


def _text(value) -> str:
    """Text made inert (see :func:`~app.exporting.cells.csv_text`); ``None`` empty."""
    if value is None:
        return ""
    text = value if value.__class__ is str else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value) -> str:
    """A number with a decimal point: a ``Decimal`` in fixed-point notation, whatever its
    exponent; ``None`` empty."""
    if value is None:
        return ""
    if value.__class__ is Decimal:
        text = str(value)  # the same as format(value, "f") unless it is in E notation
        return format(value, "f") if "E" in text else text
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _decimal_comma(value) -> str:
    return _number(value).replace(".", ",")


def _as_is(value):
    """Counts and ids: the csv module writes ``str(value)`` itself, and ``None`` empty."""
    return value


_isoformat = dt.date.isoformat  # a date's, also for a datetime in a date column


def _date(value) -> str:
    return "" if value is None else _isoformat(value)


def _datetime(value) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _formatter(kind: str, dialect: Dialect):
    """How one column's values become text (``None`` an empty cell)."""
    if kind in ("money", "decimal", "share"):
        return _decimal_comma if dialect.decimal == "," else _number
    if kind == "int":
        return _as_is
    if kind == "date":
        return _date
    if kind == "datetime":
        return _datetime
    return _text


_NONE = type(None)
_TEXT_TYPES = {str, _NONE}
_DATE_TYPES = {dt.date, _NONE}


def _column_formatter(kind: str, dialect: Dialect):
    """How one column of a batch of rows becomes cells for the csv writer: the text
    :func:`_formatter` gives each cell, or the values as they are where the csv module's own
    conversion gives the same text (``str(value)``, ``None`` empty). The whole column is
    checked at once, so a usual batch makes no Python call per cell."""
    each = _formatter(kind, dialect)

    def every_cell(cells):
        return list(map(each, cells))

    if kind == "int":
        return _as_is
    if kind == "text":

        def text(cells):
            if set(map(type, cells)) <= _TEXT_TYPES and not any(
                map(str.startswith, filter(None, cells), repeat(FORMULA_STARTS))
            ):
                return cells  # text that needs no apostrophe, and None
            return every_cell(cells)

        return text
    if kind == "date":

        def date(cells):
            # str(date) is its isoformat(); a datetime would not be, so it goes by _date.
            return cells if set(map(type, cells)) <= _DATE_TYPES else every_cell(cells)

        return date
    comma = dialect.decimal == ","
    if kind in ("money", "decimal", "share"):

        def number(cells):
            types = set(map(type, cells))
            if types == {Decimal}:
                texts = list(map(str, cells))
                if "E" not in "".join(texts):  # then each is format(value, "f")
                    return (
                        list(map(str.replace, texts, repeat("."), repeat(","))) if comma else texts
                    )
            elif types == {_NONE}:
                return cells
            return every_cell(cells)

        return number

    def other(cells):
        return cells if set(map(type, cells)) == {_NONE} else every_cell(cells)

    return other


def _lengths(rows: list) -> set[int | None]:
    try:
        return set(map(len, rows))
    except TypeError:  # a row that is an iterator
        return {None}


def csv_chunks(table: Table, dialect: Dialect = EXCEL_SV, batch: int = 500) -> Iterator[str]:
    """The file as text chunks (``batch`` rows each), header first, then the table's parts.
    Empty cells for ``None``; RFC 4180 quoting; CRLF line ends."""
    yield from _table_chunks(table, dialect, batch, bom=dialect.bom)
    for part in table.parts:
        yield "\r\n" + _line([csv_text(part.title)], dialect)
        yield from _table_chunks(part, dialect, batch, bom=False)


def _line(cells: list, dialect: Dialect) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def _table_chunks(table: Table, dialect: Dialect, batch: int, bom: bool) -> Iterator[str]:
    """One table's header and rows as text chunks (see :func:`csv_chunks`).

    The rows are formatted a batch at a time, column by column; a batch with a row of another
    length than the columns' is formatted row by row (each row as long as it is)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    formatters = [_formatter(column.kind, dialect) for column in table.columns]
    column_formatters = [_column_formatter(column.kind, dialect) for column in table.columns]
    width = len(formatters)
    if bom:
        buffer.write("\ufeff")
    writer.writerow([csv_text(column.label) for column in table.columns])
    rows = iter(table.rows)
    batch = max(batch, 1)
    while rows_batch := list(islice(rows, batch)):
        if width and _lengths(rows_batch) == {width}:
            columns = zip(*rows_batch, strict=True)
            writer.writerows(zip(*map(call, column_formatters, columns), strict=True))
        else:
            for values in rows_batch:
                writer.writerow(map(call, formatters, values))
        if len(rows_batch) < batch:
            break
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def write_csv(table: Table, stream, dialect: Dialect = EXCEL_SV) -> None:
    """Write ``table`` to a binary ``stream`` as UTF-8."""
    for chunk in csv_chunks(table, dialect):
        stream.write(chunk.encode("utf-8"))
