"""A :class:`~app.exporting.table.Table` as an XLSX workbook, streamed with openpyxl's
write-only mode: memory stays flat whatever the number of rows.

The first sheet holds the table: a bold, frozen header with an autofilter, numbers as numbers
with a money format, dates as dates, and the totals rows in bold below the data. The second,
"Om data", says what the export holds: its filters, when it was made, its sources (import
batches with file names and SHA-256) and the licence.

Text is never a formula: openpyxl takes any string starting with ``=`` for one, so such text
(and anything else a spreadsheet might evaluate) is written as a string cell with Excel's
"quote prefix", and control characters XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import call
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.exporting.cells import FORMULA_STARTS
from app.exporting.table import Column
from app.exporting.table import Table

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SHARE_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.00"
INT_FORMAT = "0"

_FORMATS = {
    "money": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
    "share": SHARE_FORMAT,
    "decimal": DECIMAL_FORMAT,
}
_WIDTHS = {
    "text": 28,
    "money": 16,
    "decimal": 10,
    "share": 9,
    "int": 9,
    "date": 12,
    "datetime": 17,
}
_BOLD = Font(bold=True)

#: The second sheet's name, in Swedish as Swedish publishers name it.
ABOUT_SHEET = "Om data"


def sheet_title(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return (cleaned or "Data")[:31]


def clean_text(value: str) -> str:
    """Text an XLSX cell can hold: XML's forbidden control characters removed (tab, line feed
    and carriage return stay)."""
    if value.isprintable():
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", value)


class _RowWriter:
    """Turns a row of cell values into what the write-only sheet appends.

    Styled columns reuse one cell object each (the sheet writes a row out before the next is
    built), so a million rows do not make millions of styled cells. Each column gets its
    converter once, so a data row costs one call per cell."""

    def __init__(self, sheet, columns: Sequence[Column]):
        self.sheet = sheet
        self.kinds = [column.kind for column in columns]
        self.templates: list[WriteOnlyCell | None] = []
        for column in columns:
            number_format = _FORMATS.get(column.kind)
            if number_format is None:
                self.templates.append(None)
                continue
            cell = WriteOnlyCell(sheet)
            cell.number_format = number_format
            self.templates.append(cell)
        self.converters = [
            self._converter(kind, template)
            for kind, template in zip(self.kinds, self.templates, strict=True)
        ]

    def _converter(self, kind: str, template: WriteOnlyCell | None):
        """A column's cell value → what the sheet appends, for rows not in bold: ``None``
        empty, text through :meth:`text`, an aware datetime in UTC, a styled column's value in
        its template cell."""
        text = self.text

        def plain(value):
            if isinstance(value, str):
                if value.isprintable() and not value.startswith(FORMULA_STARTS):
                    return value  # what text() would return
                return text(value)
            return value

        if template is None:
            return plain
        in_utc = kind == "datetime"

        def styled(value):
            if value is None:
                return None
            if isinstance(value, str):
                return plain(value)
            if in_utc and isinstance(value, dt.datetime) and value.tzinfo:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            template.value = value
            return template

        return styled

    def row(self, values: Sequence, bold: bool = False) -> list:
        if not bold:
            return list(map(call, self.converters, values))
        out: list = []
        for kind, template, value in zip(self.kinds, self.templates, values, strict=False):
            if value is None:
                out.append(None)
                continue
            if isinstance(value, str):
                out.append(self.text(value, bold))
                continue
            if kind == "datetime" and isinstance(value, dt.datetime) and value.tzinfo:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.font = _BOLD
            if template is not None:
                cell.number_format = template.number_format
            out.append(cell)
        return out

    def text(self, value: str, bold: bool = False):
        value = clean_text(value)
        if not value.startswith(FORMULA_STARTS) and not bold:
            return value
        cell = WriteOnlyCell(self.sheet, value=None)
        cell._value = value  # set directly: assigning would make "=…" a formula
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        if bold:
            cell.font = _BOLD
        return cell


def write_xlsx(table: Table, stream: BinaryIO) -> int:
    """Write ``table`` to ``stream`` as a workbook; returns the number of data rows.

    Raises:
        openpyxl's errors only for a broken stream; every cell value is made writable.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(table.title))
    for index, column in enumerate(table.columns, 1):
        width = column.width or max(_WIDTHS[column.kind], min(len(column.label) + 2, 40))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    writer = _RowWriter(sheet, table.columns)
    sheet.append([writer.text(column.label, bold=True) for column in table.columns])
    count = 0
    for values in table.rows:
        sheet.append(writer.row(values))
        count += 1
    last = get_column_letter(max(len(table.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    for values in table.totals:
        sheet.append(writer.row(values, bold=True))
    for part in table.parts:
        _part_sheet(workbook, part)
    _about_sheet(workbook, table, count)
    workbook.save(stream)
    return count


def _part_sheet(workbook: Workbook, part: Table) -> None:
    """A further table of the export on a sheet of its own, laid out as the first."""
    sheet = workbook.create_sheet(sheet_title(part.title))
    for index, column in enumerate(part.columns, 1):
        width = column.width or max(_WIDTHS[column.kind], min(len(column.label) + 2, 40))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    writer = _RowWriter(sheet, part.columns)
    sheet.append([writer.text(column.label, bold=True) for column in part.columns])
    for values in part.rows:
        sheet.append(writer.row(values))
    for values in part.totals:
        sheet.append(writer.row(values, bold=True))


def _about_sheet(workbook: Workbook, table: Table, count: int) -> None:
    from flask_babel import gettext

    sheet = workbook.create_sheet(ABOUT_SHEET)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 60
    for letter in "CDE":
        sheet.column_dimensions[letter].width = 20
    writer = _RowWriter(sheet, [Column("a", ""), Column("b", ""), Column("c", "")])
    created = table.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines: list[list] = [
        [writer.text(table.title, bold=True)],
        [],
        [gettext("Exported"), created],
        [gettext("Rows"), count],
        [gettext("Licence"), table.licence or gettext("not stated")],
        [],
        [writer.text(gettext("Filters and choices"), bold=True)],
    ]
    lines += [[writer.text(label), writer.text(value)] for label, value in table.about]
    if not table.about:
        lines.append([gettext("None: every valid invoice")])
    if table.notes:
        lines += [[], [writer.text(gettext("How the figures are computed"), bold=True)]]
        lines += [[writer.text(note)] for note in table.notes]
    lines += [[], [writer.text(gettext("Sources"), bold=True)]]
    if table.sources:
        lines.append(
            [
                writer.text(label, bold=True)
                for label in (
                    gettext("Import"),
                    gettext("File"),
                    gettext("SHA-256"),
                    gettext("Imported"),
                    gettext("Rows"),
                )
            ]
        )
        for source in table.sources:
            imported = (
                source.imported_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
                if source.imported_at
                else ""
            )
            lines.append(
                [
                    source.batch_id,
                    writer.text(source.filename),
                    source.sha256 or "",
                    imported,
                    source.rows,
                ]
            )
    else:
        lines.append([gettext("Entered by hand in Insyn; no imported file.")])
    for line in lines:
        sheet.append(line)
