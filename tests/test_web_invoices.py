"""The invoice pages through the test client: entry, errors that keep what was typed,
duplicates, corrections and voiding."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import Invoice

D = Decimal


def _post_invoice(client, for_vendor, **fields):
    data = {
        "vendor": for_vendor.name,
        "vendor_id": str(for_vendor.id),
        "invoice_number": "F-1",
        "invoiced_on": "2010-03-31",
        "paid_on": "2010-04-30",
        "net_amount": "1 000,00",
        "vat_rate": "25",
        "vat_amount": "",
        "currency": "SEK",
        "save": "Spara",
        **fields,
    }
    return client.post("/invoices/new", data=data)


def _stored_ore(db, number: str) -> int:
    """The amount as stored: whole öre, read past the Money type."""
    return db.session.execute(
        sa.text("SELECT net_amount FROM invoices WHERE invoice_number = :n"), {"n": number}
    ).scalar_one()


@pytest.mark.parametrize("typed", ["1 234,50", "1234.50", "1 234,50 kr", "1234,5", "1\u00a0234,50"])
def test_an_amount_typed_in_any_notation_is_stored_as_whole_ore(client, db, make_vendor, typed):
    response = _post_invoice(client, make_vendor(), invoice_number="A-1", net_amount=typed)
    assert response.status_code == 302
    assert _stored_ore(db, "A-1") == 123450


def test_an_ambiguous_amount_is_refused_and_the_form_kept(client, db, make_vendor):
    vendor = make_vendor()
    response = _post_invoice(
        client, vendor, invoice_number="B-7", net_amount="12,345", description="Strategi"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "12,345" in html and "B-7" in html and "Strategi" in html and "2010-03-31" in html
    assert "12 345" in html  # the message says how to write it
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_text_that_is_no_amount_is_refused_and_the_rest_of_the_form_kept(client, db, make_vendor):
    vendor = make_vendor()
    response = _post_invoice(client, vendor, invoice_number="C-3", net_amount="abc", hours="7,5")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="abc"' in html and 'value="C-3"' in html and 'value="7,5"' in html
    assert f'value="{vendor.name}"' in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_vat_is_computed_when_left_empty(client, db, make_vendor):
    _post_invoice(client, make_vendor(), invoice_number="V-1", net_amount="10 000", vat_rate="12")
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "V-1"))
    assert invoice.vat_amount == D("1200.00")


def test_a_duplicate_is_refused_with_a_link_to_the_existing_invoice(client, db, make_invoice):
    existing = make_invoice(invoice_number="F1008")
    response = _post_invoice(client, existing.vendor, invoice_number="F1008")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/invoices/{existing.id}"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 1


def test_save_and_add_another_keeps_vendor_contract_and_dates(client, db, make_contract):
    contract = make_contract()
    response = _post_invoice(
        client,
        contract.vendor,
        invoice_number="S-1",
        contract_id=str(contract.id),
        save=None,
        save_and_add="Spara och lägg till en till",
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/invoices/new?")
    form = client.get(location).get_data(as_text=True)
    assert f'value="{contract.vendor.label}"' in form
    assert 'value="2010-03-31"' in form and 'value="2010-04-30"' in form
    assert re.search(
        rf'<option selected value="{contract.id}">|<option value="{contract.id}" selected>', form
    )


def test_the_vendor_can_be_typed_without_the_type_ahead(client, db, make_vendor):
    vendor = make_vendor(name="Webbyrån i Flen AB", org_number="556677-8899")
    response = _post_invoice(
        client, vendor, vendor="556677-8899", vendor_id="", invoice_number="T-1"
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(sa.select(Invoice.vendor_id).where(Invoice.invoice_number == "T-1"))
        == vendor.id
    )


def test_an_unknown_vendor_is_refused_on_its_field(client, db, make_vendor):
    make_vendor()
    response = _post_invoice(
        client, make_vendor(), vendor="Finns Inte AB", vendor_id="", invoice_number="U-1"
    )
    assert response.status_code == 200
    assert "Finns Inte AB" in response.get_data(as_text=True)


def test_a_new_category_typed_in_the_form_is_created_and_used(client, db, make_vendor):
    _post_invoice(
        client, make_vendor(), invoice_number="K-1", new_category="Facebook-applikationer"
    )
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "K-1"))
    assert invoice.category.name == "Facebook-applikationer"


def test_editing_an_invoice_changes_its_amount(client, db, make_invoice):
    invoice = make_invoice(net_amount=D("1000"))
    page = client.get(f"/invoices/{invoice.id}/edit").get_data(as_text=True)
    assert 'value="1 000,00"' in page
    response = _post_invoice(
        client, invoice.vendor, invoice_number=invoice.invoice_number, net_amount="2 000,00"
    )
    assert response.status_code == 200  # posted to /new: the same number is a duplicate
    response = client.post(
        f"/invoices/{invoice.id}/edit",
        data={
            "vendor": invoice.vendor.name,
            "vendor_id": invoice.vendor_id,
            "invoice_number": invoice.invoice_number,
            "invoiced_on": "2010-03-01",
            "net_amount": "2 000,00",
            "vat_rate": "25",
            "currency": "SEK",
            "version": invoice.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(invoice)
    assert (invoice.net_amount, invoice.vat_amount) == (D("2000.00"), D("500.00"))


def test_voiding_through_the_page_marks_the_invoice_and_drops_it_from_the_sum(
    client, db, make_invoice
):
    invoice = make_invoice(net_amount=D("4321"))
    void = f"/invoices/{invoice.id}/void"
    assert client.post(void, data={"reason": "", "version": "1"}).status_code == 200
    assert invoice.voided_at is None
    response = client.post(
        void, data={"reason": "Dubbelregistrerad", "version": "1"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Dubbelregistrerad" in html
    # The list shows valid invoices unless asked for voided ones too, struck through.
    listing = client.get(f"/invoices/?vendor={invoice.vendor_id}").get_data(as_text=True)
    assert invoice.invoice_number not in listing and 'class="voided"' not in listing
    listing = client.get(f"/invoices/?vendor={invoice.vendor_id}&status=all").get_data(as_text=True)
    assert invoice.invoice_number in listing and 'class="voided"' in listing
    assert "4\u00a0321,00\u00a0kr" not in listing.split('class="totals"')[1].split("</div>")[0]
    assert client.get(f"/invoices/{invoice.id}/edit").status_code == 302


def test_the_list_sums_what_it_shows(client, db, make_invoice, make_vendor):
    vendor = make_vendor()
    make_invoice(vendor=vendor, net_amount=D("1234.50"), invoiced_on=dt.date(2010, 5, 1))
    make_invoice(vendor=vendor, net_amount=D("100"), invoiced_on=dt.date(2011, 5, 1))
    html = client.get(f"/invoices/?vendor={vendor.id}&year=2010").get_data(as_text=True)
    assert "1\u00a0234,50\u00a0kr" in html
    assert "1\u00a0334,50" not in html


def test_a_credit_note_names_the_invoice_it_credits_and_both_pages_show_it(
    client, db, make_invoice, make_vendor
):
    vendor = make_vendor()
    credited = make_invoice(vendor=vendor, invoice_number="F-1001", net_amount=D("1000"))
    other = make_invoice(invoice_number="F-1002")  # another vendor's

    def post(**fields):
        data = {
            "vendor": vendor.name,
            "vendor_id": vendor.id,
            "invoice_number": "K-1",
            "invoiced_on": "2010-04-01",
            "net_amount": "-250,00",
            "vat_rate": "25",
            "currency": "SEK",
            **fields,
        }
        return client.post("/invoices/new", data=data)

    for fields, words in [
        ({"credits_number": "F-9999"}, "har ingen giltig faktura med nummer F-9999"),
        ({"credits_number": other.invoice_number}, "har ingen giltig faktura"),
        ({"credits_number": "F-1001", "net_amount": "250,00"}, "Bara en kreditfaktura"),
    ]:
        response = post(**fields)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert words in html and 'href="#credits_number"' in html
    assert post(credits_number=" f-1001 ").status_code == 302
    note = db.session.scalar(sa.select(Invoice).where(Invoice.invoice_number == "K-1"))
    assert note.credits_invoice_id == credited.id
    page = client.get(f"/invoices/{note.id}").get_data(as_text=True)
    assert f'<a href="/invoices/{credited.id}" data-credits>F-1001</a>' in page
    page = client.get(f"/invoices/{credited.id}").get_data(as_text=True)
    assert f'<a href="/invoices/{note.id}" data-credited-by class="">K-1</a>' in page
    # The link survives an edit, and is kept on the edit form.
    edit = client.get(f"/invoices/{note.id}/edit").get_data(as_text=True)
    assert 'name="credits_number" type="text" value="F-1001"' in edit
