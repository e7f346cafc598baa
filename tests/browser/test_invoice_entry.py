"""A clerk at work in a real browser: vendor, contract and invoice entry with the type-ahead,
VAT filled in by the script, "save and add another", and the refusals that keep the form.

Elements are found by id, name or the data they show, never by interface text, so the tests
hold in either interface language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INVOICE_PAGE = re.compile(r"/invoices/(\d+)$")
#: A link to one invoice (not to a filtered list of them).
INVOICE_LINK = "a[href^='/invoices/']:not([href*='?'])"


def normalised(text: str | None) -> str:
    """``text`` with every run of whitespace (no-break spaces included) as one space."""
    return " ".join((text or "").split())


def pick_vendor(page: Page, typed: str, name: str, *, keyboard: bool = False) -> None:
    """Type ``typed`` into the vendor combobox and pick ``name`` from its suggestions, with
    the mouse or (``keyboard``) with the arrow keys and Enter."""
    box = page.locator("#vendor")
    box.click()
    box.press_sequentially(typed)
    suggestion = page.locator("#vendor-suggestions").get_by_role("option").filter(has_text=name)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(suggestion).to_have_count(1)
    if keyboard:
        for _ in range(10):
            if suggestion.get_attribute("aria-selected") == "true":
                break
            box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", suggestion.get_attribute("id"))
        box.press("Enter")
    else:
        suggestion.click()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#vendor-suggestions")).to_be_hidden()
    expect(box).to_have_value(re.compile("^" + re.escape(name)))
    expect(page.locator("[name=vendor_id]")).to_have_value(re.compile(r"^\d+$"))


def fill_invoice(
    page: Page,
    *,
    vendor_typed: str,
    vendor_name: str,
    number: str,
    invoiced_on: str,
    amount: str,
    paid_on: str | None = None,
    keyboard: bool = False,
) -> None:
    """Fill the new-invoice form the way a clerk does (the form must be open)."""
    pick_vendor(page, vendor_typed, vendor_name, keyboard=keyboard)
    page.locator("#invoice_number").fill(number)
    page.locator("#invoiced_on").fill(invoiced_on)
    if paid_on:
        page.locator("#paid_on").fill(paid_on)
    page.locator("#net_amount").press_sequentially(amount)


def invoice_numbers_listed(page: Page, vendor_id: str) -> list[str]:
    """The invoice numbers the invoice list shows for one vendor, newest first."""
    page.goto(f"/invoices/?vendor={vendor_id}")
    links = page.locator("table.invoices tbody tr").locator(INVOICE_LINK)
    return [normalised(text) for text in links.all_text_contents()]


def test_a_clerk_adds_a_vendor_a_contract_and_an_invoice_and_finds_it_listed(page: Page):
    vendor_name = "Kommunikationsbyrån Ljus AB"
    contract_title = "Sociala medier 2010"

    # The vendor, with a valid organisation number.
    page.goto("/vendors/new")
    page.locator("#name").fill(vendor_name)
    page.locator("#org_number").fill("556677-8899")
    page.locator("form.record-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/vendors/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(vendor_name)

    # A contract with it, the vendor picked from the type-ahead.
    page.goto("/contracts/new")
    pick_vendor(page, "ljus", vendor_name)
    expect(page.locator("#vendor")).to_have_value(f"{vendor_name} (556677-8899)")
    page.locator("#title").fill(contract_title)
    page.locator("#starts_on").fill("2010-01-01")
    page.locator("#ends_on").fill("2010-12-31")
    page.locator("#ceiling_amount").fill("300 000")
    page.locator("form.record-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/contracts/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(contract_title)

    # An invoice: the VAT fills itself in, the vendor's only contract is chosen.
    page.goto("/invoices/new")
    fill_invoice(
        page,
        vendor_typed="Kommunikations",
        vendor_name=vendor_name,
        number="2010-117",
        invoiced_on="2010-05-31",
        amount="12 500,00",
    )
    expect(page.locator("#vat_rate")).to_have_value("25")
    expect(page.locator("#vat_amount")).to_have_value(re.compile(r"^3\s125,00$"))
    expect(page.locator("#contract_id option:checked")).to_have_text(contract_title)
    page.locator("[name=save]").click()

    expect(page).to_have_url(INVOICE_PAGE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("2010-117")
    expect(page.locator(".flash-success a", has_text="2010-117")).to_be_visible()
    facts = page.locator("dl.facts")
    assert normalised(facts.locator("dd.figure").text_content()) == "12 500,00 kr"
    expect(facts.get_by_role("link", name=contract_title)).to_be_visible()

    # The invoice list shows it, the amounts the Swedish way.
    page.locator("nav.main-nav a[href='/invoices/']").click()
    expect(page).to_have_url(re.compile(r"/invoices/$"))
    # Other tests fill the list too: find it the way a clerk would, by its number.
    page.locator("#q").fill("2010-117")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/invoices/\?.*q=2010-117"))
    row = page.locator("table.invoices tbody tr").filter(
        has=page.get_by_role("link", name="2010-117", exact=True)
    )
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=vendor_name)).to_be_visible()
    cells = row.locator("td").all_text_contents()
    assert "2010-05-31" in [normalised(c) for c in cells]
    net = [c for c in cells if normalised(c) == "12 500,00 kr"]
    assert net, f"no cell shows 12 500,00 kr: {cells}"
    assert "3 125,00 kr" in [normalised(c) for c in cells], cells
    assert " " not in net[0].strip(), "an amount must not wrap: its spaces are no-break spaces"


def test_save_and_add_another_opens_a_new_form_keeping_the_vendor_and_the_dates(
    page: Page, add_vendor
):
    vendor = add_vendor("Strategikontoret Nord AB")

    page.goto("/invoices/new")
    fill_invoice(
        page,
        vendor_typed="Strategikont",
        vendor_name=vendor.name,
        number="SN-1001",
        invoiced_on="2010-06-30",
        paid_on="2010-07-29",
        amount="8 000",
        keyboard=True,
    )
    expect(page.locator("#vat_amount")).to_have_value(re.compile(r"^2\s000,00$"))
    page.locator("[name=save_and_add]").click()

    expect(page).to_have_url(re.compile(r"/invoices/new\?"))
    expect(page.locator(".flash-success a", has_text="SN-1001")).to_have_attribute(
        "href", INVOICE_PAGE
    )
    expect(page.locator("#vendor")).to_have_value(vendor.label)
    expect(page.locator("[name=vendor_id]")).to_have_value(str(vendor.id))
    expect(page.locator("#invoiced_on")).to_have_value("2010-06-30")
    expect(page.locator("#paid_on")).to_have_value("2010-07-29")
    for cleared in ("#invoice_number", "#net_amount", "#vat_amount"):
        expect(page.locator(cleared)).to_have_value("")

    # The next invoice needs only its number and amount.
    page.locator("#invoice_number").fill("SN-1002")
    page.locator("#net_amount").press_sequentially("1 200,50")
    expect(page.locator("#vat_amount")).to_have_value(re.compile(r"^300,13$"))
    page.locator("[name=save]").click()
    expect(page).to_have_url(INVOICE_PAGE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("SN-1002")

    assert invoice_numbers_listed(page, str(vendor.id)) == ["SN-1002", "SN-1001"]


def test_a_duplicate_invoice_number_is_refused_with_a_link_to_the_existing_invoice(
    page: Page, add_vendor
):
    vendor = add_vendor("Dubblettkonsult i Väst AB")
    first = {
        "vendor_typed": "Dubblett",
        "vendor_name": vendor.name,
        "number": "F-3001",
        "invoiced_on": "2010-09-15",
        "amount": "4 000,00",
    }
    page.goto("/invoices/new")
    fill_invoice(page, **first)
    page.locator("[name=save]").click()
    expect(page).to_have_url(INVOICE_PAGE)
    existing_url = page.url

    page.goto("/invoices/new")
    fill_invoice(page, **{**first, "invoiced_on": "2010-10-15", "amount": "5 000,00"})
    page.locator("[name=save]").click()

    expect(page).to_have_url(re.compile(r"/invoices/new$"))
    number = page.locator("#invoice_number")
    expect(number).to_have_value("F-3001")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_attribute("aria-describedby", re.compile(r"\binvoice_number-error\b"))
    message = page.locator("#invoice_number-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("F-3001")
    expect(page.locator("#invoiced_on")).to_have_value("2010-10-15")
    expect(page.locator("#net_amount")).to_have_value("5 000,00")

    message.get_by_role("link").click()
    expect(page).to_have_url(existing_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("F-3001")
    assert normalised(page.locator("dl.facts dd.figure").text_content()) == "4 000,00 kr"
    assert invoice_numbers_listed(page, str(vendor.id)) == ["F-3001"]


def test_an_ambiguous_amount_is_refused_and_everything_typed_is_kept(page: Page, add_vendor):
    vendor = add_vendor("Tvetydiga Tal Konsult AB")
    page.goto("/invoices/new")
    fill_invoice(
        page,
        vendor_typed="Tvetydiga",
        vendor_name=vendor.name,
        number="T-1",
        invoiced_on="2010-02-01",
        amount="1 000",
    )
    page.locator("[name=save]").click()
    expect(page).to_have_url(INVOICE_PAGE)

    page.goto("/invoices/new")
    fill_invoice(
        page,
        vendor_typed="Tvetydiga",
        vendor_name=vendor.name,
        number="T-2",
        invoiced_on="2010-03-01",
        paid_on="2010-03-31",
        amount="12,345",
    )
    page.locator("#vat_rate").select_option("12")
    page.locator("#hours").fill("7,5")
    page.locator("#description").fill("Workshop om tonalitet,\nandra tillfället")
    page.locator("[name=save]").click()

    expect(page).to_have_url(re.compile(r"/invoices/new$"))
    amount = page.locator("#net_amount")
    expect(amount).to_have_value("12,345")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_attribute("aria-describedby", re.compile(r"\bnet_amount-error\b"))
    error = page.locator("#net_amount-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("12,345")
    # Next to the field: inside the amount's own field box, right under the input.
    expect(page.locator(".field.has-error").filter(has=amount).locator(".errors")).to_have_id(
        "net_amount-error"
    )

    expect(page.locator("#vendor")).to_have_value(vendor.label)
    expect(page.locator("[name=vendor_id]")).to_have_value(str(vendor.id))
    expect(page.locator("#invoice_number")).to_have_value("T-2")
    expect(page.locator("#invoiced_on")).to_have_value("2010-03-01")
    expect(page.locator("#paid_on")).to_have_value("2010-03-31")
    expect(page.locator("#vat_rate")).to_have_value("12")
    expect(page.locator("#hours")).to_have_value("7,5")
    expect(page.locator("#description")).to_have_value("Workshop om tonalitet,\nandra tillfället")

    assert invoice_numbers_listed(page, str(vendor.id)) == ["T-1"]


def test_the_script_computes_vat_as_the_server_does_and_leaves_unreadable_amounts_alone(
    page: Page, add_vendor
):
    vendor = add_vendor("Kreditfakturor i Väst AB")
    page.goto("/invoices/new")
    fill_invoice(
        page,
        vendor_typed="Kreditfakt",
        vendor_name=vendor.name,
        number="K-1",
        invoiced_on="2010-11-05",
        amount="-1 250,02",
    )
    vat = page.locator("#vat_amount")
    # -312.505 rounds away from zero, as compute_vat does on the server.
    expect(vat).to_have_value("-312,51")
    page.locator("#net_amount").fill("")
    page.locator("#net_amount").press_sequentially("12,345")
    expect(vat).to_have_value("")
    page.locator("#net_amount").fill("")
    page.locator("#net_amount").press_sequentially("(1 000,00)")
    expect(vat).to_have_value("-250,00")
    page.locator("#vat_rate").select_option("6")
    expect(vat).to_have_value("-60,00")
    page.locator("[name=save]").click()
    expect(page).to_have_url(INVOICE_PAGE)
    assert normalised(page.locator("dl.facts dd.figure").text_content()) == "-1 000,00 kr"


def _focused(page: Page) -> str:
    """The id (or, without one, the name) of the element that has the keyboard focus."""
    return page.evaluate("() => document.activeElement.id || document.activeElement.name || ''")


def _tab_to(page: Page, target: str, limit: int = 30) -> None:
    """Press Tab until ``target`` (an id or a name) has the focus, as a clerk would."""
    for _ in range(limit):
        if _focused(page) == target:
            return
        page.keyboard.press("Tab")
    assert _focused(page) == target, f"Tab never reached {target}"


def _type_date(page: Page, iso: str) -> None:
    """Type the date ``iso`` (YYYY-MM-DD) into the focused date field, its parts in the order
    the browser's date field takes them (its own language decides: headless Chromium asks
    month, day, year), found by typing a probe date into a scratch field first."""
    order = page.evaluate(
        """() => { const probe = document.createElement('input'); probe.type = 'date';
            probe.id = 'date-probe'; document.body.appendChild(probe); return probe.id; }"""
    )
    active = _focused(page)
    page.locator(f"#{order}").focus()
    page.keyboard.type("01022003")
    found = page.locator(f"#{order}").input_value()
    page.evaluate("() => document.getElementById('date-probe').remove()")
    page.locator(f"#{active}").focus()
    year, month, day = iso.split("-")
    parts = {"2003-01-02": month + day + year, "2003-02-01": day + month + year}
    page.keyboard.type(parts.get(found, year + month + day))


def test_a_clerk_enters_three_invoices_with_the_keyboard_alone(page: Page, add_vendor, live_server):
    """No mouse: the form opens on the vendor, Enter picks a suggestion without sending the
    form and moves on to the invoice number, Tab leads through the fields in the order they
    are filled, “save and add another” comes back on the invoice number with the vendor, its
    contracts only and the dates kept, and Enter in a field saves."""
    import datetime as dt
    from decimal import Decimal

    from app.extensions import db
    from app.models import Vendor
    from app.services.contracts import create_contract

    vendor = add_vendor("Tangentbordskonsult Öst AB")
    other = add_vendor("Musbolaget Väst AB")
    with live_server.app.app_context():
        mine = create_contract(
            {"vendor": db.session.get(Vendor, vendor.id), "title": "Tangentavtal",
             "starts_on": dt.date(2010, 1, 1), "ceiling_amount": Decimal("500000")}
        )  # fmt: skip
        create_contract(
            {"vendor": db.session.get(Vendor, other.id), "title": "Musavtal",
             "starts_on": dt.date(2010, 1, 1)}
        )  # fmt: skip
        db.session.commit()
        contract_id = str(mine.id)

    page.goto("/invoices/new")
    expect(page.locator("#vendor")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#invoice_number")).to_be_focused()  # not the "add a vendor" link
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#vendor")).to_be_focused()

    page.keyboard.type("Tangentbord")
    expect(page.locator("#vendor")).to_have_attribute("aria-expanded", "true")
    # Enter with no suggestion marked: the only one is picked, the form is not sent.
    page.keyboard.press("Enter")
    expect(page.locator("[name=vendor_id]")).to_have_value(str(vendor.id))
    expect(page).to_have_url(re.compile(r"/invoices/new$"))
    expect(page.locator("#invoice_number")).to_be_focused()
    page.keyboard.type("T-1")
    page.keyboard.press("Tab")
    expect(page.locator("#invoiced_on")).to_be_focused()
    _type_date(page, "2010-03-01")
    expect(page.locator("#invoiced_on")).to_have_value("2010-03-01")
    # (Chromium's date field has a stop of its own, its calendar button, before the next field.)
    _tab_to(page, "paid_on", limit=3)
    _tab_to(page, "contract_id", limit=6)  # past the empty date's day, month, year and button
    # The menu holds the picked vendor's contracts (the script asked the server for them).
    expect(page.locator("#contract_id option")).to_have_count(2)
    page.keyboard.press("ArrowDown")
    expect(page.locator("#contract_id")).to_have_value(contract_id)
    page.keyboard.press("Tab")
    expect(page.locator("#net_amount")).to_be_focused()
    page.keyboard.type("12 500,00")
    expect(page.locator("#vat_amount")).to_have_value(re.compile(r"^3\s125,00$"))
    _tab_to(page, "save_and_add")
    page.keyboard.press("Enter")

    # The second: back on the invoice number, the vendor, its contract and the date kept.
    expect(page).to_have_url(re.compile(r"/invoices/new\?"))
    expect(page.locator(".flash-success")).to_contain_text("T-1")
    expect(page.locator("#invoice_number")).to_be_focused()
    expect(page.locator("[name=vendor_id]")).to_have_value(str(vendor.id))
    expect(page.locator("#invoiced_on")).to_have_value("2010-03-01")
    expect(page.locator("#contract_id option")).to_have_count(2)  # none of the other vendor's
    expect(page.locator("#contract_id")).to_have_value(contract_id)
    page.keyboard.type("T-2")
    _tab_to(page, "net_amount")
    page.keyboard.type("4 000")
    _tab_to(page, "save_and_add")
    page.keyboard.press("Enter")

    # The third, saved with Enter in its amount.
    expect(page.locator(".flash-success")).to_contain_text("T-2")
    expect(page.locator("#invoice_number")).to_be_focused()
    page.keyboard.type("T-3")
    _tab_to(page, "net_amount")
    page.keyboard.type("1 000,50")
    page.keyboard.press("Enter")
    expect(page).to_have_url(INVOICE_PAGE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("T-3")

    assert invoice_numbers_listed(page, str(vendor.id)) == ["T-3", "T-2", "T-1"]


def test_a_form_sent_back_with_errors_puts_the_focus_on_the_first_one(page: Page, add_vendor):
    vendor = add_vendor("Felrättarna AB")
    page.goto("/invoices/new")
    pick_vendor(page, "Felrätt", vendor.name, keyboard=True)
    page.locator("#net_amount").press_sequentially("100")
    page.locator("[name=save]").click()
    expect(page.locator("#invoice_number-error")).to_be_visible()
    expect(page.locator("#invoice_number")).to_be_focused()
