"""The parts of reading a workbook that calamine does not do: refusing a zip that is broken
or a bomb, and finding the rows of a sheet holding a formula Excel never calculated (read as
empty, which must not pass for a zero)."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from defusedxml import ElementTree

from app.importing.errors import ImportFileError
from app.money import N_

#: A zip member that inflates more than this many times is a bomb, not a spreadsheet.
MAX_COMPRESSION_RATIO = 200
#: Default ceiling on what a workbook may inflate to, in bytes.
MAX_UNCOMPRESSED = 4 * 1024**3
#: What Python's zipfile (and zlib under it) raise for a damaged archive: a bad header, an
#: unknown compression or version, an encrypted member, a truncated or corrupt stream, and
#: a cell reference that is not one.
BROKEN_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    ValueError,
    OSError,
)


#: Default ceiling on a workbook's sheets (their XML and the text they share), in bytes
#: unpacked: calamine parses a sheet whole, into about 1.6 times its XML in memory.
MAX_SHEET_BYTES = 512 * 1024**2
#: The zip members whose cells calamine holds in memory: sheets (xlsx, ods) and the strings
#: they share.
_SHEET_MEMBER = re.compile(r"^(xl/worksheets/[^/]+\.xml|xl/sharedStrings\.xml|content\.xml)$")


def check_zip(path: Path, filename: str, max_sheet_bytes: int = MAX_SHEET_BYTES) -> None:
    """Refuse a zip that is broken, inflates beyond reason (a zip bomb), or holds sheets
    larger than ``max_sheet_bytes`` unpacked (read from the zip's directory: no sheet is
    inflated to tell).

    Raises:
        ImportFileError: all three, each with its own message.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            total = sheets = 0
            for info in archive.infolist():
                total += info.file_size
                if _SHEET_MEMBER.match(info.filename):
                    sheets += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > MAX_UNCOMPRESSED or (
                    info.file_size > 10_000_000 and ratio > MAX_COMPRESSION_RATIO
                ):
                    raise ImportFileError(
                        N_(
                            "%(file)s unpacks to far more data than a spreadsheet holds; "
                            "it is not imported."
                        ),
                        file=filename,
                    )
    except BROKEN_ZIP:
        raise ImportFileError(N_("%(file)s is not a readable workbook."), file=filename) from None
    check_sheet_bytes(sheets, filename, max_sheet_bytes)


def check_sheet_bytes(size: int, filename: str, max_sheet_bytes: int) -> None:
    """Refuse a workbook whose sheets take ``size`` bytes, more than ``max_sheet_bytes``.

    Raises:
        ImportFileError: it is larger.
    """
    if size > max_sheet_bytes:
        raise ImportFileError(
            N_(
                "The sheets of %(file)s take %(size)s MB unpacked; this installation reads "
                "workbooks of up to %(limit)s MB. Save the sheet as CSV (read row by row, "
                "whatever its size), or split the workbook."
            ),
            file=filename,
            size=_megabytes(size),
            limit=_megabytes(max_sheet_bytes),
        )


def _megabytes(size: int) -> int | float:
    """Bytes as megabytes for a message: whole ones, or one decimal below ten."""
    value = size / 1024**2
    return round(value) if value >= 10 else round(value, 1)


def workbook_rows(sheet) -> Iterator[tuple[int, list]]:
    _start_row, start_col = sheet.start or (0, 0)
    # calamine's iter_rows yields the empty rows above the first used cell too (so rows keep
    # their numbers), but starts every row at the first used column: pad the columns so
    # positions match the letters.
    pad = [""] * start_col
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, (pad + cells) if pad else cells


def uncached_formula_rows(path: Path, sheet_name: str) -> set[int]:
    """Rows of the sheet holding a formula whose value was never calculated (``<f>`` without
    ``<v>``): calamine would read them as empty, which must not pass for a zero."""
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet_name)
        if member is None or not _mentions_formula(archive, member):
            return set()
        rows: set[int] = set()
        namespace = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        with archive.open(member) as stream:
            for _event, element in ElementTree.iterparse(stream):
                if element.tag == f"{namespace}c":
                    value = element.find(f"{namespace}v")
                    # openpyxl (and others) write an empty <v/>; only a formula giving text
                    # (t="str") can have an empty cached value.
                    if element.find(f"{namespace}f") is not None and (
                        value is None or (not value.text and element.get("t") != "str")
                    ):
                        rows.add(int(re.sub(r"^[A-Z]+", "", element.get("r", "A0"))))
                    element.clear()
                elif element.tag == f"{namespace}row":
                    element.clear()
        return rows


def _mentions_formula(archive: zipfile.ZipFile, member: str) -> bool:
    """A fast scan of the raw XML for a formula tag, so sheets without any skip the parse."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if b"<f>" in window or b"<f " in window:
                return True
            tail = chunk[-4:]
    return False


def _sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding ``sheet_name``'s cells, from the workbook's relationships."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {r.get("Id"): r.get("Target") for r in rels}
    for sheet in workbook.iter(f"{main}sheet"):
        if sheet.get("name") == sheet_name:
            target = targets.get(sheet.get(f"{rel}id"), "")
            target = target.lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return None
