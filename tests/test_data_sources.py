"""The test data in ``tests/data`` is what SOURCES.md says it is: every file listed, each the
exact blob of its source (the hash ``git hash-object`` prints), and each file's row count and
amount total recomputed here with ``csv``, ``decimal`` and a bare workbook reader, never with
Insyn's importer, so that the importer's own tests compare against an independent figure."""

from __future__ import annotations

import csv
import hashlib
import io
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
    assert len(SOURCES) >= 6
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


def csv_rows(name: str, encoding: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows that hold anything, as the csv module reads them."""
    raw = (REAL_DATA / name).read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    return rows[0], [row for row in rows[1:] if any(cell.strip() for cell in row)]


def cents(text: str) -> Decimal:
    """A CSV amount as written (``1,000.00``, ``1616.23 ``, R's ``73757.23999999999``)."""
    return Decimal(text.strip().replace(",", "")).quantize(Decimal("0.01"))


# Each CSV with its encoding and the rows that are not data (Craven ends with a totals row).
CSV_FILES = {
    "leeds_spend_2020-06.csv": ("cp1252", 0),
    "leeds_spend_2010-12.csv": ("utf-8", 0),
    "craven_payments_over_500_2017-03.csv": ("cp1252", 1),
    "canada_contracts_amendments_extract.csv": ("utf-8", 0),
}


@pytest.mark.parametrize("name", sorted(CSV_FILES))
def test_csv_rows_and_total(name):
    encoding, trailing_totals = CSV_FILES[name]
    entry = SOURCES[name]
    header, rows = csv_rows(name, encoding)
    if trailing_totals:
        rows, totals_row = rows[:-trailing_totals], rows[-1]
    column = header.index(entry["amount column"])
    total = sum(
        (cents(row[column]) for row in rows if row[column].strip() not in ("", "NA")),
        Decimal(0),
    )
    assert len(rows) == int(entry["rows"])
    assert total == Decimal(entry["total"])
    if trailing_totals:
        assert cents(totals_row[column]) == total  # the file's own totals row agrees


@pytest.mark.parametrize(
    "name",
    sorted(name for name in SOURCES if name.endswith(".xlsx")),
)
def test_workbook_rows_and_total(name):
    entry = SOURCES[name]
    sheet = CalamineWorkbook.from_path(str(REAL_DATA / name)).get_sheet_by_index(0)
    rows = sheet.to_python()
    column = rows[0].index(entry["amount column"])
    data = [row for row in rows[1:] if any(str(cell).strip() for cell in row)]
    # Cells hold binary floats (1299.1199999999999): each is rounded to the öre as written.
    total = sum((Decimal(repr(row[column])).quantize(Decimal("0.01")) for row in data), Decimal(0))
    assert len(data) == int(entry["rows"])
    assert total == Decimal(entry["total"])
