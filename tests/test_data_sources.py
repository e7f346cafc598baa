"""The test data in ``tests/data`` is what SOURCES.md says it is: every file listed, each the
exact blob of its source (the hash ``git hash-object`` prints), and each file's row count and
amount total recomputed here with ``csv``, ``decimal`` and a bare workbook reader, never with
Insyn's importer, so that the importer's own tests compare against an independent figure."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import OCDS_SCHEMAS
from tests.conftest import REAL_DATA
from tests.conftest import TEST_DATA


def blob_hash(path: Path) -> str:
    """The git blob id of a file's bytes: SHA-1 over ``blob <size>\\0`` and the content."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def listed_files() -> dict[str, dict[str, str]]:
    """The table at the top of SOURCES.md, one entry per file name."""
    text = (REAL_DATA / "SOURCES.md").read_text(encoding="utf-8")
    entries: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            if header is not None:
                break  # the first table ends at the first line that is not a row
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if header is None:
            header = cells
        elif not set(cells[0]) <= {"-"}:
            entries[cells[0]] = dict(zip(header, cells, strict=True))
    return entries


SOURCES = listed_files()


def test_every_file_is_listed_and_every_listed_file_is_there():
    present = {p.name for p in REAL_DATA.iterdir() if p.name != "SOURCES.md"}
    assert present == set(SOURCES)
    assert len(SOURCES) >= 18
    for entry in SOURCES.values():
        assert entry["licence"], entry
        assert entry["currency"].isalpha() and len(entry["currency"]) == 3, entry


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_file_is_the_source_blob(name):
    assert blob_hash(REAL_DATA / name) == SOURCES[name]["blob (git hash-object)"]


def test_ocds_schemas_are_the_published_ones():
    # The blobs of open-contracting/standard at tag 1__1__5 (SOURCE.md there).
    expected = {
        "release-package-schema.json": "aefaa2df1cf93ab0c9320722e53185a797931db7",
        "release-schema.json": "38a70b5c58c42a24ae609b92f0dcb82618f742bb",
        "dereferenced-release-schema.json": "d788df2f4ee4e120d387fa4117762556eebd69cd",
    }
    assert {name: blob_hash(OCDS_SCHEMAS / name) for name in expected} == expected
    assert OCDS_SCHEMAS.parent == TEST_DATA


# --- each file's rows and total, recomputed without Insyn ---------------------------------------
#
# The rules, the same for every file: a text file is UTF-8 (a BOM allowed) or else Windows-1252,
# split by whichever of ; , or tab its header line holds most. The header is the first row
# with a cell naming the amount column (whitespace collapsed; " / " separates the spellings of
# a workbook whose sheets differ), and a later row naming it starts another table, read by its
# own positions. A row of data has an amount and something besides it; a row holding only an
# amount is a totals row and must equal the sum; a row without an amount is not data. Every
# visible sheet of a workbook counts. Amounts: numbers as they are (binary floats rounded to
# the cent), text with its currency marks, spaces and thousands separators taken out, a minus
# in front or behind, and a decimal comma where the file's amounts end in a comma and two
# digits and never in a point and one or two ("NA" counts as a row, not as an amount).


def _squeezed(cell) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _tables(rows: list[list], names: set[str]):
    """Each row below a header with the amount's position in its table."""
    position = None
    for row in rows:
        cells = [_squeezed(c) for c in row]
        found = [i for i, c in enumerate(cells) if c in names]
        if found:
            position = found[0]
            continue
        if position is not None:
            yield row, position


def _decimal_comma(texts: list[str]) -> bool:
    comma = any(re.search(r",\d{2}\s*-?$", t) for t in texts)
    point = any(re.search(r"\.\d{1,2}\s*-?$", t) for t in texts)
    return comma and not point


def _money(cell, comma: bool) -> Decimal:
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell)).quantize(Decimal("0.01"))
    text = re.sub(r"[\s\u00a0£$€]|kr|Kč", "", str(cell))
    negative = text.endswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()").rstrip("-")
    text = text.replace(".", "").replace(",", ".") if comma else text.replace(",", "")
    value = Decimal(text).quantize(Decimal("0.01"))
    return -value if negative else value


def _rows_of(name: str) -> list[list]:
    path = REAL_DATA / name
    if name.endswith(".xlsx"):
        workbook = CalamineWorkbook.from_path(str(path))
        rows = []
        for sheet in workbook.sheets_metadata:
            if str(sheet.visible).endswith("Visible"):
                rows.extend(workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False))
        return rows
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = next(line for line in text.splitlines() if line.strip(" ,;\t"))
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def recount(name: str, amount_column: str) -> tuple[int, Decimal]:
    """The rows of data and the total of the amount column, by the rules above."""
    names = {_squeezed(n) for n in amount_column.split(" / ")}
    found = list(_tables(_rows_of(name), names))
    texts = [str(row[i]) for row, i in found if i < len(row) and isinstance(row[i], str)]
    comma = _decimal_comma(texts)
    count, total, stated = 0, Decimal(0), None
    for row, position in found:
        cell = row[position] if position < len(row) else None
        if not _filled(cell):
            continue
        others = sum(1 for i, c in enumerate(row) if i != position and _filled(c))
        if not others:
            stated = _money(cell, comma)
            continue
        count += 1
        if str(cell).strip() not in ("NA",):
            total += _money(cell, comma)
    if stated is not None:
        assert stated == total, (name, stated, total)  # the file's own totals row agrees
    return count, total


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_rows_and_total(name):
    entry = SOURCES[name]
    count, total = recount(name, entry["amount column"])
    assert count == int(entry["rows"])
    assert total == Decimal(entry["total"])
