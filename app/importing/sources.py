"""Opening a file and streaming its rows: workbooks with python-calamine, text with the csv
module, each row with the number a spreadsheet user sees beside it.

Workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) are read with calamine; a formula's cached
value is used, and a formula without one is reported for its row (``Source.formula_rows``),
never read as an empty cell. Text files (``.csv``, ``.txt``) have their encoding (UTF-8 with or
without BOM, UTF-16 with BOM, Windows-1252, Latin-1) and delimiter (``;`` ``,`` tab ``|``)
detected (``textfiles``). Hostile files (corrupt, encrypted, zip bombs, binaries renamed,
workbooks larger unpacked than the installation reads) are refused with one clear
:class:`~app.importing.errors.ImportFileError` before anything is parsed; rows too long or too
wide (``bounds``) when they are reached.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml import ElementTree

from app.importing import bounds
from app.importing.errors import ImportFileError
from app.importing.textfiles import csv_rows
from app.importing.textfiles import detect_delimiter
from app.importing.textfiles import detect_encoding
from app.importing.textfiles import has_nul
from app.importing.workbooks import BROKEN_ZIP
from app.importing.workbooks import MAX_SHEET_BYTES
from app.importing.workbooks import check_sheet_bytes
from app.importing.workbooks import check_zip
from app.importing.workbooks import uncached_formula_rows
from app.importing.workbooks import workbook_rows
from app.money import N_

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SUFFIXES = WORKBOOK_SUFFIXES | TEXT_SUFFIXES

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"

Cell = str | int | float | bool | None | object


@dataclass
class SheetInfo:
    name: str
    visible: bool


@dataclass
class Source:
    """An opened file, ready to stream the rows of its sheets.

    Attributes:
        filename: the name shown to the user (no directories).
        format: "xlsx", "xls", "ods" or "csv".
        sheets: every sheet of a workbook, visible or not (one unnamed sheet for text).
        sheet: the sheet asked for (``--sheet``), if any.
        encoding, delimiter: as detected, for text files.
        formula_rows: per sheet, the rows (numbered as shown) holding a formula with no
            cached value.
    """

    path: Path
    filename: str
    format: str
    sheets: list[SheetInfo] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    formula_rows: dict[str | None, set[int]] = field(default_factory=dict)
    #: The workbook while it is open (calamine parses a whole sheet at once: each sheet read
    #: is parsed once and kept in ``loaded`` while the import needs it).
    workbook: object | None = field(default=None, repr=False)
    loaded: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def hidden_sheets(self) -> list[str]:
        return [s.name for s in self.sheets if not s.visible]

    @property
    def is_workbook(self) -> bool:
        return self.format != "csv"

    def candidate_sheets(self) -> list[str | None]:
        """The sheets to look at for data: the one asked for, else every visible sheet (a
        text file's one table is ``None``)."""
        if not self.is_workbook:
            return [None]
        if self.sheet is not None:
            return [self.sheet]
        return [s.name for s in self.sheets if s.visible]

    def rows(self, sheet: str | None = None) -> Iterator[tuple[int, list]]:
        """Each row of ``sheet`` (a text file's only table for ``None``) as ``(row number as
        the spreadsheet shows it, [cells])``; empty cells are ``""`` or ``None``. Text files
        stream: a million rows cost the memory of a few.

        Raises:
            ImportFileError: the file turned out unreadable while streaming.
        """
        if self.format == "csv":
            yield from csv_rows(self.path, self.encoding, self.delimiter, self.filename)
            return
        data = self._sheet_data(sheet)
        if data.width + (data.start or (0, 0))[1] <= bounds.MAX_COLUMNS:
            yield from workbook_rows(data)
            return
        name = sheet if sheet is not None else self.candidate_sheets()[0]
        for number, cells in workbook_rows(data):
            yield number, bounds.check_width(cells, number, self.filename, name)

    def has_data(self, sheet: str | None) -> bool:
        if not self.is_workbook:
            return True
        data = self._sheet_data(sheet)
        return data.height > 0 and data.width > 0

    def formula_rows_of(self, sheet: str | None) -> set[int]:
        """Rows of ``sheet`` holding a formula with no calculated value (xlsx only).

        Raises:
            ImportFileError: the workbook's XML cannot be read.
        """
        if self.format != "xlsx" or sheet is None:
            return set()
        if sheet not in self.formula_rows:
            try:
                self.formula_rows[sheet] = uncached_formula_rows(self.path, sheet)
            except (DefusedXmlException, ElementTree.ParseError, *BROKEN_ZIP):
                raise ImportFileError(
                    N_("%(file)s is not a readable workbook."), file=self.filename
                ) from None
        return self.formula_rows[sheet]

    def release(self, sheet: str | None) -> None:
        """Forget a sheet's parsed cells (a sheet not imported need not stay in memory)."""
        if sheet is not None:
            self.loaded.pop(sheet, None)

    def close(self) -> None:
        """Close the workbook and drop every parsed sheet."""
        self.loaded.clear()
        if self.workbook is not None:
            self.workbook.close()
            self.workbook = None

    def _sheet_data(self, sheet: str | None):
        name = sheet if sheet is not None else self.candidate_sheets()[0]
        data = self.loaded.get(name)
        if data is None:
            if self.workbook is None:
                raise ImportFileError(
                    N_("%(file)s is not a readable workbook."), file=self.filename
                )
            try:
                data = self.workbook.get_sheet_by_name(name)
            except Exception:  # a sheet calamine cannot read (broken XML, a lying zip entry…)
                raise ImportFileError(
                    N_("%(file)s is not a readable workbook."), file=self.filename
                ) from None
            self.loaded[name] = data
        return data


def open_source(
    path: str | Path,
    filename: str | None = None,
    sheet: str | None = None,
    max_sheet_bytes: int = MAX_SHEET_BYTES,
) -> Source:
    """Open ``path`` for reading. A workbook stays open until :meth:`Source.close`.

    Args:
        path: the file on disk.
        filename: its name as the user knows it (an upload's name); defaults to the path's.
        sheet: the one sheet to read; by default every visible sheet is looked at.
        max_sheet_bytes: the most a workbook's sheets may take unpacked (an ``.xls`` file:
            its size), as calamine parses a sheet whole into memory; text files stream and
            have no such limit.

    Raises:
        ImportFileError: the file is empty, of a kind Insyn does not read, corrupt, encrypted,
            a zip bomb, binary where text was expected, larger unpacked than
            ``max_sheet_bytes``, or has no such sheet.
    """
    path = Path(path)
    filename = filename or path.name
    suffix = Path(filename).suffix.lower()
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        raise ImportFileError(N_("The file %(file)s cannot be opened."), file=filename) from None
    if size == 0:
        raise ImportFileError(N_("The file %(file)s is empty."), file=filename)
    if suffix not in SUFFIXES:
        raise ImportFileError(
            N_("%(file)s is not a file Insyn reads: use .xlsx, .xlsm, .xls, .ods, .csv or .txt."),
            file=filename,
        )
    if suffix in TEXT_SUFFIXES:
        return _open_text(path, filename, head)
    return _open_workbook(path, filename, suffix, head, sheet, size, max_sheet_bytes)


# --- workbooks -------------------------------------------------------------------------------


def _open_workbook(
    path: Path,
    filename: str,
    suffix: str,
    head: bytes,
    sheet: str | None,
    size: int,
    max_sheet_bytes: int,
) -> Source:
    if suffix in {".xlsx", ".xlsm", ".ods"}:
        if head.startswith(_OLE_SIGNATURE):
            raise ImportFileError(
                N_("%(file)s is password-protected. Save it without a password and try again."),
                file=filename,
            )
        if not head.startswith(_ZIP_SIGNATURE):
            raise ImportFileError(N_("%(file)s is not a readable workbook."), file=filename)
        check_zip(path, filename, max_sheet_bytes)
    elif not head.startswith(_OLE_SIGNATURE):
        raise ImportFileError(N_("%(file)s is not a readable workbook."), file=filename)
    else:
        check_sheet_bytes(size, filename, max_sheet_bytes)  # an .xls is not compressed
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise ImportFileError(
            N_("%(file)s is password-protected. Save it without a password and try again."),
            file=filename,
        ) from None
    except Exception:  # calamine reports corrupt files with several exception types
        raise ImportFileError(N_("%(file)s is not a readable workbook."), file=filename) from None
    try:
        sheets = [
            SheetInfo(m.name, m.visible == python_calamine.SheetVisibleEnum.Visible)
            for m in workbook.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
    except Exception:  # the workbook's sheet list cannot be read
        workbook.close()
        raise ImportFileError(N_("%(file)s is not a readable workbook."), file=filename) from None
    source = Source(
        path=path,
        filename=filename,
        format=suffix.lstrip(".").replace("xlsm", "xlsx"),
        sheets=sheets,
        sheet=sheet,
        workbook=workbook,
    )
    names = [s.name for s in sheets]
    try:
        if sheet is not None and sheet not in names:
            raise ImportFileError(
                N_("%(file)s has no sheet called “%(sheet)s”. Its sheets: %(sheets)s."),
                file=filename,
                sheet=sheet,
                sheets=", ".join(names),
            )
        if not any(source.has_data(name) for name in source.candidate_sheets()):
            raise ImportFileError(N_("%(file)s has no sheet with data."), file=filename)
    except ImportFileError:
        source.close()
        raise
    return source


# --- text ------------------------------------------------------------------------------------


def _open_text(path: Path, filename: str, head: bytes) -> Source:
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and has_nul(path):
        raise ImportFileError(
            N_(
                "%(file)s is not a text file. Save the spreadsheet as CSV, or import the "
                "workbook itself."
            ),
            file=filename,
        )
    encoding = detect_encoding(path)
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            sample = handle.read(64 * 1024)
    except UnicodeDecodeError:  # a byte-order mark the bytes after it belie
        raise ImportFileError(
            N_("%(file)s mixes text encodings and cannot be read."), file=filename
        ) from None
    if not sample.strip():
        raise ImportFileError(N_("The file %(file)s is empty."), file=filename)
    return Source(
        path=path,
        filename=filename,
        format="csv",
        sheets=[SheetInfo(filename, True)],
        sheet=None,
        encoding=encoding,
        delimiter=detect_delimiter(sample),
    )


def read_sample(source: Source, rows: int = 30, sheet: str | None = None) -> list[tuple[int, list]]:
    """The first ``rows`` rows of ``sheet``, for finding the header and reading the columns."""
    sample = []
    for item in source.rows(sheet):
        sample.append(item)
        if len(sample) >= rows:
            break
    return sample


__all__ = [
    "Source",
    "SheetInfo",
    "open_source",
    "read_sample",
]
