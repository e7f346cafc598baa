"""A clerk imports a real ledger file in the browser: upload, preview, confirm, and the rows
listed with the import they came from."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.conftest import REAL_DATA

pytestmark = pytest.mark.browser

CRAVEN = REAL_DATA / "craven_payments_over_500_2017-03.csv"


def normalised(text: str | None) -> str:
    return " ".join((text or "").split())


def test_a_clerk_imports_the_craven_file(page: Page):
    assert CRAVEN.exists(), f"the real test file is missing: {CRAVEN}"
    page.goto("/imports/")
    page.locator("input[name=file]").set_input_files(str(CRAVEN))
    page.locator("form[enctype] button[type=submit]").click()

    # The preview: read in the background, shown when ready; nothing written yet.
    expect(page.locator("[data-import-status=preview]")).to_be_visible(timeout=15_000)
    expect(page.locator("[data-figure=rows]")).to_have_text("171")
    expect(page.locator("[data-left-out=totals]")).to_contain_text("173")
    assert normalised(page.locator("[data-total=GBP]").text_content()) == "726 583,94 GBP"

    page.locator("#confirm-import").click()
    expect(page.locator("[data-import-status=imported]")).to_be_visible(timeout=15_000)
    batch_link = page.locator("[data-import-status=imported] a[href^='/imports/batches/']")
    batch_url = batch_link.get_attribute("href")
    batch_link.click()
    expect(page).to_have_url(re.compile(re.escape(batch_url) + "$"))

    # The batch lists its invoices; their sum is the file's total, and each links back.
    page.locator("a[href^='/invoices/?batch=']").click()
    expect(page.locator("table.invoices tbody tr")).to_have_count(50)  # the first page of 171
    assert normalised(page.locator(".total-figure").first.text_content()) == "726 583,94 GBP"
    page.locator("table.invoices tbody tr a[href^='/invoices/']:not([href*='?'])").first.click()
    expect(page.locator(f".provenance a[href='{batch_url}']")).to_be_visible()


def test_a_clerk_chooses_the_columns_of_a_ledger_insyn_does_not_recognise(page: Page, tmp_path):
    from tests.test_importing_columns import ODD_LEDGER

    path = tmp_path / "reskontra.csv"
    path.write_text(ODD_LEDGER, encoding="utf-8")
    page.goto("/imports/")
    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("select[name=kind]").select_option("invoices")
    page.locator("form[enctype] button[type=submit]").click()

    # Refused, naming what the file has, with a menu per field offering its columns.
    expect(page.locator("[data-import-status=rejected]")).to_contain_text("Avsändare")
    expect(page.locator("#choose-columns .field-missing")).to_have_count(1)
    page.locator("#column-vendor_name").select_option("Avsändare")
    page.locator("#column-net_amount").select_option("Kronor")
    page.locator("#column-invoiced_on").select_option("Bokf.dag")
    page.locator("#choose-columns button[type=submit]").click()

    expect(page.locator("[data-import-status=preview]")).to_be_visible(timeout=15_000)
    assert normalised(page.locator("[data-total=SEK]").text_content()) == "3 500,50 kr"
    page.locator("#confirm-import").click()
    expect(page.locator("[data-import-status=imported]")).to_be_visible(timeout=15_000)
