"""The currency of a file's amounts is read from the file, never guessed silently: a currency
column, the amount's header, the title above the header, the profile, or else the
deployment's default currency, each choice saying where it came from; new suppliers get the
country that goes with it (``app.importing.currency``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.importing.currency import choose_currency
from app.importing.currency import country_for
from app.importing.currency import named_in
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from tests.test_importing_errors import import_file


@pytest.mark.parametrize(
    ("text", "default", "named"),
    [
        ("Net Amount (£)", "SEK", {"GBP"}),
        ("Belopp SEK", "SEK", {"SEK"}),
        ("Belopp kr", "SEK", {"SEK"}),
        ("Beløp kr", "NOK", {"NOK"}),
        ("Amount ($)", "SEK", {"USD"}),
        ("Amount ($)", "CAD", {"CAD"}),
        ("Payments over £500, April 2023", "SEK", {"GBP"}),
        ("Betrag in Euro", "SEK", {"EUR"}),
        ("Fakturováno Kč", "SEK", {"CZK"}),
        ("Net Amount(œ)", "SEK", {"GBP"}),
        ("Amount", "SEK", set()),
        ("Krediter", "SEK", set()),
        ("Kr. 100 and £5", "SEK", {"SEK", "GBP"}),
    ],
)
def test_a_header_or_title_names_its_currency(text, default, named):
    assert named_in(text, default) == named


def test_the_first_source_that_names_a_currency_decides():
    common = {"amount_header": "Amount (€)", "titles": ["Spend over £500"], "default": "SEK"}
    assert choose_currency(option="usd", profile_currency="GBP", **common).code == "USD"
    chosen = choose_currency(option=None, profile_currency="GBP", **common)
    assert (chosen.code, chosen.source, chosen.evidence) == ("EUR", "header", "Amount (€)")
    chosen = choose_currency(
        option=None, amount_header="Amount", titles=["Spend over £500"], profile_currency=None,
        default="SEK",
    )  # fmt: skip
    assert (chosen.code, chosen.source, chosen.evidence) == ("GBP", "title", "Spend over £500")
    chosen = choose_currency(
        option=None, amount_header="Amount", titles=[], profile_currency="CAD", default="SEK"
    )
    assert (chosen.code, chosen.source) == ("CAD", "profile")
    chosen = choose_currency(
        option=None, amount_header="Amount", titles=[], profile_currency=None, default="gbp"
    )
    assert (chosen.code, chosen.source) == ("GBP", "default")


def test_titles_naming_two_currencies_decide_nothing():
    chosen = choose_currency(
        option=None, amount_header="Amount", titles=["In £", "In €"], profile_currency=None,
        default="SEK",
    )  # fmt: skip
    assert (chosen.code, chosen.source) == ("SEK", "default")


def test_a_new_supplier_gets_the_country_of_the_currency_or_the_deployment():
    assert country_for("SEK", "SEK", "SE") == "SE"
    assert country_for("GBP", "SEK", "SE") == "GB"
    assert country_for("USD", "SEK", "SE") == "US"
    assert country_for("EUR", "EUR", "FI") == "FI"  # the deployment's own currency
    assert country_for("EUR", "SEK", "SE") == "SE"  # many countries: the deployment's


# --- whole imports ---------------------------------------------------------------------------

POUND_LEDGER = (
    "Service Cost Centre,Name,Payment Date,Net Amount (£)\r\n"
    'Leisure,Acme Fencing Ltd,3 Apr 2023,"1,250.00"\r\n'
    "Leisure,Bower & Co,24-Mar-23,99.50\r\n"
)


def test_a_pound_file_is_stored_in_pounds_with_the_default_left_at_kronor(
    app, runner, db, tmp_path
):
    assert app.config["DEFAULT_CURRENCY"] == "SEK"
    path = tmp_path / "spend-over-250.csv"
    path.write_bytes(POUND_LEDGER.encode("cp1252"))
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "Currency:  GBP (from the amount column's header “Net Amount (£)”)" in result.output
    assert "Total GBP: 1,349.50" in result.output
    rows = db.session.execute(
        sa.select(Invoice.currency, Invoice.net_amount, Invoice.paid_on).order_by(Invoice.id)
    ).all()
    assert rows == [
        ("GBP", Decimal("1250.00"), dt.date(2023, 4, 3)),
        ("GBP", Decimal("99.50"), dt.date(2023, 3, 24)),
    ]
    assert set(db.session.scalars(sa.select(Vendor.country))) == {"GB"}
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert batch.counts["currency"]["code"] == "GBP"
    assert batch.counts["currency"]["source"] == "header"


def test_a_title_above_the_header_names_the_currency(runner, db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Payments over £500 — April 2023"])
    sheet.append([])
    sheet.append(["Supplier", "Date", "Amount"])
    sheet.append(["Acme Fencing Ltd", dt.date(2023, 4, 3), 1250])
    sheet.append(["Bower & Co", dt.date(2023, 4, 4), 99.5])
    path = tmp_path / "payments.xlsx"
    workbook.save(path)
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "header on row 3" in result.output
    assert "Currency:  GBP (from the title above the header: “Payments over £500" in result.output
    assert set(db.session.scalars(sa.select(Invoice.currency))) == {"GBP"}


def test_a_file_naming_no_currency_gets_the_deployments_and_says_so(
    app, runner, db, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "DEFAULT_CURRENCY", "USD")
    monkeypatch.setitem(app.config, "DEFAULT_COUNTRY", "US")
    path = tmp_path / "payments.csv"
    path.write_text("Vendor Name,Check Date,Amount\nAcme Inc,7/25/2018,10.00\n", encoding="utf-8")
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "Currency:  USD (the deployment's default currency (INSYN_DEFAULT_CURRENCY)" in (
        result.output
    )
    invoice = db.session.scalars(sa.select(Invoice)).one()
    assert (invoice.currency, invoice.paid_on) == ("USD", dt.date(2018, 7, 25))
    assert invoice.vendor.country == "US"


def test_the_command_line_currency_wins(runner, db, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes(POUND_LEDGER.encode("cp1252"))
    result = import_file(runner, path, "--currency", "eur")
    assert result.exit_code == 0, result.output
    assert "Currency:  EUR (given with --currency)" in result.output
    assert set(db.session.scalars(sa.select(Invoice.currency))) == {"EUR"}


def test_a_currency_column_gives_each_row_its_own(runner, db, tmp_path):
    path = tmp_path / "fakturor.csv"
    path.write_text(
        "Leverantör;Fakturadatum;Belopp;Valuta\n"
        "Penseo AB;2010-03-01;100,00;SEK\n"
        "Acme Ltd;2010-03-02;50,00;£\n"
        "Acme Ltd;2010-03-03;20,00;\n",
        encoding="utf-8",
    )
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "a row with its own currency in column Valuta keeps it" in result.output
    rows = db.session.execute(sa.select(Invoice.currency, Invoice.net_amount).order_by(Invoice.id))
    assert rows.all() == [
        ("SEK", Decimal("100.00")),
        ("GBP", Decimal("50.00")),
        ("SEK", Decimal("20.00")),
    ]


def test_the_preview_names_the_currency_and_where_it_came_from(client, db, tmp_path):
    import io

    data = {
        "file": (io.BytesIO(POUND_LEDGER.encode("cp1252")), "spend.csv"),
        "kind": "",
        "profile": "auto",
    }
    response = client.post("/imports/", data=data, content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-currency="GBP" data-currency-source="header"' in page
    assert "Net Amount (£)" in page
