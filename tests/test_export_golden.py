"""Exports compared with golden files kept in ``tests/data/golden/``: the balance of 2010 as
XLSX and JSON, and the totals of 2010 per month as CSV in both dialects, each written by
``insyn export`` from the small ledger of ``tests/ledger.py``.

A CSV file is compared byte for byte. A workbook is compared cell by cell (value, type,
number format, bold) on both sheets, and a JSON document as parsed data: their writers stamp
the time of export ("Exporterad" on the "Om data" sheet, ``created_at``), which is checked
for its form only.

To change a golden file on purpose, run these tests with ``INSYN_REGENERATE_GOLDEN=1``: they
rewrite the files and fail, so that nobody regenerates by accident; read the new files (``git
diff``, or open them) and run the tests again without the variable. See
``tests/data/golden/README.md``.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import TEST_DATA
from tests.ledger import build_ledger

GOLDEN = TEST_DATA / "golden"
REGENERATE = os.environ.get("INSYN_REGENERATE_GOLDEN") == "1"
#: How the "Om data" sheet writes the time of export.
EXPORTED_AT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
#: How a JSON document writes its ``created_at``.
CREATED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
#: Columns that hold database ids (the flags' sheet and part). Ids differ between databases
#: (PostgreSQL's sequences do not roll back with a test's transaction): they are compared
#: with the ledger's own records instead of with the golden file.
ID_KEYS = ("contract_id", "vendor_id", "invoice_ids")
ID_LABELS = ("Avtal (id)", "Leverantör (id)", "Fakturor (id)")
ID_MARK = "<id>"


@pytest.fixture
def ledger(db):
    return build_ledger()


def _export(runner, tmp_path: Path, name: str, *args: str) -> bytes:
    path = tmp_path / name
    result = runner.invoke(args=["export", *args, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _golden(name: str, written: bytes) -> bytes:
    """The golden file ``name``; with ``INSYN_REGENERATE_GOLDEN=1``, first replaced by
    ``written`` and the test failed on purpose."""
    path = GOLDEN / name
    if REGENERATE:
        path.write_bytes(written)
        pytest.fail(
            f"{path.relative_to(TEST_DATA.parent.parent)} rewritten: read it, then run the "
            "tests again without INSYN_REGENERATE_GOLDEN"
        )
    assert path.exists(), f"no golden file {name}: run with INSYN_REGENERATE_GOLDEN=1 once"
    return path.read_bytes()


def _cells(data: bytes, ids: list | None = None) -> dict[str, list]:
    """Every sheet's cells as (value, type, number format, bold), row by row, with the time
    of export checked for its form and replaced by a mark, and database ids replaced by a mark
    (and appended to ``ids``); and how the sheet is laid out."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheets: dict[str, list] = {}
    for sheet in workbook.worksheets:
        rows = []
        id_columns: set[int] = set()
        for number, row in enumerate(sheet.iter_rows()):
            cells = []
            for column, cell in enumerate(row):
                value = cell.value
                if isinstance(value, str) and EXPORTED_AT.fullmatch(value):
                    value = "<time of export>"
                if value in ID_LABELS:
                    id_columns.add(column)
                elif number and column in id_columns and value is not None:
                    if ids is not None:
                        ids.append(value)
                    value = ID_MARK
                cells.append((value, cell.data_type, cell.number_format, bool(cell.font.bold)))
            rows.append(cells)
        layout = (sheet.freeze_panes, sheet.auto_filter.ref, sheet.max_row, sheet.max_column)
        sheets[sheet.title] = [layout, *rows]
    return sheets


def test_the_balance_as_xlsx_is_the_golden_workbook(ledger, runner, tmp_path):
    written = _export(runner, tmp_path, "balance.xlsx", "balance", "--year", "2010", "--public")
    golden = _golden("balance-2010.xlsx", written)
    ids: list = []
    cells = _cells(written, ids)
    assert cells == _cells(golden)
    assert ids == _flag_ids(ledger)
    about = [row[0][0] for row in cells["Om data"][1:]]
    assert "Exporterad" in about  # the stamp was there, and masked on both sides
    exported = next(row[1][0] for row in cells["Om data"][1:] if row[0][0] == "Exporterad")
    assert exported == "<time of export>"


def test_the_balance_as_json_is_the_golden_document(ledger, runner, tmp_path):
    written = _export(runner, tmp_path, "balance.json", "balance", "--year", "2010", "--public",
                      "--format", "json")  # fmt: skip
    golden = _golden("balance-2010.json", written)
    document, expected = json.loads(written), json.loads(golden)
    for stamped in (document, expected):
        assert CREATED_AT.fullmatch(stamped.pop("created_at"))
    ids = []
    for part in document["parts"]:
        for row in part["rows"]:
            ids += [row[key] for key in ID_KEYS if row.get(key) is not None]
    for stamped in (document, expected):
        for part in stamped["parts"]:
            for row in part["rows"]:
                row.update({key: ID_MARK for key in ID_KEYS if row.get(key) is not None})
    assert document == expected
    assert ids == _flag_ids(ledger)


def _flag_ids(ledger) -> list:
    """The ids of the flags' rows, in the order they are written: the ledger's contract, its
    vendor and the one invoice each flag cites, number 2 (ceiling, hours and hourly rate)."""
    cited = str(ledger.invoices[2].id)
    return [ledger.contract.id, ledger.alfa.id, cited] * 3


@pytest.mark.parametrize(
    "fmt, name",
    [
        ("csv", "totals-month-2010-excel-sv.csv"),
        ("csv-rfc4180", "totals-month-2010-rfc4180.csv"),
    ],
)
def test_the_totals_as_csv_are_the_golden_bytes(ledger, runner, tmp_path, fmt, name):
    written = _export(runner, tmp_path, name, "totals", "--by", "month", "--year", "2010",
                      "--format", fmt)  # fmt: skip
    assert written == _golden(name, written)


def test_the_golden_files_are_what_the_ledger_says(ledger):
    """The golden files read by eye once, and pinned here in figures worked out by hand from
    the ledger's table: so a regenerated file that changed a figure fails."""
    excel = (GOLDEN / "totals-month-2010-excel-sv.csv").read_bytes().decode("utf-8")
    assert excel.startswith("\ufeffMånad;Valuta;Belopp exkl. moms;Fakturor;Andel\r\n")
    months = [line.split(";")[:4] for line in excel[1:].split("\r\n")[1:-1]]
    assert months == [
        ["2010-01", "SEK", "10000,00", "1"],
        ["2010-03", "SEK", "7735,06", "3"],  # 2 500.50 + 4 000.00 + 1 234.56
        ["2010-12", "SEK", "-1000,00", "1"],
        ["2010-03", "USD", "99,99", "1"],
    ]
    plain = (GOLDEN / "totals-month-2010-rfc4180.csv").read_bytes().decode("utf-8")
    assert plain.startswith("Månad,Valuta,Belopp exkl. moms,Fakturor,Andel\r\n")
    assert [line.split(",")[:4] for line in plain.split("\r\n")[1:-1]] == [
        [month, currency, amount.replace(",", "."), count]
        for month, currency, amount, count in months
    ]

    document = json.loads((GOLDEN / "balance-2010.json").read_bytes())
    assert [(row["part"], row["name"], row["currency"], row["amount"], row["count"])
            for row in document["rows"]][:4] == [
        ("Kostnader per leverantör", "Alfa Konsult AB", "SEK", "11500.50", 3),
        ("Kostnader per leverantör", "Beta Media AB", "SEK", "4000.00", 1),
        ("Kostnader per leverantör", "Privatperson", "SEK", "1234.56", 1),  # the public's view
        ("Kostnader per leverantör", "Gamma Ltd", "USD", "99.99", 1),
    ]  # fmt: skip
    assert [(row["part"], row["currency"], row["amount"]) for row in document["totals"]] == [
        ("Kostnader", "SEK", "16735.06"),
        ("Intäkter", "SEK", "34500.00"),
        ("Netto (intäkter minus kostnader)", "SEK", "17764.94"),
        ("Kostnader", "USD", "99.99"),
        ("Intäkter", "USD", "0.00"),
        ("Netto (intäkter minus kostnader)", "USD", "-99.99"),
    ]
    workbook = openpyxl.load_workbook(GOLDEN / "balance-2010.xlsx")
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[-3:] == [
        ("Kostnader", None, "USD", None, None, 99.99, None),
        ("Intäkter", None, "USD", None, None, 0, None),
        ("Netto (intäkter minus kostnader)", None, "USD", None, None, -99.99, None),
    ]
    assert document["title"] == "Balans 2010"
