"""Importing workbooks and CSV files as Swedish offices write them: titles above the header,
merged cells, amounts as text with decimal commas, space thousands separators and trailing
minus signs, Excel serial dates, a totals row, hidden sheets; CSV in Windows-1252 or UTF-8,
with ``;``, ``,``, tab or ``|`` between the fields. Every total is computed by hand."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app.importing.plan import Options
from app.importing.run import run_import
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor

HEADER = ["Leverantör", "Org.nr", "Fakturanummer", "Fakturadatum", "Belopp", "Förvaltning", "Konto"]


# --- helpers ---------------------------------------------------------------------------------


def import_file(runner, path: Path, *options: str):
    result = runner.invoke(args=["import", str(path), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def imported(db) -> list[Invoice]:
    return db.session.scalars(sa.select(Invoice).order_by(Invoice.source_row)).all()


def total(db) -> tuple[Decimal, int]:
    row = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Invoice.net_amount), 0), sa.func.count(Invoice.id))
    ).one()
    return Decimal(row[0]), row[1]


def nothing_written(db) -> bool:
    return all(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        for model in (Invoice, ImportBatch, Vendor)
    )


def ledger_workbook(path: Path, *, formula_row: bool = False) -> Path:
    """A ledger as an office saves it from Excel: a hidden sheet of scrap first, then the data
    sheet with a merged title, a note, the header on row 3, amounts as text and a totals row.

    Rows 4-7 hold 1 234,50 + 12 500,00 − 1 250,00 + 3 000,00 = 15 484,50 kr; with
    ``formula_row``, row 8 holds a formula Excel never calculated.
    """
    workbook = openpyxl.Workbook()
    scrap = workbook.active
    scrap.title = "Skräp"
    scrap.sheet_state = "hidden"
    scrap.append(HEADER)
    scrap.append(["Fel AB", "556036-0793", "X1", 40000, "999 999,00", "Ingen", "0000 Fel"])
    scrap.append(["Fel AB", "556036-0793", "X2", 40001, "888 888,00", "Ingen", "0000 Fel"])

    sheet = workbook.create_sheet("Fakturor")
    sheet["A1"] = "Leverantörsfakturor, konsulttjänster 2010"
    sheet.merge_cells("A1:G1")
    sheet["A2"] = "Utdrag ur ekonomisystemet den 15 februari 2011"
    sheet.append(HEADER)  # row 3
    sheet.append(  # an Excel serial number in a plain numeric cell: 2010-02-01
        ["Penseo AB", "556703-7485", "F-1001", 40210, "1 234,50", "Kommunledning", "4620 Konsult"]
    )
    sheet.append(  # a real date cell
        [
            "Penseo AB ",
            "556703-7485",
            "F-1002",
            dt.datetime(2010, 3, 15),
            "12 500,00",
            "Kommunledning",
            "4620 Konsult",
        ]
    )
    sheet.append(  # a credit note, minus sign after the amount
        ["PENSEO AB", "556703-7485", "K-17", 40268, "1 250,00-", "Kommunledning", "4620 Konsult"]
    )
    sheet.append(
        [
            "Mediabyrån i Sörmland AB",
            "556811-9357",
            "2010-44",
            dt.date(2010, 11, 30),
            "3 000,00",
            "Kultur- och turismförvaltningen",
            "4630 Tryck",
        ]
    )
    if formula_row:
        sheet.append(
            ["Penseo AB", "556703-7485", "F-1003", 40300, "=E7+1", "Kommunledning", "4620 Konsult"]
        )
    sheet.append(["Summa", None, None, None, "15 484,50", None, None])
    workbook.save(path)
    return path


# --- the workbook ----------------------------------------------------------------------------


def test_a_swedish_workbook_imports_with_the_exact_total(runner, db, tmp_path):
    path = ledger_workbook(tmp_path / "fakturor-2010.xlsx")
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "(sheet Fakturor)" in result.output
    assert "Hidden sheets, not read: Skräp" in result.output
    assert "header on row 3" in result.output
    assert "Left out, totals rows: 8\n" in result.output
    assert "own total on row 8, 15,484.50, agrees with the sum of its rows" in result.output

    assert total(db) == (Decimal("15484.50"), 4)
    rows = {i.source_row: i for i in imported(db)}
    assert sorted(rows) == [4, 5, 6, 7]
    assert rows[4].net_amount == Decimal("1234.50")
    assert rows[4].invoiced_on == dt.date(2010, 2, 1)  # serial 40210
    assert rows[5].net_amount == Decimal("12500.00")
    assert rows[5].invoiced_on == dt.date(2010, 3, 15)
    assert rows[6].net_amount == Decimal("-1250.00")
    assert rows[6].invoiced_on == dt.date(2010, 3, 31)  # serial 40268
    assert rows[7].invoiced_on == dt.date(2010, 11, 30)
    assert {i.currency for i in rows.values()} == {"SEK"}
    # The three spellings of Penseo AB are one vendor, found by its org number.
    assert rows[4].vendor_id == rows[5].vendor_id == rows[6].vendor_id != rows[7].vendor_id
    assert rows[4].vendor.org_number == "556703-7485"
    assert rows[7].department.name == "Kultur- och turismförvaltningen"
    # Nothing of the hidden sheet was read.
    names = db.session.scalars(sa.select(Vendor.name)).all()
    assert "Fel AB" not in names and len(names) == 2


def test_the_report_lists_the_hidden_sheet_and_reads_the_visible_one(db, tmp_path):
    path = ledger_workbook(tmp_path / "fakturor.xlsx")
    report = run_import(path, path.name, Options())
    assert report.written and report.status == "ok"
    assert report.sheet == "Fakturor"
    assert report.hidden_sheets == ["Skräp"]
    assert report.header_row == 3
    assert report.left_out_totals == [8]
    assert report.totals == {"SEK": "15484.50"}
    assert report.mapping["net_amount"] == "Belopp"
    assert report.mapping["invoiced_on"] == "Fakturadatum"
    assert report.mapping["vendor_org_number"] == "Org.nr"
    db.session.rollback()


def rewrite_member(path: Path, member: str, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` in one member of a zip (a workbook's sheet XML)."""
    with zipfile.ZipFile(path) as archive:
        contents = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in contents.items():
            if info.filename == member:
                assert old in data
                data = data.replace(old, new)
            archive.writestr(info, data)


@pytest.mark.parametrize(
    "cached",
    [
        pytest.param(None, id="openpyxl-empty-v"),  # <f>E7+1</f><v />, as openpyxl saves it
        pytest.param(b"<f>E7+1</f>", id="no-v"),  # no <v> at all
    ],
)
def test_a_formula_without_a_calculated_value_is_an_error_never_a_zero(
    runner, db, tmp_path, cached
):
    path = ledger_workbook(tmp_path / "fakturor-formel.xlsx", formula_row=True)
    if cached is not None:
        rewrite_member(path, "xl/worksheets/sheet2.xml", b"<f>E7+1</f><v />", cached)
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "row 8: A formula on this row has no calculated value" in result.output
    assert "Nothing was written" in result.output
    assert nothing_written(db)

    skipped = import_file(runner, path, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "Rejected:  1" in skipped.output
    assert "row 8: A formula on this row has no calculated value" in skipped.output
    assert total(db) == (Decimal("15484.50"), 4)
    assert 8 not in {i.source_row for i in imported(db)}
    assert db.session.scalar(sa.select(Invoice).where(Invoice.net_amount == 0)) is None


def test_a_formula_with_a_calculated_value_is_read_as_that_value(runner, db, tmp_path):
    path = ledger_workbook(tmp_path / "fakturor-beraknad.xlsx", formula_row=True)
    rewrite_member(
        path, "xl/worksheets/sheet2.xml", b"<f>E7+1</f><v />", b"<f>E7+1</f><v>3001.25</v>"
    )
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert total(db) == (Decimal("18485.75"), 5)
    assert "DIFFERS from the sum of its rows" in result.output  # Summa was not updated


# --- CSV files -------------------------------------------------------------------------------

CSV_FILES = [
    pytest.param(
        # Windows-1252, semicolons, decimal commas, space thousands: what Swedish Excel saves.
        "cp1252",
        "Leverantör;Org.nr;Fakturanummer;Fakturadatum;Belopp;Förvaltning\r\n"
        "Åström Konsult AB;556703-7485;1001;2010-03-01;1 234,50;Kommunledning\r\n"
        "Ström’s Media AB;556811-9357;1002;2010-03-02;12 500,00;Kultur\r\n"
        "Åström Konsult AB;556703-7485;1003;2010-03-31;-1 250,00;Kommunledning\r\n"
        "Öberg & Co;;1004;2010-04-01;0,05;Kultur\r\n",
        "cp1252",
        ";",
        Decimal("12484.55"),
        4,
        "Ström’s Media AB",
        id="cp1252-semicolon",
    ),
    pytest.param(
        # UTF-8 with a BOM glued to the first header, commas, quoted thousands separators.
        "utf-8-sig",
        "Leverantör,Fakturanummer,Fakturadatum,Belopp\n"
        'Penseo AB,A1,2010-05-03,"1,234.50"\n'
        '"Dacre, Son & Hartley",A2,2010-05-04,"21,580.00"\n'
        "Penseo AB,A3,2010-05-05,-34.05\n",
        "utf-8-sig",
        ",",
        Decimal("22780.45"),
        3,
        "Dacre, Son & Hartley",
        id="utf8-bom-comma",
    ),
    pytest.param(
        "utf-8",
        "Supplier Name\tTransaction Number\tPayment Date\tAmount\n"
        "Penna Plc\tT-1\t25/02/2020\t152545.89\n"
        "Fylde Coast Women’s Aid\tT-2\t30/06/2020\t-152545.89\n"
        "Leeds Beckett\tT-3\t13/06/2020\t500\n",
        "utf-8",
        "\t",
        Decimal("500.00"),
        3,
        "Fylde Coast Women’s Aid",
        id="utf8-tab",
    ),
    pytest.param(
        "utf-8",
        "leverantor|fakturanummer|datum|belopp|forvaltning\n"
        "Sörmlands Tryckeri AB|9001|20100315|1 234,50|Kultur\n"
        "Sörmlands Tryckeri AB|9002|20100316|1 250,00-|Kultur\n"
        "Katrineholms Logistik AB|9003|20100317|100 000,25|Teknik\n",
        "utf-8",
        "|",
        Decimal("99984.75"),
        3,
        "Katrineholms Logistik AB",
        id="utf8-pipe",
    ),
]


@pytest.mark.parametrize(
    ("write_as", "content", "encoding", "delimiter", "expected", "rows", "vendor"), CSV_FILES
)
def test_a_csv_file_is_detected_and_imported_with_the_exact_total(
    db, runner, tmp_path, write_as, content, encoding, delimiter, expected, rows, vendor
):
    path = tmp_path / "leverantorsfakturor.csv"
    path.write_bytes(content.encode(write_as))
    report = run_import(path, path.name, Options(dry_run=True))
    assert report.status == "ok", report.issues or report.error
    assert (report.encoding, report.delimiter) == (encoding, delimiter)
    db.session.rollback()

    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert total(db) == (expected, rows)
    assert vendor in db.session.scalars(sa.select(Vendor.name)).all()


def test_a_semicolon_file_in_windows_1252_keeps_its_letters(runner, db, tmp_path):
    content = CSV_FILES[0].values[1]
    path = tmp_path / "fakturor.csv"
    path.write_bytes(content.encode("cp1252"))
    assert b"\xc5str\xf6m" in path.read_bytes()  # Åström, one byte a letter: not UTF-8
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    names = set(db.session.scalars(sa.select(Vendor.name)))
    assert {"Åström Konsult AB", "Ström’s Media AB", "Öberg & Co"} <= names
    credit = db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "1003"))
    assert credit.net_amount == Decimal("-1250.00")


# --- the notation of a column ----------------------------------------------------------------


def test_amounts_that_read_either_way_are_refused_quoting_one(runner, db, tmp_path):
    path = tmp_path / "tvetydig.csv"
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\n"
        "Penseo AB;1;2010-03-01;1,234\n"
        "Penseo AB;2;2010-03-02;2,500\n"
        "Mediabyrån AB;3;2010-03-03;12,750\n",
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "column Belopp" in result.output
    assert "“1,234”" in result.output and "two ways" in result.output
    assert "Nothing was written" in result.output
    assert nothing_written(db)


def test_amounts_written_with_both_separators_are_refused(runner, db, tmp_path):
    path = tmp_path / "blandat.csv"
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\n"
        "Penseo AB;1;2010-03-01;1,50\n"
        "Penseo AB;2;2010-03-02;1.50\n"
        "Penseo AB;3;2010-03-03;7\n",
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "column Belopp" in result.output
    assert "1,50" in result.output and "1.50" in result.output
    assert "Nothing was written" in result.output
    assert nothing_written(db)


def test_one_clear_decimal_comma_settles_a_column_of_otherwise_ambiguous_amounts(
    runner, db, tmp_path
):
    """ "1,234" alone could be either; beside "12,50" the column's separator is the comma."""
    path = tmp_path / "komma.csv"
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\n"
        "Penseo AB;1;2010-03-01;1,234\n"
        "Penseo AB;2;2010-03-02;12,50\n",
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert total(db) == (Decimal("13.73"), 2)


def test_a_table_that_starts_below_and_right_of_a1_keeps_its_row_numbers(runner, db, tmp_path):
    """Rows are numbered as the spreadsheet shows them, whatever is empty above and left of
    the table: the header, each problem and each invoice's source row say the same rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Blad1"
    for column, header in zip("CDEF", HEADER[:1] + HEADER[2:5], strict=True):
        sheet[f"{column}4"] = header
    rows = [
        ("Penseo AB", "F-1", 40210, "12,50"),
        ("Penseo AB", "F-2", "inte ett datum", "=F5*2"),
        ("Penseo AB", "F-3", 40212, "1,25"),
    ]
    for number, values in enumerate(rows, start=5):
        for column, value in zip("CDEF", values, strict=True):
            sheet[f"{column}{number}"] = value
    path = tmp_path / "forskjuten.xlsx"
    workbook.save(path)

    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "header on row 4" in result.output
    assert "row 6: A formula on this row has no calculated value" in result.output
    assert "row 5" not in result.output and "row 7" not in result.output
    assert nothing_written(db)

    skipped = import_file(runner, path, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert db.session.execute(
        sa.select(Invoice.source_row, Invoice.invoice_number, Invoice.net_amount).order_by(
            Invoice.source_row
        )
    ).all() == [(5, "F-1", Decimal("12.50")), (7, "F-3", Decimal("1.25"))]


def test_a_totals_row_is_checked_against_the_amount_not_a_vat_column_before_it(
    runner, db, tmp_path
):
    """Leeds's layout puts "Irrecoverable VAT Amount" before "Amount": the totals row's
    figure is the amount's."""
    header = (
        "Organisation Code,Organisation Label,Effective Date,Organisational Unit,"
        "Service Division Label,Category Internal Name,Purpose,Detailed Expenditure Code,"
        "Payment Date,Transaction Number,Irrecoverable VAT Amount,Amount,Capital Or Revenue,"
        "Beneficiary Name,Procurement Card"
    )
    org = "Http://opendatacommunities.org/id/metropolitan-district-council/leeds,Leeds City Council"
    lines = [
        header,
        f"{org},30/06/2020,Adults,Older People,Third Party,Care,569,24/06/2020,2006-1,0.00,"
        "5400.00,R,A & V TRANSITIONAL HOMES,No",
        f"{org},30/06/2020,Adults,Older People,Supplies,Tiles,570,25/06/2020,2006-2,12.00,"
        "-152.50,R,A ANDREWS & SONS,No",
        "Total,,,,,,,,,,12.00,5247.50,,,",
    ]
    path = tmp_path / "leeds-2020-06-utdrag.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "Profile:   leeds-2020;" in result.output
    assert "Left out, totals rows: 4\n" in result.output
    assert "own total on row 4, 5,247.50, agrees with the sum of its rows" in result.output
    assert total(db) == (Decimal("5247.50"), 2)


# --- the sheets' size unpacked ---------------------------------------------------------------


def big_workbook(path: Path, rows: int) -> Path:
    """A ledger of ``rows`` rows in one sheet, written as Excel writes it (shared strings)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Fakturor")
    sheet.append(["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp", "Beskrivning"])
    for number in range(rows):
        sheet.append(
            [f"Leverantör {number % 50} AB", f"F-{number}", dt.date(2010, number % 12 + 1, 1),
             100 + number % 1000, f"Konsulttjänst nummer {number} enligt avtal"]
        )  # fmt: skip
    workbook.save(path)
    return path


def sheet_bytes(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(i.file_size for i in archive.infolist() if i.filename.startswith("xl/work"))


def test_a_workbook_larger_unpacked_than_the_setting_is_refused_before_it_is_parsed(
    app, runner, db, tmp_path, monkeypatch
):
    path = big_workbook(tmp_path / "stor.xlsx", 5000)
    unpacked = sheet_bytes(path)
    monkeypatch.setitem(app.config, "MAX_SHEET_BYTES", unpacked // 2)
    # calamine is never asked to parse it.
    monkeypatch.setattr(
        "python_calamine.CalamineWorkbook.from_path", lambda *_a, **_k: pytest.fail("parsed")
    )
    result = import_file(runner, path)
    assert result.exit_code == 2
    assert "The sheets of stor.xlsx take" in result.output and "MB unpacked" in result.output
    assert nothing_written(db)


def test_a_workbook_within_the_setting_imports_whole(app, runner, db, tmp_path, monkeypatch):
    path = big_workbook(tmp_path / "stor.xlsx", 5000)
    monkeypatch.setitem(app.config, "MAX_SHEET_BYTES", sheet_bytes(path) + 1)
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert total(db) == (sum(Decimal(100 + n % 1000) for n in range(5000)), 5000)


def test_an_xls_larger_than_the_setting_is_refused_by_its_size(db, tmp_path):
    path = tmp_path / "gammal.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20_000)
    report = run_import(path, path.name, Options(max_sheet_bytes=10_000))
    assert report.status == "unreadable"
    assert report.error["params"]["file"] == "gammal.xls"
    assert "unpacked" in report.error["message"]


def test_the_upload_of_a_workbook_past_the_setting_is_refused_at_the_preview(
    app, client, db, tmp_path, monkeypatch
):
    import io

    path = big_workbook(tmp_path / "stor.xlsx", 5000)
    monkeypatch.setitem(app.config, "MAX_SHEET_BYTES", sheet_bytes(path) // 2)
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "kind": "", "profile": "auto"}
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-import-status="unreadable"' in page and "stor.xlsx" in page
    assert nothing_written(db)


def test_the_setting_comes_from_the_environment(monkeypatch):
    from app import create_app

    monkeypatch.setenv("INSYN_MAX_SHEET_BYTES", "1048576")
    assert create_app({"TESTING": True, "SECRET_KEY": "x"}).config["MAX_SHEET_BYTES"] == 1048576


def test_a_workbook_part_only_calamine_reads_is_refused_before_anything_is_written(db, tmp_path):
    """A part of the zip whose checksum is wrong (calamine reads it, Python's zipfile does
    not): refused in the first pass as unreadable, never raised halfway through the load."""
    path = tmp_path / "trasig.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp"])
    sheet.append(["Penseo AB", "F1", dt.date(2010, 1, 1), 100])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts:
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"officeDocument", data.index(b"xl/_rels/workbook.xml.rels"))
    data[at] = ord("O")  # the checksum no longer matches
    path.write_bytes(bytes(data))
    report = run_import(path, path.name, Options())
    assert report.status == "unreadable"
    assert report.error["params"] == {"file": "trasig.xlsx"}
    assert nothing_written(db)
