"""What an import does with rows it cannot read and files it should not read: invalid rows
reject the file (or are skipped on request, and listed), a preview writes nothing, and hostile
or broken files get one clear line, the right exit code and no traceback."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.models import AuditEvent
from app.models import Category
from app.models import Department
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from tests.conftest import REAL_DATA

REAL = REAL_DATA

LEDGER = (
    "Leverantör;Org.nr;Fakturanummer;Fakturadatum;Belopp;Konto\n"
    "Penseo AB;556703-7485;F-1;2010-03-01;1 000,00;4620 Konsulttjänster\n"
    "Penseo AB;556703-7485;F-2;2010-03-02;2 000,00;4620 Konsulttjänster\n"
    "Mediabyrån AB;556811-9357;M-7;2010-02-30;3 000,00;4630 Tryck\n"
    "Mediabyrån AB;556811-9357;M-8;2010-03-04;4 000,50;4630 Tryck\n"
)


# --- helpers ---------------------------------------------------------------------------------


def import_file(runner, path: Path, *options: str):
    result = runner.invoke(args=["import", str(path), *options])
    # Done or refused, the command ends in sys.exit; any other exception escaped the importer.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def counts(db) -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Invoice, ImportBatch, Vendor, Category, Department, AuditEvent)
    }


def nothing_written(db) -> bool:
    return not any(counts(db).values())


# --- an invalid row --------------------------------------------------------------------------


def test_a_bad_date_rejects_the_file_naming_row_and_column(runner, db, tmp_path):
    path = tmp_path / "fakturor.csv"
    path.write_text(LEDGER, encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "row 4, column Fakturadatum: “2010-02-30” is not a date that exists." in result.output
    assert "Rejected:  1" in result.output
    assert "Nothing was written" in result.output
    assert nothing_written(db)


def test_skip_invalid_imports_every_other_row_and_lists_the_bad_one(runner, db, tmp_path):
    path = tmp_path / "fakturor.csv"
    path.write_text(LEDGER, encoding="utf-8")
    result = import_file(runner, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Imported:  3\n" in result.output
    assert "Rejected:  1" in result.output
    assert "row 4, column Fakturadatum: “2010-02-30” is not a date that exists." in result.output
    rows = db.session.execute(
        sa.select(Invoice.source_row, Invoice.invoice_number, Invoice.net_amount).order_by(
            Invoice.source_row
        )
    ).all()
    assert rows == [
        (2, "F-1", Decimal("1000.00")),
        (3, "F-2", Decimal("2000.00")),
        (5, "M-8", Decimal("4000.50")),
    ]
    batch = db.session.scalar(sa.select(ImportBatch))
    assert batch.counts["rejected"] == 1 and batch.row_count == 3

    # The corrected file, imported after, brings in only the row that was missing.
    fixed = tmp_path / "fakturor-rattad.csv"
    fixed.write_text(LEDGER.replace("2010-02-30", "2010-02-28"), encoding="utf-8")
    again = import_file(runner, fixed)
    assert again.exit_code == 0, again.output
    assert "Imported:  1\n" in again.output and "Skipped as already imported: 3" in again.output
    assert db.session.scalar(sa.select(sa.func.sum(Invoice.net_amount))) == Decimal("10000.50")


def test_every_bad_row_is_listed_before_anything_is_written(runner, db, tmp_path):
    path = tmp_path / "fakturor.csv"
    path.write_text(
        LEDGER.replace("2 000,00", "två tusen").replace("Penseo AB;556703-7485;F-1", ";;F-1"),
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "row 2, column Leverantör: The vendor is missing." in result.output
    assert "row 3, column Belopp: “två tusen” is not an amount." in result.output
    assert "row 4, column Fakturadatum" in result.output
    assert "Rejected:  3" in result.output
    assert nothing_written(db)


def test_a_bad_row_after_thousands_of_good_ones_still_writes_nothing(runner, db, tmp_path):
    """Rows go to the database in chunks as they are read; a bad row found late must take
    the chunks already sent back with it."""
    lines = ["Leverantör;Fakturanummer;Fakturadatum;Belopp"]
    for number in range(2, 12_002):
        day = "2010-13-01" if number == 11_000 else f"2010-{number % 12 + 1:02d}-01"
        lines.append(f"Leverantör {number % 50} AB;F-{number};{day};{number},25")
    path = tmp_path / "stor-fil.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "row 11000, column Fakturadatum: “2010-13-01” is not a date that exists." in (
        result.output
    )
    assert nothing_written(db)


def test_dry_run_writes_nothing(runner, db, tmp_path):
    path = tmp_path / "fakturor.csv"
    path.write_text(LEDGER.replace("2010-02-30", "2010-02-28"), encoding="utf-8")
    result = import_file(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output
    assert "Imported:  4\n" in result.output and "Total SEK: 10,000.50" in result.output
    assert nothing_written(db)
    # A preview is not an import: the file imports in full afterwards.
    real = import_file(runner, path)
    assert real.exit_code == 0, real.output
    assert "Imported:  4\n" in real.output


def test_dry_run_of_a_contract_register_writes_nothing(runner, db):
    path = REAL / "canada_contracts_amendments_extract.csv"
    result = import_file(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Imported:  29 (24 amendments)" in result.output
    assert "Dry run: nothing was written." in result.output
    assert nothing_written(db)


# --- hostile and broken files ----------------------------------------------------------------


def _random(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + os.urandom(20_000))


def _noise(path: Path) -> None:
    path.write_bytes(os.urandom(20_000).replace(b"PK", b"pk"))


def _truncated(path: Path) -> None:
    real = REAL / "upphandlingsmyndigheten_kontrakterat_varde_2021.xlsx"
    if real.is_file():
        data = real.read_bytes()
    else:
        import openpyxl

        workbook = openpyxl.Workbook()
        for number in range(2000):
            workbook.active.append(["Penseo AB", f"F-{number}", "2010-03-01", number])
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    path.write_bytes(data[: len(data) // 2])


def _encrypted(path: Path) -> None:
    # What Excel saves when a password is set: an OLE compound file, whatever the name says.
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = b"\0" * (1 << 20)
            for _ in range(50):
                member.write(zeros)
    assert path.stat().st_size < 1_000_000


def _lying_bomb(path: Path) -> None:
    """A real workbook whose sheet inflates to 40 MB while its zip entries say 5,000 bytes:
    the ratio check believes the sizes, so whatever reads the sheet must not."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp"])
    workbook.active.append(["Penseo AB", "F-1", "2010-03-01", 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    member = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member.decode():
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 << 20))
            out.writestr(info.filename, data)
    raw = bytearray(path.read_bytes())
    start = 0
    while (start := raw.find(member, start + 1)) > 0:
        if raw[start - 30 : start - 26] == b"PK\x03\x04":  # local header: size at +22
            struct.pack_into("<I", raw, start - 30 + 22, 5000)
        elif raw[start - 46 : start - 42] == b"PK\x01\x02":  # central directory: size at +24
            struct.pack_into("<I", raw, start - 46 + 24, 5000)
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(member.decode()).file_size == 5000


def _binary_csv(path: Path) -> None:
    path.write_bytes(b"Leverant\x00r;Belopp\n\x00\x01\x02\x03\xff\xfe" * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _header_only(path: Path) -> None:
    path.write_text("Leverantör;Fakturanummer;Fakturadatum;Belopp\r\n", encoding="utf-8")


def _header_and_blank_lines(path: Path) -> None:
    path.write_text("Leverantör;Fakturanummer;Fakturadatum;Belopp\r\n;;;\r\n\r\n", encoding="utf-8")


def _huge_cell(path: Path) -> None:
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\n"
        "Penseo AB;F-1;2010-03-01;100,00\n"
        f"Penseo AB;{'9' * (1 << 20)};2010-03-02;200,00\n",
        encoding="utf-8",
    )


def _one_huge_cell(path: Path) -> None:
    path.write_bytes(b"x" * (1 << 20))


def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\ntrailer\n%%EOF\n")


HOSTILE = [
    pytest.param("rapport.xlsx", _random, 2, "is not a readable workbook", id="corrupt-xlsx"),
    pytest.param("brus.xlsx", _noise, 2, "is not a readable workbook", id="noise-xlsx"),
    pytest.param("avklippt.xlsx", _truncated, 2, "is not a readable workbook", id="truncated"),
    pytest.param("hemlig.xlsx", _encrypted, 2, "is password-protected", id="password"),
    pytest.param("bomb.xlsx", _zip_bomb, 2, "unpacks to far more data", id="zip-bomb"),
    pytest.param("ljuger.xlsx", _lying_bomb, 2, "is not a readable workbook", id="lying-zip"),
    pytest.param("binär.csv", _binary_csv, 2, "is not a text file", id="binary-csv"),
    pytest.param("tom.csv", _empty, 2, "is empty", id="empty-csv"),
    pytest.param("tom.xlsx", _empty, 2, "is empty", id="empty-xlsx"),
    pytest.param("rubrik.csv", _header_only, 2, "no rows of data", id="header-only"),
    pytest.param("rubrik2.csv", _header_and_blank_lines, 2, "no rows of data", id="header-blank"),
    pytest.param("stor.csv", _huge_cell, 2, "Row 3 of stor.csv is longer than", id="1mb-cell"),
    pytest.param("enda.csv", _one_huge_cell, 2, "Row 1 of enda.csv is", id="1mb-file-one-cell"),
    pytest.param("faktura.pdf", _pdf, 2, "is not a file Insyn reads", id="pdf"),
]


@pytest.mark.parametrize(("name", "make", "code", "says"), HOSTILE)
def test_a_hostile_or_broken_file_gets_one_clear_line(runner, db, tmp_path, name, make, code, says):
    path = tmp_path / name
    make(path)
    result = import_file(runner, path)
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{name}: ") and says in lines[0], lines[0]
    assert len(lines[0]) < 300
    assert nothing_written(db)


def test_a_broken_file_does_not_spoil_the_next_import(runner, db, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    _zip_bomb(bomb)
    assert import_file(runner, bomb).exit_code == 2
    good = tmp_path / "fakturor.csv"
    good.write_text(LEDGER.replace("2010-02-30", "2010-02-28"), encoding="utf-8")
    result = import_file(runner, good)
    assert result.exit_code == 0, result.output
    assert counts(db)["invoices"] == 4


def test_a_missing_file_is_refused_by_the_command(runner, db, tmp_path):
    result = runner.invoke(args=["import", str(tmp_path / "finns-inte.csv")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert nothing_written(db)


# --- values beyond what can be stored --------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param("99999999999999999999999,00", id="23-digits"),
        pytest.param("99999999999999999999999", id="23-digits-whole"),
        pytest.param("9" * 5000, id="5000-digits"),
    ],
)
def test_an_amount_too_large_to_store_is_a_row_error_not_a_crash(runner, db, tmp_path, amount):
    path = tmp_path / "jattebelopp.csv"
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\n"
        "Penseo AB;1;2010-03-01;100,50\n"
        f"Penseo AB;2;2010-03-02;{amount}\n",
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    assert "row 3, column Belopp: “9999" in result.output and "is not an amount." in result.output
    assert nothing_written(db)
    skipped = import_file(runner, path, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert db.session.scalar(sa.select(sa.func.sum(Invoice.net_amount))) == Decimal("100.50")


def _rewrite_member(path: Path, member: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        contents = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in contents.items():
            if info.filename == member:
                assert old in data
                data = data.replace(old, new)
            archive.writestr(info, data)


@pytest.mark.parametrize("number", [b"inf", b"-inf", b"NaN", b"1e300"])
@pytest.mark.parametrize("column", ["amount", "date"])
def test_a_workbook_number_that_is_no_number_is_a_row_error(runner, db, tmp_path, number, column):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Fakturor"
    sheet.append(["Leverantör", "Fakturanummer", "Fakturadatum", "Belopp"])
    sheet.append(["Penseo AB", "F-1", 40210, 1234.5])
    sheet.append(["Penseo AB", "F-2", 40211, 7])
    path = tmp_path / "konstiga-tal.xlsx"
    workbook.save(path)
    old = b"<v>1234.5</v>" if column == "amount" else b"<v>40210</v>"
    _rewrite_member(path, "xl/worksheets/sheet1.xml", old, b"<v>" + number + b"</v>")
    result = import_file(runner, path)
    assert result.exit_code == 1, result.output
    header = "Belopp" if column == "amount" else "Fakturadatum"
    assert f"row 2, column {header}: " in result.output
    assert nothing_written(db)


def test_skip_invalid_with_no_valid_row_left_imports_nothing(runner, db, tmp_path):
    path = tmp_path / "alla-fel.csv"
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\r\n"
        "Mediabyrån AB;M-1;2010-02-30;100,00\r\n"
        "Mediabyrån AB;M-2;inte ett datum;200,00\r\n",
        encoding="utf-8",
    )
    result = import_file(runner, path, "--skip-invalid")
    assert result.exit_code == 1
    assert nothing_written(db)


def test_nul_bytes_deep_in_a_csv_are_called_binary(runner, db, tmp_path):
    path = tmp_path / "halvbinär.csv"
    good = (
        "Leverantör;Fakturanummer;Fakturadatum;Belopp\r\n"
        + "Mediabyrån AB;M-1;2010-02-01;100,00\r\n" * 400
    )
    path.write_bytes(good.encode("utf-8") + b"Media\x00byr\x00n;M-2;2010-02-01;1,00\r\n")
    result = import_file(runner, path)
    assert result.exit_code == 2
    assert "not a text file" in result.output
    assert nothing_written(db)
