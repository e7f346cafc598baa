"""Invoices: entry rules, duplicates, voiding, and sums that leave voided invoices out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import Invoice
from app.services import invoices
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from tests.ledger import build_ledger

D = Decimal


def test_vat_is_computed_from_the_rate_and_rounded_half_up(make_invoice):
    invoice = make_invoice(net_amount=D("99.98"), vat_rate=25)
    assert invoice.vat_amount == D("25.00")  # 24.995 rounds up
    assert make_invoice(net_amount=D("1000"), vat_rate=6).vat_amount == D("60.00")
    assert make_invoice(net_amount=D("1000"), vat_rate=None).vat_amount == D("0.00")


def test_a_given_vat_wins_over_the_rate(make_invoice):
    invoice = make_invoice(net_amount=D("1000"), vat_rate=25, vat_amount=D("249.99"))
    assert invoice.vat_amount == D("249.99")
    assert invoice.gross_amount == D("1249.99")


def test_the_same_vendor_and_number_twice_is_refused_with_the_existing_one(
    db, make_invoice, make_vendor
):
    vendor = make_vendor()
    first = make_invoice(vendor=vendor, invoice_number="F-100")
    with pytest.raises(DuplicateError) as caught:
        make_invoice(vendor=vendor, invoice_number=" f-100 ")
    assert caught.value.existing == first
    assert caught.value.field == "invoice_number"
    db.session.rollback()
    # Another vendor may use the same number.
    assert make_invoice(invoice_number="F-100").invoice_number == "F-100"


def test_postings_of_one_invoice_may_share_its_number_but_hand_entry_may_not(db, make_invoice):
    """A ledger splits one invoice over accounts: the database keeps each posting. A clerk
    typing the same number again is refused by the service."""
    first = make_invoice(invoice_number="X-1")
    second_posting = Invoice(
        vendor=first.vendor,
        invoice_number="X-1",
        invoiced_on=dt.date(2010, 1, 1),
        net_amount=D("1"),
    )
    db.session.add(second_posting)
    db.session.flush()
    assert second_posting.id != first.id
    with pytest.raises(DuplicateError):
        invoices.create_invoice(
            {
                "vendor": first.vendor,
                "invoice_number": "x-1",
                "invoiced_on": dt.date(2010, 1, 1),
                "net_amount": D("5"),
            }
        )


def test_a_credit_note_is_negative_and_its_vat_too(make_invoice):
    credit = make_invoice(net_amount=D("-1700"), vat_rate=25)
    assert credit.is_credit_note
    assert credit.vat_amount == D("-425.00")


def test_vat_of_the_other_sign_is_refused(db, make_invoice):
    with pytest.raises(ServiceError) as caught:
        make_invoice(net_amount=D("-100"), vat_amount=D("25"))
    assert caught.value.field == "vat_amount"


def test_an_invoice_under_another_vendors_contract_is_refused(db, make_invoice, make_contract):
    contract = make_contract()
    with pytest.raises(ServiceError) as caught:
        make_invoice(contract=contract)
    assert caught.value.field == "contract"


def test_an_invoice_in_another_currency_than_its_contract_is_refused(
    db, make_invoice, make_contract
):
    contract = make_contract()
    with pytest.raises(ServiceError) as caught:
        make_invoice(vendor=contract.vendor, contract=contract, currency="EUR")
    assert caught.value.field == "currency"


def test_voided_invoices_stay_on_record_but_leave_lists_and_totals(db, make_invoice, make_vendor):
    vendor = make_vendor()
    keep = make_invoice(vendor=vendor, net_amount=D("1000.50"), vat_rate=25)
    gone = make_invoice(vendor=vendor, net_amount=D("500.25"), vat_rate=25)
    invoices.void_invoice(gone, "Registrerad två gånger")
    db.session.commit()

    filters = invoices.InvoiceFilters(vendor_id=vendor.id)
    assert db.session.scalars(invoices.invoice_select(filters)).all() == [keep]
    everything = invoices.InvoiceFilters(vendor_id=vendor.id, status="all")
    assert set(db.session.scalars(invoices.invoice_select(everything))) == {keep, gone}
    assert invoices.invoice_totals(everything) == invoices.invoice_totals(filters)
    [total] = invoices.invoice_totals(filters)
    assert (total.net_amount, total.vat_amount, total.count) == (D("1000.50"), D("250.13"), 1)
    [year] = invoices.yearly_totals(vendor_id=vendor.id)
    assert (year.year, year.net_amount) == (2010, D("1000.50"))
    voided = invoices.InvoiceFilters(vendor_id=vendor.id, status="voided")
    assert db.session.scalars(invoices.invoice_select(voided)).all() == [gone]
    assert invoices.invoice_totals(voided) == []


def test_voiding_needs_a_reason_and_happens_once(db, make_invoice):
    invoice = make_invoice()
    with pytest.raises(ServiceError):
        invoices.void_invoice(invoice, "  ")
    invoices.void_invoice(invoice, "Fel leverantör")
    with pytest.raises(ServiceError):
        invoices.void_invoice(invoice, "igen")
    with pytest.raises(ServiceError):
        invoices.update_invoice(invoice, {"vendor": invoice.vendor})


def test_totals_never_add_currencies(db, make_invoice, make_vendor):
    vendor = make_vendor()
    make_invoice(vendor=vendor, net_amount=D("100"), currency="SEK")
    make_invoice(vendor=vendor, net_amount=D("24.95"), currency="USD")
    make_invoice(vendor=vendor, net_amount=D("200"), currency="SEK")
    totals = invoices.invoice_totals(invoices.InvoiceFilters(vendor_id=vendor.id))
    assert [(t.currency, t.net_amount, t.count) for t in totals] == [
        ("SEK", D("300.00"), 2),
        ("USD", D("24.95"), 1),
    ]


def test_sums_of_many_amounts_are_exact(db, make_vendor):
    """Ten thousand invoices of 0.10: a float sum drifts, the öre sum does not."""
    vendor = make_vendor()
    db.session.execute(
        sa.insert(Invoice),
        [
            {
                "vendor_id": vendor.id,
                "invoice_number": f"N{i}",
                "invoiced_on": dt.date(2011, 1, 1),
                "net_amount": D("0.10"),
                "vat_amount": D("0.03"),
                "currency": "SEK",
            }
            for i in range(10_000)
        ],
    )
    [total] = invoices.invoice_totals(invoices.InvoiceFilters(vendor_id=vendor.id))
    assert total.net_amount == D("1000.00")
    assert total.vat_amount == D("300.00")
    assert isinstance(total.net_amount, Decimal)


def test_filters_narrow_by_year_category_and_text(db, make_invoice, make_vendor):
    from app.models import Category
    from app.services.lists import get_or_create

    vendor = make_vendor()
    training = get_or_create(Category, "Utbildning")
    a = make_invoice(
        vendor=vendor,
        invoiced_on=dt.date(2010, 12, 31),
        category=training,
        description="Kurs i bloggande",
    )
    b = make_invoice(vendor=vendor, invoiced_on=dt.date(2011, 1, 1))

    def ids(**filters):
        return {
            i.id
            for i in db.session.scalars(
                invoices.invoice_select(invoices.InvoiceFilters(vendor_id=vendor.id, **filters))
            )
        }

    assert ids(year=2010) == {a.id}
    assert ids(year=2011) == {b.id}
    assert ids(category_id=training.id) == {a.id}
    assert ids(q="BLOGG") == {a.id}
    assert ids() == {a.id, b.id}


def test_the_vendor_text_filter_matches_name_alias_or_number(db, make_invoice, make_vendor):
    penseo = make_vendor(name="Penseo AB", org_number="556036-0793", aliases=["Penseo konsult"])
    other = make_vendor(name="Annat AB")
    mine = make_invoice(vendor=penseo)
    make_invoice(vendor=other)

    def ids(text):
        query = invoices.invoice_select(invoices.InvoiceFilters(vendor_text=text))
        return {i.id for i in db.session.scalars(query)}

    assert ids("penseo") == {mine.id}
    assert ids("KONSULT") == {mine.id}
    assert ids("5560360793") == {mine.id}
    assert ids("finns inte") == set()


def test_the_ledgers_sums_per_currency_and_per_year(db):
    """The small ledger of tests/ledger.py: VAT 2 500.00 + 625.13 - 250.00 + 240.00
    + 1 750.00 + 308.64 in kronor, none in dollars; A-4 is voided."""
    build_ledger()
    assert invoices.invoice_totals(invoices.InvoiceFilters()) == [
        invoices.CurrencyTotal("SEK", D("23735.06"), D("5173.77"), 6),
        invoices.CurrencyTotal("USD", D("200.00"), D("0.00"), 2),
    ]
    assert invoices.yearly_totals() == [
        invoices.YearTotal(2011, "SEK", D("7000.00"), D("1750.00"), 1),
        invoices.YearTotal(2011, "USD", D("100.01"), D("0.00"), 1),
        invoices.YearTotal(2010, "SEK", D("16735.06"), D("3423.77"), 5),
        invoices.YearTotal(2010, "USD", D("99.99"), D("0.00"), 1),
    ]
    [sek] = invoices.invoice_totals(invoices.InvoiceFilters(currency="SEK", year=2010, month=3))
    assert (sek.net_amount, sek.vat_amount, sek.gross_amount, sek.count) == (
        D("7735.06"),  # 2 500.50 + 4 000.00 + 1 234.56
        D("1173.77"),  # 625.13 + 240.00 + 308.64
        D("8908.83"),
        3,
    )
