"""Exports: every list and report as XLSX, CSV (two dialects) and JSON at its address with an
extension, holding all the rows the page selects; text never turned into a formula; the
workbook's layout and its "Om data" sheet; evidence packs; ``insyn export``; and the
workbook opened by LibreOffice, as a journalist's office suite would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
import sqlalchemy as sa

from app.models import Invoice

D = Decimal
HOSTILE_NAME = '=HYPERLINK("http://example.org","x")'
HOSTILE_TEXT = "+46 70 123 45 67"
TODAY = dt.datetime.now(dt.UTC).strftime("%Y%m%d")


def _workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _csv_rows(response, delimiter=";") -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def _filename(response) -> str:
    match = re.search(r'filename="?([^";]+)"?', response.headers["Content-Disposition"])
    assert match, response.headers
    return match.group(1)


@pytest.fixture
def hostile_invoice(db, make_vendor, make_invoice):
    vendor = make_vendor(name=HOSTILE_NAME)
    return make_invoice(
        vendor=vendor,
        invoice_number="@SUM(1)",
        description=HOSTILE_TEXT,
        net_amount=D("-1234.50"),
        invoiced_on=dt.date(2012, 5, 2),
    )


# --- formula injection ------------------------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text_in_xlsx(anonymous, hostile_invoice):
    response = anonymous.get(f"/invoices.xlsx?vendor={hostile_invoice.vendor_id}")
    sheet = _workbook(response).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = {header[i]: cell for i, cell in enumerate(sheet[2])}
    for label, text in (
        ("Leverantör", HOSTILE_NAME),
        ("Beskrivning", HOSTILE_TEXT),
        ("Fakturanummer", "@SUM(1)"),
    ):
        assert row[label].value == text
        assert row[label].data_type == "s", label  # a string, not a formula ("f")
        assert row[label].quotePrefix, label  # and marked so Excel keeps it text when edited
    assert row["Exkl. moms"].value == -1234.5 and row["Exkl. moms"].data_type == "n"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


@pytest.mark.parametrize(("dialect", "delimiter"), [("", ";"), ("rfc4180", ",")])
def test_text_that_looks_like_a_formula_is_prefixed_in_csv_and_numbers_stay_numbers(
    anonymous, hostile_invoice, dialect, delimiter
):
    response = anonymous.get(f"/invoices.csv?vendor={hostile_invoice.vendor_id}&dialect={dialect}")
    header, row = _csv_rows(response, delimiter)
    cells = dict(zip(header, row, strict=True))
    assert cells["Leverantör"] == "'" + HOSTILE_NAME
    assert cells["Beskrivning"] == "'" + HOSTILE_TEXT
    assert cells["Fakturanummer"] == "'@SUM(1)"
    assert cells["Exkl. moms"] == ("-1234,50" if delimiter == ";" else "-1234.50")


# --- the workbook ------------------------------------------------------------------------------


def test_the_totals_workbook_is_laid_out_for_reading_and_says_where_it_came_from(anonymous, demo):
    response = anonymous.get("/reports/totals.xlsx?by=year,vendor")
    assert re.fullmatch(rf"insyn-totals-year-vendor-2009-2011-{TODAY}\.xlsx", _filename(response))
    workbook = _workbook(response)
    assert workbook.sheetnames[1] == "Om data"
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["År", "Leverantör"] and "Belopp exkl. moms" in header
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    amount_at = header.index("Belopp exkl. moms")
    rows = list(sheet.iter_rows(min_row=2, values_only=False))
    data = [r for r in rows if r[0].value != "Summa"]
    totals = [r for r in rows if r[0].value == "Summa"]
    assert data and totals
    assert all(r[amount_at].number_format == "#,##0.00" for r in data)
    assert all(isinstance(r[amount_at].value, (int, float)) for r in data)
    assert all(r[amount_at].font.bold for r in totals)
    # The rows in kronor and their total: the consultant's 2009–2011, the phones' 2010–2011.
    currency_at = header.index("Valuta")
    assert [(r[0].value, r[1].value, r[amount_at].value) for r in data
            if r[currency_at].value == "SEK"] == [
        (2009, "Sociala Medier i Sörmland AB", 90100),
        (2010, "Sociala Medier i Sörmland AB", 267350),
        (2010, "Telefonbutiken i Katrineholm AB", 15960),
        (2011, "Sociala Medier i Sörmland AB", 44500),
        (2011, "Telefonbutiken i Katrineholm AB", 3990),
    ]  # fmt: skip
    assert [r[amount_at].value for r in totals if r[currency_at].value == "SEK"] == [421900]

    about = {row[0]: row[1:] for row in workbook["Om data"].iter_rows(values_only=True) if row[0]}
    assert about["Licens"][0].startswith("CC0")
    assert "Exporterad" in about and "Källor" in about
    batch_rows = [
        r for r in workbook["Om data"].iter_rows(values_only=True) if r[2] and len(str(r[2])) == 64
    ]
    assert batch_rows, "the import batch and its SHA-256 are listed"


def test_dates_are_dates_and_money_has_a_format_in_the_invoice_list(anonymous, demo):
    workbook = _workbook(anonymous.get("/invoices.xlsx"))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    first = sheet[2]
    invoiced = first[header.index("Fakturadatum")]
    assert invoiced.is_date and invoiced.number_format == "yyyy-mm-dd"
    assert first[header.index("Exkl. moms")].number_format == "#,##0.00"


def test_an_export_holds_every_row_not_only_the_page_shown(
    app, anonymous, db, make_invoice, make_vendor
):
    vendor = make_vendor()
    for number in range(app.config["PAGE_SIZE"] + 7):
        make_invoice(vendor=vendor, invoice_number=f"P-{number}")
    rows = _csv_rows(anonymous.get(f"/invoices.csv?vendor={vendor.id}&page=2"))
    assert len(rows) == 1 + app.config["PAGE_SIZE"] + 7


def test_the_two_csv_dialects(anonymous, demo):
    excel = anonymous.get("/reports/totals.csv?by=year")
    assert excel.data.startswith("\ufeff".encode()) and excel.mimetype == "text/csv"
    header, *rows = _csv_rows(excel, ";")
    assert header == ["År", "Valuta", "Belopp exkl. moms", "Fakturor", "Andel"]
    assert all(re.fullmatch(r"-?\d+,\d\d", row[2]) for row in rows)
    plain = anonymous.get("/reports/totals.csv?by=year&dialect=rfc4180")
    assert not plain.data.startswith("\ufeff".encode())
    assert _filename(plain).endswith("-rfc4180.csv")
    header, *plain_rows = _csv_rows(plain, ",")
    assert [r[2].replace(".", ",") for r in plain_rows] == [r[2] for r in rows]
    assert "Summa" not in plain.get_data(as_text=True)  # a CSV file is data: no totals row


def test_the_invoice_list_json_is_paginated_with_links(anonymous, demo):
    data = anonymous.get("/invoices.json?per_page=5&status=active").get_json()
    assert data["kind"] == "invoices" and data["page"] is None and data["per_page"] == 5
    assert len(data["rows"]) == 5 and (data["total"], data["pages"]) == (27, 6)  # 22 + 5
    assert data["previous"] is None and data["first"] is None and "after=" in data["next"]
    row = data["rows"][0]
    assert re.fullmatch(r"-?\d+\.\d\d", row["net_amount"]) and row["currency"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["invoiced_on"])
    pages, url = [], data["next"]
    pages.append([r["id"] for r in data["rows"]])
    while url:
        data = anonymous.get(url).get_json()
        assert data["first"] and data["previous"]
        pages.append([r["id"] for r in data["rows"]])
        url = data["next"]
    assert len(pages) == 6 and sum(len(p) for p in pages) == 27
    assert len({i for p in pages for i in p}) == 27
    # Back from the last page, page by page, through the same pages.
    url = data["previous"]
    for expected in reversed(pages[:-1]):
        back = anonymous.get(url).get_json()
        assert [r["id"] for r in back["rows"]] == expected
        url = back["previous"]
    assert url is None
    # An old page-numbered link opens its page.
    old = anonymous.get("/invoices.json?per_page=5&status=active&page=3").get_json()
    assert old["page"] == 3 and [r["id"] for r in old["rows"]] == pages[2]


@pytest.mark.parametrize(
    "path, count, totals",
    [
        ("/vendors", 4, 0),
        ("/contracts", 2, 0),
        ("/income", 14, 1),  # 11 lectures in 2010 and 3 in 2011; one total, in kronor
    ],
)
def test_registers_export_in_every_format(anonymous, demo, path, count, totals):
    sheet = _workbook(anonymous.get(f"{path}.xlsx")).worksheets[0]
    assert sheet.max_row == 1 + count + totals
    assert len(_csv_rows(anonymous.get(f"{path}.csv"))) == 1 + count  # no totals in CSV
    data = anonymous.get(f"{path}.json").get_json()
    assert (len(data["rows"]), data["total"]) == (count, count)


def test_the_income_register_totals_the_fees(anonymous, demo):
    """102 000.00 in 2010 and 32 000.00 in 2011."""
    data = anonymous.get("/income.json").get_json()
    assert [(t["fee"], t["currency"]) for t in data["totals"]] == [("134000.00", "SEK")]


def test_a_private_persons_id_is_never_exported(anonymous, db, make_vendor, make_invoice):
    person = make_vendor(name="Andersson;Anna", org_number="19850101-1236")
    assert person.is_private_person
    make_invoice(vendor=person)
    for url in ("/vendors.csv", f"/invoices.csv?vendor={person.id}"):
        text = anonymous.get(url).get_data(as_text=True)
        assert "850101" not in text, url


def test_the_balance_and_pivot_export(anonymous, demo):
    balance = _workbook(anonymous.get("/reports/balance.xlsx?year=2010")).worksheets[0]
    values = [row for row in balance.iter_rows(values_only=True)]
    # The totals below the rows: costs, income and net per currency (numbers, not text).
    assert [
        r for r in values if r[0] in ("Kostnader", "Intäkter", "Netto (intäkter minus kostnader)")
    ] == [
        ("Kostnader", None, "SEK", None, None, 283310, None),
        ("Intäkter", None, "SEK", None, None, 102000, None),
        ("Netto (intäkter minus kostnader)", None, "SEK", None, None, -181310, None),
        ("Kostnader", None, "USD", None, None, 84.9, None),
        ("Intäkter", None, "USD", None, None, 0, None),
        ("Netto (intäkter minus kostnader)", None, "USD", None, None, -84.9, None),
    ]
    pivot = _workbook(anonymous.get("/reports/pivot.xlsx")).worksheets[0]
    header = [cell.value for cell in pivot[1]]
    assert header[:3] == ["Leverantör", "Leverantör (id)", "Valuta"] and "2010" in header


# --- evidence and the command line ---------------------------------------------------------------


def test_the_evidence_pack_holds_the_report_its_invoices_and_their_origin(anonymous, demo):
    response = anonymous.get("/reports/evidence.zip?report=totals&by=year,vendor&year=2010")
    assert response.status_code == 200 and _filename(response).startswith("insyn-evidence-totals")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == [
            "README.md",
            "invoices.csv",
            "provenance.csv",
            "report.xlsx",
        ]
        invoices = list(
            csv.DictReader(
                io.StringIO(archive.read("invoices.csv").decode("utf-8-sig")), delimiter=";"
            )
        )
        provenance = list(
            csv.DictReader(
                io.StringIO(archive.read("provenance.csv").decode("utf-8-sig")), delimiter=";"
            )
        )
        readme = archive.read("README.md").decode()
        report = openpyxl.load_workbook(io.BytesIO(archive.read("report.xlsx")))
    sek = sum(D(r["Exkl. moms"].replace(",", ".")) for r in invoices if r["Valuta"] == "SEK")
    totals = [r for r in report.worksheets[0].iter_rows(values_only=True) if r[0] == "Summa"]
    sek_total = next(r for r in totals if "SEK" in r)
    assert sek == D(str(sek_total[-3])).quantize(D("0.01"))
    assert {r["Faktura (id)"] for r in provenance} == {r["Faktura (id)"] for r in invoices}
    assert all(r["Fil"] for r in provenance)
    assert "invoices.csv" in readme and "2010" in readme


def test_insyn_export_writes_a_file_and_refuses_a_bad_option(runner, demo, tmp_path):
    target = tmp_path / "totals.xlsx"
    result = runner.invoke(args=["export", "totals", "--by", "year,vendor", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(target).sheetnames == ["Summor per år och leverantör", "Om data"]
    result = runner.invoke(args=["export", "totals", "--by", "planet", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--by" in result.output
    assert not (tmp_path / "x").exists()
    result = runner.invoke(args=["export", "invoices", "--format", "json", "-o", "-"])
    assert result.exit_code == 0 and '"kind": "invoices"' in result.output


def test_insyn_export_balance_defaults_to_the_latest_year_as_the_page_does(runner, anonymous, demo):
    latest = anonymous.get("/reports/balance").headers["Location"]
    result = runner.invoke(args=["export", "balance", "--format", "json", "-o", "-"])
    assert result.exit_code == 0, result.output
    title = json.loads(result.output)["title"]
    assert title.split()[-1] in latest and title.split()[-1].isdigit()


# --- LibreOffice -------------------------------------------------------------------------------


def test_libreoffice_reads_the_totals_workbook_as_the_json_says(anonymous, demo, tmp_path):
    """The demo's year × vendor totals as XLSX, converted to CSV by LibreOffice in headless
    mode, give the numbers of the JSON export."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc-nogui"
    workbook = tmp_path / "totals.xlsx"
    workbook.write_bytes(anonymous.get("/reports/totals.xlsx?by=year,vendor").data)
    profile = tmp_path / "profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(workbook)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = tmp_path / "totals.csv"
    assert converted.exists(), result.stdout + result.stderr
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"))))
    header = rows[0]
    year_at, vendor_id_at = header.index("År"), header.index("Leverantör (id)")
    amount_at, count_at = header.index("Belopp exkl. moms"), header.index("Fakturor")
    from_office = {
        (int(r[year_at]), int(r[vendor_id_at])): (
            D(r[amount_at].replace(",", "")),
            int(r[count_at]),
        )
        for r in rows[1:]
        if r[year_at] and r[year_at] != "Summa"
    }
    data = anonymous.get("/reports/totals.json?by=year,vendor").get_json()
    from_json = {(r["year"], r["vendor_id"]): (D(r["amount"]), r["count"]) for r in data["rows"]}
    assert from_office == from_json


def test_the_open_data_page_offers_each_file(anonymous, demo):
    html = anonymous.get("/open-data/").get_data(as_text=True)
    for link in (
        "/open-data/leverantorsreskontra-2010.csv",
        "/open-data/ocds.json",
        "/open-data/datapackage.zip",
    ):
        assert f'href="{link}"' in html
    ledger = anonymous.get("/open-data/leverantorsreskontra-2010.csv")
    assert ledger.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(ledger.get_data(as_text=True))))
    assert header[:3] == ["kopare_id", "kopare", "verifikationsnummer"]
    belopp = header.index("belopp")
    expected = demo.session.scalar(
        sa.select(sa.func.sum(Invoice.net_amount)).where(
            Invoice.voided_at.is_(None),
            Invoice.currency == "SEK",
            Invoice.invoiced_on.between(dt.date(2010, 1, 1), dt.date(2010, 12, 31)),
        )
    )
    assert sum(D(r[belopp]) for r in rows) == expected
    package = anonymous.get("/open-data/ocds.json").get_json()
    assert package["releases"] and package["version"] == "1.1"
    with zipfile.ZipFile(io.BytesIO(anonymous.get("/open-data/datapackage.zip").data)) as archive:
        assert "datapackage.json" in archive.namelist()


def test_the_open_data_page_lists_the_json_addresses_and_each_answers(anonymous, demo):
    html = anonymous.get("/open-data/").get_data(as_text=True)
    api = html[html.index('id="api"') :]
    addresses = [unescape(a) for a in re.findall(r'<a class="mono" href="([^"]+)"', api)]
    assert len(addresses) == 7 and "/reports/balance.json?year=2011" in addresses
    for address in addresses:
        response = anonymous.get(address)
        assert response.status_code == 200 and response.is_json, address
        assert response.json, address


# --- figures that must not mislead ---------------------------------------------------------------


def test_the_share_is_written_as_the_page_shows_it_in_csv_xlsx_and_json(anonymous, demo):
    url = "/reports/totals{}?by=year,vendor"
    page = anonymous.get(url.format("")).get_data(as_text=True)
    shown = {
        D(p.replace(",", ".")) / 100
        for p in re.findall(r'<td class="num nowrap">(\d+,\d)&nbsp;%</td>', page)
    }
    rows = list(
        csv.DictReader(
            io.StringIO(
                anonymous.get(url.format(".csv") + "&dialect=rfc4180").get_data(as_text=True)
            )
        )
    )
    shares = [r["Andel"] for r in rows]
    assert shares and all(re.fullmatch(r"[01]\.\d{3}", s) for s in shares), shares
    assert {D(s) for s in shares} == shown
    sheet = _workbook(anonymous.get(url.format(".xlsx"))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Andel")
    in_workbook = {
        D(str(row[column]))
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] != "Summa"
    }
    assert in_workbook == {D(s) for s in shares}
    data = anonymous.get(url.format(".json")).get_json()
    assert {D(r["share"]) for r in data["rows"]} == {D(s) for s in shares}


def test_the_balance_workbook_and_csv_carry_the_years_flags(anonymous, demo):
    flags = anonymous.get("/reports/balance.json?year=2010").get_json()["flags"]
    assert flags
    workbook = _workbook(anonymous.get("/reports/balance.xlsx?year=2010"))
    assert workbook.sheetnames[1] == "Flaggor 2010" and workbook.sheetnames[-1] == "Om data"
    rows = list(workbook["Flaggor 2010"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Typ", "Flagga")
    assert [r[1] for r in rows[1:]] == [f["text"] for f in flags]
    assert [r[8] for r in rows[1:]] == [" ".join(map(str, f["invoice_ids"])) for f in flags]
    text = anonymous.get("/reports/balance.csv?year=2010").get_data(as_text=True)
    body, section = text.split("\r\n\r\nFlaggor 2010\r\n", 1)
    assert "Intäkter" in body
    lines = section.strip().split("\r\n")
    assert lines[0].startswith("Typ;Flagga;") and len(lines) == 1 + len(flags)


def test_the_balance_evidence_pack_holds_the_fee_income_behind_it(anonymous, demo):
    response = anonymous.get("/reports/evidence.zip?report=balance&year=2010")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "income.csv" in archive.namelist()
        income = list(
            csv.DictReader(
                io.StringIO(archive.read("income.csv").decode("utf-8-sig")), delimiter=";"
            )
        )
        readme = archive.read("README.md").decode()
    data = anonymous.get("/reports/balance.json?year=2010").get_json()
    fees = sum(D(r["Arvode"].replace(",", ".")) for r in income)
    assert fees == D(data["currencies"]["SEK"]["income"])
    assert all(r["Första dag"].startswith("2010-") for r in income)
    assert "income.csv" in readme


def test_the_front_page_draws_a_chart_for_every_currency(anonymous, db, make_invoice):
    make_invoice(net_amount=D("1000"), currency="SEK")
    make_invoice(net_amount=D("500"), currency="GBP", vat_rate=None, vat_amount=D("0"))
    make_invoice(net_amount=D("700"), currency="GBP", vat_rate=None, vat_amount=D("0"))
    html = anonymous.get("/").get_data(as_text=True)
    assert re.findall(r'data-currency="([A-Z]{3})"', html) == ["GBP", "SEK"]
    assert html.count('<figure class="chart-figure">') == 2
    assert "Kostnader mot intäkter per år, SEK" in html
