"""The whole import over hostile files, bounded: arbitrary bytes as CSV, workbooks with
arbitrary cells, and workbooks with bytes flipped. Each ends in a report (imported, rejected
with its issues, or unreadable with the reason), never in another exception, and a file that
is written is written whole: the report's totals are the database's."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.importing.plan import Options
from app.importing.run import run_import
from app.models import ImportBatch
from app.models import Invoice


@pytest.fixture
def session(db):
    """The test's session (the ``db`` object itself cannot be shown in a failure report)."""
    return db.session


STATUSES = {"ok", "rejected", "duplicate", "unreadable"}
HEADERS = ["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp", "Org.nr", "Konto"]
HEADER_LINE = ";".join(HEADERS[:4]).encode() + b"\r\n"

#: Cells a hostile or broken ledger holds.
TEXT = st.text(max_size=30).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
CELLS = st.one_of(
    TEXT,
    st.sampled_from(["1 234,50", "-0,01", "1e308", "99999999999999999999", "=SUM(A1)", "0000-01-01",
                     "9999-12-31", "556036-0793", "SE811218987601", "ANDERSSON;ANNA", "\u202eAB"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.booleans(),
    st.none(),
)  # fmt: skip
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=8)


def _share(part: float) -> int:
    """A part of the profile's examples: a whole import costs more than a cell's reading."""
    return max(10, int(settings.default.max_examples * part))


def _run(session, data: bytes, suffix: str) -> None:
    """Import ``data`` as a file with ``suffix`` (written, then rolled back) and check the
    report against the database."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        savepoint = session.begin_nested()
        try:
            before = session.scalar(sa.select(sa.func.count()).select_from(Invoice))
            report = run_import(path, path.name, Options(skip_invalid=True))
            assert report.status in STATUSES
            if report.status == "unreadable":
                assert report.error and report.error["message"]
            if report.status == "rejected":
                assert report.issues or report.missing or report.error
            after = session.scalar(sa.select(sa.func.count()).select_from(Invoice))
            if report.written and report.kind == "invoices":
                assert after - before == report.imported
                batch_sum = session.scalar(
                    sa.select(sa.func.sum(Invoice.net_amount)).where(
                        Invoice.import_batch_id == report.batch_id
                    )
                ) or Decimal("0.00")
                assert batch_sum == sum((Decimal(v) for v in report.totals.values()), Decimal(0))
            elif not report.written:
                assert after == before
        finally:
            savepoint.rollback()


@settings(max_examples=_share(2 / 3))
@given(st.booleans(), st.binary(max_size=300))
@example(True, b"Penseo AB;F1;2012-03-01;1 000,00\r\n")
@example(True, b"A;1;20120301;1e400\r\nB;2;0000-01-01;5\r\n")
def test_any_bytes_imported_as_csv_end_in_a_report(session, with_header, content):
    _run(session, (HEADER_LINE if with_header else b"") + content, ".csv")


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    # The same bytes for the same rows, so that every run sees the same examples.
    book.properties.created = book.properties.modified = dt.datetime(2020, 1, 1)
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    # The zip stamps each member with the time it was written: restamp them, so that the
    # flipped bytes of one example fall on the same places in every run.
    fixed = io.BytesIO()
    with zipfile.ZipFile(stream) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            info.date_time = (2020, 1, 1, 0, 0, 0)
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


@settings(max_examples=_share(1 / 2))
@given(ROWS)
@example([["Penseo AB", "F1", dt.date(2012, 3, 1), 1000.5]])
@example([["A", "1", dt.date(2012, 3, 1), float("inf")], ["B", "2", 0, 1e308]])
def test_any_cells_imported_as_a_workbook_end_in_a_report(session, rows):
    _run(session, _workbook(rows), ".xlsx")


@settings(max_examples=_share(1 / 3))
@given(ROWS, st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8))
@example(
    [["A", -3.79e16, dt.date(200, 3, 16), dt.date(4418, 6, 16)], ["9999-12-31", None, 1.7e20]],
    [(2100, 44), (798, 111), (6594, 218), (949, 196), (788, 199)],
)
def test_a_workbook_with_bytes_flipped_ends_in_a_report(session, rows, flips):
    data = bytearray(_workbook(rows))
    for at, value in flips:
        data[at % len(data)] = value
    _run(session, bytes(data), ".xlsx")


def test_a_workbook_found_damaged_while_its_rows_are_read_writes_nothing(
    session, monkeypatch, tmp_path
):
    """Damage that only shows once the rows are read (after the columns were chosen) gives
    the same report as damage found at once, and leaves no batch and no invoice behind."""
    import app.importing.sources as sources

    def damaged(path, sheet):
        raise zipfile.BadZipFile("Bad CRC-32 for file 'xl/worksheets/sheet1.xml'")

    monkeypatch.setattr(sources, "uncached_formula_rows", damaged)
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(_workbook([["Penseo AB", "F1", dt.date(2012, 3, 1), 1000.5]]))
    batches = session.scalar(sa.select(sa.func.count()).select_from(ImportBatch))
    report = run_import(path, path.name, Options())
    assert report.status == "unreadable"
    assert report.error["params"] == {"file": "ledger.xlsx"}
    assert not report.written
    assert session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == batches
