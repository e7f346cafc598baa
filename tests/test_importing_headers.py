"""Headers as Insyn compares them, and the fields they name, in the languages ledgers are
written in (``app.importing.headers`` and its synonyms)."""

from __future__ import annotations

import pytest

from app.importing.headers import header_key
from app.importing.headers import match_columns
from app.importing.headers import match_names


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Net Amount (£)", "net amount"),
        ("Belopp (SEK)", "belopp"),
        ("Fakturováno Kč", "fakturovano"),
        ("Net Amount(œ)", "net amount"),  # a DOS pound sign read as Windows-1252
        ("* SUPPLIER FINAL", "supplier final"),
        ("Name:  ", "name"),
        ("PaymentDate", "payment date"),
        ("VATAmount", "vat amount"),
        ("trans_no", "transaction number"),
        ("Invoice Net Amt", "invoice net amount"),
        ("Dept. Descrptn", "department description"),
        ("HBC Ref No.", "hbc reference number"),
        ("\ufeffLEVERANTÖR ", "leverantor"),
        ("Leverandør", "leverandor"),
        ("Datum  úhrady", "datum uhrady"),
        ("Cost Center", "cost centre"),
        ("kr", "kr"),  # a header that is only a currency mark keeps it
    ],
)
def test_a_header_is_compared_without_case_marks_currency_or_abbreviations(written, key):
    assert header_key(written) == key


def _fields(kind: str, headers: list[str]) -> dict[str, str]:
    return {name: headers[i] for name, i in match_columns(kind, headers).items()}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            ["Leverantör", "Fakturadatum", "Belopp exkl. moms", "Belopp"],
            {"vendor_name": "Leverantör", "invoiced_on": "Fakturadatum",
             "net_amount": "Belopp exkl. moms"},
            id="sv-the-amount-without-VAT-first",
        ),
        pytest.param(
            ["Leverandør", "Fakturadato", "Beløp", "Avdeling"],
            {"vendor_name": "Leverandør", "invoiced_on": "Fakturadato", "net_amount": "Beløp",
             "department": "Avdeling"},
            id="no",
        ),
        pytest.param(
            ["Kreditor", "Betalingsdato", "Beløb", "Afdeling"],
            {"vendor_name": "Kreditor", "paid_on": "Betalingsdato", "net_amount": "Beløb",
             "department": "Afdeling"},
            id="da",
        ),
        pytest.param(
            ["Toimittaja", "Maksupäivä", "Summa", "Kuvaus"],
            {"vendor_name": "Toimittaja", "paid_on": "Maksupäivä", "net_amount": "Summa",
             "description": "Kuvaus"},
            id="fi",
        ),
        pytest.param(
            ["Lieferant", "Rechnungsdatum", "Betrag", "Kostenstelle", "Rechnungsnummer"],
            {"vendor_name": "Lieferant", "invoiced_on": "Rechnungsdatum", "net_amount": "Betrag",
             "department": "Kostenstelle", "invoice_number": "Rechnungsnummer"},
            id="de",
        ),
        pytest.param(
            ["PaymentDate", "VendorName", "PaymentAmount", "Fund"],
            {"paid_on": "PaymentDate", "vendor_name": "VendorName", "net_amount": "PaymentAmount"},
            id="camelCase",
        ),
        pytest.param(
            ["Check/Payment Date", "Dept. Descrptn", "Vendor Name", "Invoice Net Amt"],
            {"paid_on": "Check/Payment Date", "department": "Dept. Descrptn",
             "vendor_name": "Vendor Name", "net_amount": "Invoice Net Amt"},
            id="abbreviations",
        ),
        pytest.param(
            ["* Expenditure Category", "* Date", "TOTAL", "* SUPPLIER FINAL"],
            {"category": "* Expenditure Category", "invoiced_on": "* Date", "net_amount": "TOTAL",
             "vendor_name": "* SUPPLIER FINAL"},
            id="asterisks-and-a-total",
        ),
        pytest.param(
            ["Department Area", "Description", "HBC Ref No.", "Name:  ", "", "Payment Date",
             "Amount Paid"],
            {"department": "Department Area", "description": "Description",
             "invoice_number": "HBC Ref No.", "vendor_name": "Name:  ", "paid_on": "Payment Date",
             "net_amount": "Amount Paid"},
            id="trailing-colon",
        ),
        pytest.param(
            ["Date of Payment", "Supplier", "Supplier Post Code", "Supplier Type", "Amount"],
            {"paid_on": "Date of Payment", "vendor_name": "Supplier", "net_amount": "Amount"},
            id="payment-date-spelt-out",
        ),
    ],
)  # fmt: skip
def test_the_fields_are_named_in_each_language_and_spelling(headers, expected):
    assert _fields("invoices", headers) == expected


def test_a_word_that_says_something_else_keeps_a_header_from_a_field():
    match = match_names(
        "invoices", ["Supplier Classification", "Supplier Final", "VAT Amount", "Total Amount"]
    )
    assert match.candidates["vendor_name"] == [1]  # not "Supplier Classification"
    assert match.columns["vat_amount"] == 2
    assert match.candidates["net_amount"] == [3]  # not the VAT amount


def test_a_payment_word_alone_is_no_date():
    match = match_names("invoices", ["Payment Method", "Payment Reference", "Payee"])
    assert "paid_on" not in match.columns and "paid_on" not in match.candidates
    assert match.columns["invoice_number"] == 1 and match.columns["vendor_name"] == 2
