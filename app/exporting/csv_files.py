"""A :class:`~app.exporting.table.Table` as CSV, in two dialects, streamed line by line.

* ``excel-sv`` ("Excel (Sverige)", the default): UTF-8 with a byte-order mark, semicolons,
  decimal commas, ISO dates: what Swedish Excel opens by double-click with numbers as numbers.
* ``rfc4180``: UTF-8 without a mark, commas, decimal points, ISO dates: for code.

Numbers carry no thousands separators (a spreadsheet would read them as text). Text that a
spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a
leading apostrophe; numbers stay numbers, negative ones included. Totals rows are left out:
a CSV file is data, and the totals are the sum of its rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

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


def _formatter(kind: str, dialect: Dialect):
    """How one column's values become text."""
    comma = dialect.decimal == ","
    if kind in ("money", "decimal", "share"):

        def number(value) -> str:
            text = format(value, "f") if isinstance(value, Decimal) else str(value)
            return text.replace(".", ",") if comma else text

        return number
    if kind == "int":
        return str
    if kind == "date":
        return dt.date.isoformat
    if kind == "datetime":
        return lambda value: value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return lambda value: csv_text(str(value))


def csv_chunks(table: Table, dialect: Dialect = EXCEL_SV, batch: int = 500) -> Iterator[str]:
    """The file as text chunks (a few hundred rows each), header first. Empty cells for
    ``None``; RFC 4180 quoting; CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    formatters = [_formatter(column.kind, dialect) for column in table.columns]
    if dialect.bom:
        buffer.write("\ufeff")
    writer.writerow([csv_text(column.label) for column in table.columns])
    pending = 0
    for values in table.rows:
        writer.writerow(
            [
                "" if value is None else fmt(value)
                for fmt, value in zip(formatters, values, strict=False)
            ]
        )
        pending += 1
        if pending >= batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def write_csv(table: Table, stream, dialect: Dialect = EXCEL_SV) -> None:
    """Write ``table`` to a binary ``stream`` as UTF-8."""
    for chunk in csv_chunks(table, dialect):
        stream.write(chunk.encode("utf-8"))
