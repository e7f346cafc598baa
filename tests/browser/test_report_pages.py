"""The reports in a real browser: the front page's pivot and chart, a filter, and a figure
followed to the invoices behind it, whose list shows the same sum."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


_names = itertools.count(1)


@pytest.fixture
def vendor_with_two_years(live_server, add_vendor):
    """A vendor with three invoices: two in 2010 (123 456,78 kr together), one in 2011."""
    from app.extensions import db
    from app.models import Vendor
    from app.services.invoices import create_invoice

    vendor = add_vendor(f"Rapportkonsulten {next(_names)} i Flen AB")
    with live_server.app.app_context():
        for number, day, amount in (
            ("R-1", dt.date(2010, 3, 31), "100000.00"),
            ("R-2", dt.date(2010, 11, 30), "23456.78"),
            ("R-3", dt.date(2011, 5, 31), "5000.00"),
        ):
            create_invoice(
                {
                    "vendor": db.session.get(Vendor, vendor.id),
                    "invoice_number": number,
                    "invoiced_on": day,
                    "net_amount": Decimal(amount),
                    "vat_rate": 25,
                }
            )
        db.session.commit()
    return vendor


def test_the_front_page_pivot_leads_from_a_figure_to_its_invoices(
    anonymous_page: Page, vendor_with_two_years, tmp_path: Path
):
    page = anonymous_page
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    expect(page).to_have_url("/reports/")
    pivot = page.locator("table.pivot").first
    expect(pivot).to_be_visible()
    chart = page.locator("figure.chart-figure svg[role=group]").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 100

    # Narrow the report to the vendor through its form, as a reader would.
    page.get_by_role("searchbox", name="Leverantör").fill(vendor_with_two_years.name)
    page.get_by_role("button", name="Filtrera").click()
    row = page.locator("table.pivot tbody tr", has_text=vendor_with_two_years.name)
    expect(row).to_have_count(1)
    figure = row.locator("td").first.locator("a.figure-link")
    expect(figure).to_have_text("123\u00a0456,78\u00a0kr")
    page.screenshot(path=tmp_path / "reports-front-page.png", full_page=True)
    assert (tmp_path / "reports-front-page.png").stat().st_size > 0

    figure.click()
    expect(page).to_have_url(re.compile(r"/invoices/\?"))
    args = parse_qs(urlsplit(page.url).query)
    assert args["vendor"] == [str(vendor_with_two_years.id)] and args["year"] == ["2010"]
    # Valid invoices only, as the figure counts them: the list's default, so not in the address.
    assert "status" not in args
    expect(page.locator(".total-figure").first).to_have_text("123\u00a0456,78\u00a0kr")
    expect(page.locator("table tbody tr")).to_have_count(2)
    page.screenshot(path=tmp_path / "reports-drill-down.png", full_page=True)


def test_the_reports_page_downloads_a_workbook_with_its_header_and_totals(
    anonymous_page: Page, vendor_with_two_years, tmp_path: Path
):
    import openpyxl

    page = anonymous_page
    page.goto(f"/reports/totals?by=year,vendor&vendor={vendor_with_two_years.id}")
    with page.expect_download() as event:
        page.get_by_role("group", name="Ladda ner").get_by_role("link", name="Excel (XLSX)").click()
    download = event.value
    assert re.fullmatch(
        r"insyn-totals-year-vendor-2010-2011-\d{8}\.xlsx", download.suggested_filename
    )
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "År",
        "Leverantör",
        "Leverantör (id)",
        "Valuta",
        "Belopp exkl. moms",
        "Fakturor",
        "Andel",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[4]) for r in rows[:2]] == [
        (2010, vendor_with_two_years.name, 123456.78),
        (2011, vendor_with_two_years.name, 5000),
    ]
    totals = rows[-1]
    assert totals[0] == "Summa" and totals[3] == "SEK" and totals[4] == 128456.78 and totals[5] == 3
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert "Om data" in workbook.sheetnames
