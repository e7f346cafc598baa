"""Accounts at work in a real browser: who may read and who may write, a record's history for
auditors, two clerks saving the same invoice, and the audit log with its CSV download.

Elements are found by id, name, class or the data they show (names, amounts, field names as
the audit trail records them), never by interface text, so the tests hold in either
interface language.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INVOICE_PAGE = re.compile(r"/invoices/(\d+)$")


def normalised(text: str | None) -> str:
    """``text`` with every run of whitespace (no-break spaces included) as one space."""
    return " ".join((text or "").split())


def shown_amount(page: Page) -> str:
    """The amount excluding VAT as the invoice page shows it."""
    return normalised(page.locator("dl.facts dd.figure").text_content())


def sign_out(page: Page) -> None:
    """Sign out through the account menu in the page header."""
    menu = page.locator("details.account-menu")
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    menu.locator("#sign-out").click()
    expect(page.locator("details.account-menu")).to_have_count(0)
    expect(page.locator("a.sign-in")).to_be_visible()


def conflict_pairs(page: Page) -> list[tuple[str, str]]:
    """The (now saved, you typed) values of the conflict table, one pair a row."""
    rows = page.locator("div.conflict tbody tr")
    return [
        (
            normalised(row.locator("td.conflict-current").text_content()),
            normalised(row.locator("td.conflict-typed").text_content()),
        )
        for row in rows.all()
    ]


def change_amount(page: Page, invoice_id: int, amount: str) -> None:
    """Open the invoice's edit form, type a new amount excluding VAT, and save."""
    page.goto(f"/invoices/{invoice_id}/edit")
    box = page.locator("#net_amount")
    box.fill("")
    box.press_sequentially(amount)
    page.locator("[name=save]").click()
    expect(page).to_have_url(f"/invoices/{invoice_id}")


def test_anyone_reads_an_invoice_clerks_write_it_and_auditors_read_its_history(
    page: Page, clerk, make_account, sign_in, add_vendor, page_watch
):
    vendor = add_vendor("Granskningsbar Rådgivning AB")

    # A clerk enters an invoice, the vendor picked from the type-ahead.
    page.goto("/invoices/new")
    box = page.locator("#vendor")
    box.click()
    box.press_sequentially("Granskningsbar")
    suggestion = page.locator("#vendor-suggestions").get_by_role("option")
    expect(suggestion.filter(has_text=vendor.name)).to_have_count(1)
    suggestion.filter(has_text=vendor.name).click()
    expect(page.locator("[name=vendor_id]")).to_have_value(str(vendor.id))
    page.locator("#invoice_number").fill("GR-77")
    page.locator("#invoiced_on").fill("2010-08-31")
    page.locator("#net_amount").press_sequentially("2 340,00")
    page.locator("[name=save]").click()
    expect(page).to_have_url(INVOICE_PAGE)
    invoice_id = int(INVOICE_PAGE.search(page.url).group(1))
    invoice_url = f"/invoices/{invoice_id}"
    edit_link = page.locator(f"a[href='{invoice_url}/edit']")
    void_link = page.locator(f"a[href='{invoice_url}/void']")
    expect(edit_link).to_be_visible()
    expect(void_link).to_be_visible()

    sign_out(page)

    # Anyone may read it, and nobody signed out is offered to change it.
    page.goto(invoice_url)
    expect(page.locator("h1")).to_contain_text("GR-77")
    assert shown_amount(page) == "2 340,00 kr"
    expect(edit_link).to_have_count(0)
    expect(void_link).to_have_count(0)
    expect(page.locator("section.history")).to_have_count(0)
    expect(page.locator("a[href='/invoices/new']")).to_have_count(0)

    # The edit form itself sends a visitor to sign in, and back afterwards.
    page.goto(f"{invoice_url}/edit")
    expect(page).to_have_url(
        re.compile(rf"/login\?next=(/|%2F)invoices(/|%2F){invoice_id}(/|%2F)edit$")
    )
    expect(page.locator("#email")).to_be_visible()
    expect(page.locator("#password")).to_be_visible()

    # An auditor reads the invoice with its history: who created it, with what.
    auditor = make_account("auditor")
    sign_in(page, auditor)
    page.goto(invoice_url)
    assert shown_amount(page) == "2 340,00 kr"
    expect(edit_link).to_have_count(0)
    expect(void_link).to_have_count(0)
    history = page.locator("section.history")
    expect(history).to_be_visible()
    events = history.locator("ol.history-list > li")
    expect(events).to_have_count(1)
    created = events.first
    expect(created.locator(".history-head strong")).to_have_text(clerk.label)
    changes = {
        row.get_attribute("data-field"): (
            normalised(row.locator("td.old").text_content()),
            normalised(row.locator("td.new").text_content()),
        )
        for row in created.locator("table.changes-table tr").all()
    }
    assert changes["invoice_number"] == ("—", "GR-77"), changes
    assert changes["net_amount"] == ("—", "2 340,00"), changes
    assert changes["vat_amount"] == ("—", "585,00"), changes
    assert {old for old, _new in changes.values()} == {"—"}, "a creation has no old values"

    # ... and may not change it: the server refuses, whatever the page offers.
    page_watch.expect_status(page, f"{invoice_url}/edit", 403)
    response = page.goto(f"{invoice_url}/edit")
    assert response is not None
    assert response.status == 403
    expect(page.locator(".error-page .error-code")).to_have_text("403")
    expect(page.locator("form.invoice-form")).to_have_count(0)


def test_a_save_built_on_an_older_version_is_refused_and_keeps_what_was_typed(
    page: Page, clerk, make_account, new_page, add_invoice
):
    invoice = add_invoice("KF-1", net_amount="1000.00")
    edit_url = f"{invoice.url}/edit"
    other_clerk = make_account("clerk")
    other = new_page(as_=other_clerk)

    # Both clerks open the same version of the invoice.
    page.goto(edit_url)
    other.goto(edit_url)
    for form in (page, other):
        expect(form.locator("#net_amount")).to_have_value("1 000,00")
    version = page.locator("[name=version]").input_value()
    assert other.locator("[name=version]").input_value() == version

    # The first changes the amount and saves.
    amount = page.locator("#net_amount")
    amount.fill("")
    amount.press_sequentially("1 500,00")
    expect(page.locator("#vat_amount")).to_have_value("375,00")
    page.locator("[name=save]").click()
    expect(page).to_have_url(invoice.url)
    assert shown_amount(page) == "1 500,00 kr"

    # The second, on the form built from the old version, changes the description.
    description = "Workshop om klarspråk, andra tillfället"
    other.locator("#description").fill(description)
    other.locator("[name=save]").click()

    expect(other).to_have_url(edit_url)
    conflict = other.locator("div.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(clerk.name)
    expect(conflict).to_contain_text(clerk.email)
    pairs = conflict_pairs(other)
    assert ("1 500,00", "1 000,00") in pairs, pairs  # the amount: now saved, you typed
    assert ("375,00", "250,00") in pairs, pairs  # its VAT
    assert ("", description) in pairs, pairs
    # Nothing typed is lost: the form holds the second clerk's values.
    expect(other.locator("#description")).to_have_value(description)
    expect(other.locator("#net_amount")).to_have_value("1 000,00")
    expect(other.locator("#invoice_number")).to_have_value("KF-1")
    assert other.locator("[name=version]").input_value() != version

    # Nothing of the refused save reached the invoice.
    page.reload()
    assert shown_amount(page) == "1 500,00 kr"
    expect(page.locator("dl.facts")).not_to_contain_text(description)

    # Saving again is a deliberate choice to replace the current values, and goes through.
    other.locator("[name=save]").click()
    expect(other).to_have_url(invoice.url)
    expect(other.locator("div.conflict")).to_have_count(0)
    expect(other.locator("dl.facts")).to_contain_text(description)
    assert shown_amount(other) == "1 000,00 kr"
    page.reload()
    expect(page.locator("dl.facts")).to_contain_text(description)
    assert shown_amount(page) == "1 000,00 kr"


def test_an_admin_finds_a_change_in_the_audit_log_and_in_its_csv(
    page: Page, clerk, make_account, new_page, add_invoice
):
    invoice = add_invoice("AL-5", net_amount="1000.00")
    change_amount(page, invoice.id, "1 250,00")
    assert shown_amount(page) == "1 250,00 kr"

    admin = make_account("admin")
    log = new_page(as_=admin)
    log.goto("/audit/")
    log.locator("#type").select_option("invoices")
    log.locator("#action").select_option("update")
    log.locator("form.filters button[type=submit]").click()
    expect(log).to_have_url(re.compile(r"/audit/\?.*\baction=update\b"))
    expect(log.locator("#action")).to_have_value("update")

    rows = log.locator(f"table.audit tbody tr[data-record='invoices:{invoice.id}']")
    expect(rows).to_have_count(1)
    row = normalised(rows.first.text_content())
    assert clerk.label in row, row

    def change(field: str) -> str:
        text = normalised(rows.first.locator(f"[data-field={field}]").text_content())
        return text.split(":", 1)[1].strip()

    assert change("net_amount") == "1 000,00 → 1 250,00", row
    assert change("vat_amount") == "250,00 → 312,50", row

    # The download gives the same event, as CSV.
    link = log.locator("a[href^='/audit/events.csv']")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert href is not None
    try:
        response = log.request.get(href)
    except PlaywrightError as error:
        pytest.fail(f"the CSV download broke off (see the server's log): {error}", pytrace=False)
    assert response.status == 200, response.status
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers.get("content-disposition", "")
    text = response.body().decode("utf-8")
    assert text.startswith("\ufeff"), "the CSV starts with a byte order mark for spreadsheets"
    events = [
        e
        for e in csv.DictReader(io.StringIO(text[1:]))
        if e["record_type"] == "invoices" and e["record_id"] == str(invoice.id)
    ]
    assert len(events) == 1, events
    (event,) = events
    assert event["action"] == "update"
    assert event["actor"] == clerk.label
    assert event["origin"] == "web"
    changes = json.loads(event["changes"])
    assert changes["net_amount"] == ["1000.00", "1250.00"], changes
    assert changes["vat_amount"] == ["250.00", "312.50"], changes
