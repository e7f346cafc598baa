"""What the first pass finds in a workbook (``app.importing.plan`` and ``scan``): every sheet
in the layout of the data, read in one batch with each row's sheet kept; sheets in another
layout listed and importable on their own; a second header inside a sheet starting a table
read by its own header; and the check for a file imported before made per sheet."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from app.importing.plan import Options
from app.importing.run import run_import
from app.models import ImportBatch
from app.models import ImportSheet
from app.models import Invoice
from tests.test_importing_errors import import_file

MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan '24", "Feb '24",
          "Mar '24"]  # fmt: skip


def monthly_workbook(path: Path, *, notes_sheet: bool = True) -> dict[str, tuple[int, Decimal]]:
    """Twelve monthly sheets in one layout (the header's spelling changes in October, as a
    real police commissioner's does), a notes sheet in front, and a summary sheet in another
    layout at the back. Returns each month's rows and total, computed here."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    if notes_sheet:
        first.title = "Read me"
        first.append(["Spending over £500 by the commissioner, one sheet per month."])
    else:
        workbook.remove(first)
    expected = {}
    for number, month in enumerate(MONTHS):
        sheet = workbook.create_sheet(month)
        year, month_no = (2023, number + 4) if number < 9 else (2024, number - 8)
        if number < 6:
            sheet.append(["Expenditure Category", "Date", "Total Invoice Amount", "SUPPLIER"])
        else:
            sheet.append(["* Expenditure Category", "* Date", "TOTAL", "* SUPPLIER FINAL"])
        total = Decimal(0)
        rows = 3 + number % 4
        for row in range(rows):
            amount = Decimal(f"{500 + 37 * row + number}.{(row * 13 + number) % 100:02d}")
            if number == 10 and row == 0:
                amount = -amount  # a credit in February
            total += amount
            day = dt.date(year, month_no, 1 + row * 3)
            # Excel serials in unformatted cells beside real date cells, as the file has them.
            when = (day - dt.date(1899, 12, 30)).days if row % 2 else day
            sheet.append([f"Category {row % 3}", when, float(amount), f"SUPPLIER {row % 4} LTD"])
        expected[month] = (rows, total)
    summary = workbook.create_sheet("Summary")
    summary.append(["Category", "Total for the year"])
    summary.append(["Category 0", 1234.5])
    workbook.save(path)
    return expected


def _sum(db, **where) -> tuple[Decimal, int]:
    query = sa.select(sa.func.coalesce(sa.func.sum(Invoice.net_amount), 0), sa.func.count())
    for column, value in where.items():
        query = query.where(getattr(Invoice, column) == value)
    total, count = db.session.execute(query).one()
    return Decimal(total), count


def test_twelve_monthly_sheets_import_in_one_batch(runner, db, tmp_path):
    path = tmp_path / "pcc-2023-24.xlsx"
    expected = monthly_workbook(path)
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    rows = sum(n for n, _ in expected.values())
    total = sum((t for _, t in expected.values()), Decimal(0))
    assert f"Sheets:    12 read in one batch: Apr ({expected['Apr'][0]} rows)" in result.output
    assert "Sheets in another layout, not read: Summary (import one with --sheet NAME)" in (
        result.output
    )
    assert "Sheets with no table, not read: Read me" in result.output
    assert f"Imported:  {rows}\n" in result.output
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert [s.sheet for s in batch.sheets] == MONTHS
    assert [s.rows for s in batch.sheets] == [expected[m][0] for m in MONTHS]
    assert _sum(db) == (total, rows)
    for month, (count, month_total) in expected.items():
        assert _sum(db, source_sheet=month) == (month_total, count), month
    # Each row's provenance names its sheet and its row there.
    first = db.session.scalars(
        sa.select(Invoice).where(Invoice.source_sheet == "Feb '24").order_by(Invoice.source_row)
    ).first()
    assert first.source_row == 2 and first.net_amount < 0
    dates = db.session.execute(
        sa.select(sa.func.min(Invoice.invoiced_on), sa.func.max(Invoice.invoiced_on))
    ).one()
    last_day = 1 + (expected["Mar '24"][0] - 1) * 3
    assert tuple(dates) == (dt.date(2023, 4, 1), dt.date(2024, 3, last_day))


def test_the_preview_lists_the_sheets_with_their_rows(client, db, tmp_path):
    path = tmp_path / "pcc.xlsx"
    expected = monthly_workbook(path)
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "kind": "", "profile": "auto"}
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    listed = re.findall(r'<li data-sheet="([^"]+)">[^:]+: (\d+) rader</li>', page)
    assert [(name.replace("&#39;", "'"), int(n)) for name, n in listed] == [
        (m, expected[m][0]) for m in MONTHS
    ]
    assert "data-other-sheets" in page and "Summary" in page


def test_another_sheet_of_an_imported_workbook_still_imports(runner, db, tmp_path):
    path = tmp_path / "pcc.xlsx"
    expected = monthly_workbook(path)
    first = import_file(runner, path, "--sheet", "Apr")
    assert first.exit_code == 0, first.output
    assert _sum(db) == (expected["Apr"][1], expected["Apr"][0])
    rest = import_file(runner, path)
    assert rest.exit_code == 0, rest.output
    assert "Sheet Apr was imported before" in rest.output
    assert "Sheets:    11 read in one batch: May" in rest.output
    total = sum((t for _, t in expected.values()), Decimal(0))
    assert _sum(db) == (total, sum(n for n, _ in expected.values()))
    again = import_file(runner, path)
    assert again.exit_code == 0, again.output
    assert "Already imported" in again.output and "nothing was imported" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 2
    # The database holds each file's sheet for one standing batch only.
    live = db.session.scalars(sa.select(ImportSheet.sheet).where(ImportSheet.is_live.is_(True)))
    assert sorted(live) == sorted(MONTHS)


def test_a_sheet_in_another_layout_imports_when_named(runner, db, tmp_path):
    path = tmp_path / "pcc.xlsx"
    monthly_workbook(path)
    result = import_file(runner, path, "--sheet", "Summary", "--dry-run")
    assert result.exit_code == 1, result.output  # it has no supplier and no date
    assert "No column holds" in result.output or "could be in any of" in result.output


def second_table_workbook(path: Path) -> tuple[Decimal, Decimal, int, int]:
    """A fire authority's sheet: one system's rows, then another's below a header of its own,
    one column shorter and in another order. Returns both tables' totals and row counts."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data to upload"
    sheet.append(["Transaction Number", "Date", "Expenditure Category", "Supplier Name",
                  "Supplier Classification", "Amount"])  # fmt: skip
    first = Decimal(0)
    for row in range(40):
        amount = Decimal(f"{100 + row * 11}.{row % 100:02d}")
        first += amount
        sheet.append([107639310 + row, dt.datetime(2022, 4, 1 + row % 28), "Supplies",
                      f"Supplier {row % 7} Ltd", "SME", float(amount)])  # fmt: skip
    sheet.append(["Transaction Number", "Date", "Subjective Description", "Supplier Name",
                  "Amount"])  # fmt: skip
    second = Decimal(0)
    for row in range(9):
        amount = Decimal(f"{2000 + row * 101}.{(row * 7) % 100:02d}")
        second += amount
        sheet.append([f"600007{row}", dt.datetime(2022, 12, 1 + row), "Hire",
                      f"Other Supplier {row % 3} Ltd", float(amount)])  # fmt: skip
    workbook.save(path)
    return first, second, 40, 9


def test_a_second_header_halfway_down_starts_a_table_read_by_its_own_header(runner, db, tmp_path):
    path = tmp_path / "fire-2022-23.xlsx"
    first, second, first_rows, second_rows = second_table_workbook(path)
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "2 tables, headers on rows 1, 42" in result.output
    assert "Rejected:  0" in result.output
    assert _sum(db) == (first + second, first_rows + second_rows)
    below = db.session.execute(
        sa.select(sa.func.sum(Invoice.net_amount), sa.func.count()).where(Invoice.source_row > 42)
    ).one()
    assert (below[0], below[1]) == (second, second_rows)
    numbers = set(
        db.session.scalars(sa.select(Invoice.invoice_number).where(Invoice.source_row > 42))
    )
    assert numbers == {f"600007{row}" for row in range(9)}


def test_a_repeated_header_in_a_csv_file_starts_a_new_table(runner, db, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(
        "Supplier,Payment Date,Amount\n"
        "Acme Ltd,01/04/2023,10.00\n"
        "Supplier,Payment Date,Amount\n"
        "Bower Ltd,02/04/2023,20.50\n"
        "Amount,Supplier,Payment Date\n"
        "5.25,Crane Ltd,03/04/2023\n"
        "Total,,35.75\n",
        encoding="utf-8",
    )
    report = run_import(path, path.name, Options(dry_run=True))
    assert report.status == "ok", report.issues or report.error
    assert report.sheets[0]["tables"] == [1, 3, 5]
    assert report.totals == {"SEK": "35.75"}
    assert report.left_out_totals == [7]
    db.session.rollback()


def test_an_imports_options_take_the_deployments_settings_from_any_configuration():
    """The command line and the import job runner build an import's options the same way,
    from a configuration mapping: what it lacks takes the defaults."""
    rules = object()
    options = Options.with_settings(
        {"DEFAULT_CURRENCY": "eur", "DEFAULT_COUNTRY": "fi", "MAX_SHEET_BYTES": 1234},
        rules,
        kind="invoices",
        dry_run=True,
    )
    assert (options.kind, options.dry_run, options.rules) == ("invoices", True, rules)
    assert (options.default_currency, options.default_country) == ("EUR", "FI")
    assert options.max_sheet_bytes == 1234
    defaults = Options.with_settings({}, None)
    assert (defaults.default_currency, defaults.default_country) == ("SEK", "SE")
    assert defaults.max_sheet_bytes == Options().max_sheet_bytes
