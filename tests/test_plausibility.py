"""Plausibility: values that parse but cannot be right are refused, with a message naming the
field and the rule, the same way in a form, in an import and in a service call."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.models import Contract
from app.models import Engagement
from app.models import Invoice
from app.services import plausibility
from app.services.plausibility import ImplausibleError

TODAY = dt.date(2026, 12, 4)
RULES = plausibility.rules_from({}, TODAY)


def _invoice(**values):
    base = {
        "invoiced_on": dt.date(2010, 3, 1),
        "paid_on": None,
        "net_amount": D("12500.00"),
        "vat_amount": D("3125.00"),
        "currency": "SEK",
        "hours": None,
        "rules": RULES,
    }
    return plausibility.invoice_problems(**{**base, **values})


def _fields(problems) -> list[str]:
    return [p.field for p in problems]


def test_the_rules_come_from_the_configuration():
    rules = plausibility.rules_from(
        {"EARLIEST_DATE": "2000-01-01", "YEARS_AHEAD": 2, "CONTRACT_YEARS_AHEAD": "5"}, TODAY
    )
    assert (rules.earliest, rules.latest, rules.latest_term) == (
        dt.date(2000, 1, 1),
        dt.date(2028, 12, 4),
        dt.date(2031, 12, 4),
    )
    assert plausibility.rules_from({}, dt.date(2024, 2, 29)).latest == dt.date(2025, 2, 28)
    with pytest.raises(ValueError):
        plausibility.rules_from({"EARLIEST_DATE": "förr"}, TODAY)


def test_a_plausible_invoice_has_no_problems():
    assert _invoice() == []
    assert _invoice(paid_on=dt.date(2010, 3, 1), hours=D("12.5")) == []
    # Rounding: an invoice's lines rounded one by one stray by öre.
    assert _invoice(vat_amount=D("3125.80")) == []
    assert _invoice(net_amount=D("1000"), vat_amount=D("120")) == []  # 12 %
    assert _invoice(net_amount=D("1000"), vat_amount=D("60")) == []  # 6 %
    assert _invoice(vat_amount=D("0")) == []
    assert _invoice(net_amount=D("-1250"), vat_amount=D("-312.50")) == []  # credit note


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"invoiced_on": dt.date(2099, 1, 1)}, "invoiced_on", "outside the plausible range"),
        ({"invoiced_on": dt.date(1899, 1, 1)}, "invoiced_on", "outside the plausible range"),
        ({"paid_on": dt.date(2010, 2, 1)}, "paid_on", "before the invoice date"),
        ({"currency": "ABC"}, "currency", "ISO 4217"),
        ({"currency": "XXX"}, "currency", "ISO 4217"),  # "no currency" is no currency
        ({"vat_amount": D("99999")}, "vat_amount", "25, 12, 6, 0 %"),
        ({"vat_amount": D("3127.00")}, "vat_amount", "25, 12, 6, 0 %"),
        ({"hours": D("-5")}, "hours", "negative"),
    ],
)
def test_each_implausible_invoice_value_is_named(values, field, message):
    [problem] = _invoice(**values)
    assert problem.field == field
    assert message in problem.message % problem.params


def test_vat_is_checked_against_swedish_rates_only_on_sek_and_may_be_confirmed():
    assert _invoice(currency="GBP", vat_amount=D("2500")) == []  # UK VAT, or its unrecoverable part
    assert _invoice(vat_amount=D("99999"), vat_confirmed=True) == []
    assert _invoice(net_amount=D("-500"), hours=D("-5"), vat_amount=D("-125")) == []


def test_currencies_are_iso_4217_codes_in_use_since_the_earliest_date():
    codes = plausibility.iso_currencies(dt.date(1990, 1, 1))
    assert {"SEK", "EUR", "GBP", "USD", "CAD", "NOK", "DKK", "DEM"} <= codes
    assert not {"ABC", "XXX", "XAU", "SKR"} & codes
    assert "DEM" not in plausibility.iso_currencies(dt.date(2010, 1, 1))


def test_a_ceiling_never_falls_below_zero_after_an_amendment():
    steps = [
        (dt.date(2010, 1, 1), D("100000"), D("100")),
        (dt.date(2010, 6, 1), D("-750000"), D("100")),
        (dt.date(2010, 9, 1), D("-850000"), D("-20")),
    ]
    problems = plausibility.terms_problems(steps)
    assert _fields(problems) == ["added_amount", "added_hours"]
    assert problems[0].params == {"date": "2010-06-01"}
    assert problems[1].params == {"date": "2010-09-01"}
    assert plausibility.terms_problems(steps[:1]) == []


def test_dates_of_contracts_engagements_and_rates_have_their_windows():
    assert _fields(
        plausibility.contract_problems(
            signed_on=dt.date(2099, 1, 1),
            starts_on=dt.date(2030, 1, 1),
            ends_on=dt.date(2050, 3, 31),  # a long lease: plausible
            currency="sek",
            rules=RULES,
        )
    ) == ["signed_on"]
    assert _fields(
        plausibility.engagement_problems(
            first_day=dt.date(2099, 5, 3), last_day=None, paid_on=None, rules=RULES
        )
    ) == ["first_day"]
    assert _fields(
        plausibility.rate_card_problems(
            valid_from=dt.date(1989, 12, 31), valid_to=None, currency="SEK", rules=RULES
        )
    ) == ["valid_from"]


# --- through the services ----------------------------------------------------------------------


def test_the_services_refuse_implausible_values_and_write_nothing(db, make_invoice, make_vendor):
    from app.services.invoices import create_invoice

    vendor = make_vendor()
    with pytest.raises(ImplausibleError) as caught:
        create_invoice(
            {
                "vendor": vendor,
                "invoice_number": "F-1",
                "invoiced_on": dt.date(2099, 1, 1),
                "paid_on": dt.date(2010, 1, 1),
                "net_amount": D("12500"),
                "vat_amount": D("99999"),
                "currency": "ABC",
                "hours": D("-5"),
            }
        )
    # (Swedish VAT rates are not asked of an invoice whose currency is not SEK.)
    assert sorted(_fields(caught.value.problems)) == ["currency", "hours", "invoiced_on", "paid_on"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


# --- through the forms -------------------------------------------------------------------------


def _post_invoice(client, vendor, **fields):
    data = {
        "vendor": vendor.name,
        "vendor_id": vendor.id,
        "invoice_number": "F-100",
        "invoiced_on": "2010-03-01",
        "net_amount": "12 500,00",
        "vat_rate": "",
        "vat_amount": "3 125,00",
        "currency": "SEK",
        **fields,
    }
    return client.post("/invoices/new", data=data)


def _summary(html: str) -> dict[str, str]:
    """The form summary's entries: field id → message."""
    box = html.split('class="form-summary"', 1)[1].split("</div>", 1)[0]
    return {
        field: re.sub(r"<[^>]+>", "", message).strip()
        for field, message in re.findall(r'<a href="#([a-z_]+)">[^<]*</a>: ([^<]*)</li>', box)
    }


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"paid_on": "2010-02-01"}, "paid_on", "före fakturadatumet"),
        ({"invoiced_on": "2099-01-01"}, "invoiced_on", "utanför det rimliga intervallet"),
        ({"currency": "ABC"}, "currency", "ISO 4217"),
        ({"vat_amount": "99 999"}, "vat_amount", "Momsen är inte 25, 12, 6, 0 %"),
        ({"hours": "-5"}, "hours", "får inte vara negativt"),
    ],
)
def test_the_invoice_form_refuses_each_implausible_value_on_its_field(
    client, db, make_vendor, fields, field, words
):
    vendor = make_vendor()
    response = _post_invoice(client, vendor, **fields)
    assert response.status_code == 200
    summary = _summary(response.get_data(as_text=True))
    assert list(summary) == [field], summary
    assert words in summary[field]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_a_vat_that_is_no_swedish_rate_is_kept_when_the_clerk_confirms_it(client, db, make_vendor):
    vendor = make_vendor()
    refused = _post_invoice(client, vendor, vat_amount="99 999").get_data(as_text=True)
    # The confirmation appears with the refusal, and not before.
    assert 'name="vat_confirmed"' in refused
    assert 'name="vat_confirmed"' not in client.get("/invoices/new").get_data(as_text=True)
    response = _post_invoice(client, vendor, vat_amount="99 999", vat_confirmed="y")
    assert response.status_code == 302
    invoice = db.session.scalar(sa.select(Invoice))
    assert invoice.vat_amount == D("99999.00")
    # Editing it shows the confirmation ticked, so a save keeps it.
    edit = client.get(f"/invoices/{invoice.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*\bchecked\b[^>]*name="vat_confirmed"', edit)


def test_an_amendment_taking_the_ceiling_below_zero_is_refused_on_its_field(
    client, db, make_contract
):
    contract = make_contract(ceiling_amount=D("100000.00"))
    response = client.post(
        f"/contracts/{contract.id}/amendments/new",
        data={"dated_on": "2010-06-01", "kind": "other", "added_amount": "-950 000"},
    )
    assert response.status_code == 200
    summary = _summary(response.get_data(as_text=True))
    assert list(summary) == ["added_amount"]
    assert "Takbeloppet skulle bli under noll från 2010-06-01" in summary["added_amount"]
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).amendments == []


def test_a_contract_and_an_engagement_with_implausible_dates_are_refused(
    client, db, make_vendor, make_rate_card
):
    make_rate_card()
    vendor = make_vendor()
    response = client.post(
        "/contracts/new",
        data={
            "vendor": vendor.name,
            "vendor_id": vendor.id,
            "title": "Avtal",
            "signed_on": "2099-01-01",
            "currency": "SEK",
            "procurement_basis": "other",
        },
    )
    assert list(_summary(response.get_data(as_text=True))) == ["signed_on"]
    response = client.post(
        "/income/new",
        data={"organiser_name": "Förening", "topic": "Föredrag", "first_day": "2099-05-03"},
    )
    assert list(_summary(response.get_data(as_text=True))) == ["first_day"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Engagement)) == 0


# --- through the importer -------------------------------------------------------------------


def test_an_import_reports_each_implausible_value_by_row_and_column_and_writes_nothing(
    runner, db, tmp_path
):
    ledger = tmp_path / "orimligt.csv"
    ledger.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Betaldatum;Belopp;Moms;Valuta;Timmar\n"
        "Penseo AB;F-1;2010-03-01;2010-03-20;12 500,00;3 125,00;SEK;10\n"
        "Penseo AB;F-2;2010-03-01;2010-02-20;12 500,00;3 125,00;SEK;10\n"
        "Penseo AB;F-3;2099-03-01;;12 500,00;3 125,00;SEK;10\n"
        "Penseo AB;F-4;2010-03-01;;12 500,00;3 125,00;ABC;10\n"
        "Penseo AB;F-5;2010-03-01;;12 500,00;99 999,00;SEK;10\n"
        "Penseo AB;F-6;2010-03-01;;12 500,00;3 125,00;SEK;-5\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(ledger)])
    assert result.exit_code == 1, result.output
    lines = {
        int(row): text
        for row, text in re.findall(r"^ +row (\d+)[^:]*: (.+)$", result.output, re.MULTILINE)
    }
    assert set(lines) == {3, 4, 5, 6, 7}, result.output
    assert "Betaldatum" in result.output and "before the invoice date" in lines[3]
    assert "outside the plausible range" in lines[4]
    assert "ISO 4217" in lines[5]
    assert "25, 12, 6, 0 %" in lines[6]
    assert "negative" in lines[7]
    for column in ("Fakturadatum", "Valuta", "Moms", "Timmar"):
        assert f"column {column}" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_a_service_checks_by_the_rules_it_is_given_not_by_the_configuration(app, db, make_vendor):
    """The record services read no settings: the rules passed in win (a narrower window
    refuses a date the default rules accept), whatever the application's configuration says."""
    from app.services.invoices import create_invoice

    vendor = make_vendor()
    data = {
        "vendor": vendor,
        "invoice_number": "F-1",
        "invoiced_on": dt.date(2010, 3, 1),
        "net_amount": D("1000"),
        "vat_rate": 25,
    }
    narrow = plausibility.rules_from({"EARLIEST_DATE": "2015-01-01"}, dt.date.today())
    with pytest.raises(ImplausibleError) as caught:
        create_invoice({**data, "rules": narrow})
    assert _fields(caught.value.problems) == ["invoiced_on"]
    db.session.rollback()
    app.config["EARLIEST_DATE"] = "2020-01-01"  # not read by the service
    try:
        invoice = create_invoice({**data, "rules": plausibility.rules_from({}, dt.date.today())})
    finally:
        app.config["EARLIEST_DATE"] = "1990-01-01"
    assert invoice.invoiced_on == dt.date(2010, 3, 1)


def test_the_import_checks_by_the_rules_of_its_options(db, tmp_path):
    from app.importing.plan import Options
    from app.importing.run import run_import

    path = tmp_path / "fakturor.csv"
    path.write_text(
        "Leverantör;Fakturanummer;Fakturadatum;Belopp exkl moms\nKonsult AB;F-1;2010-03-01;1000\n",
        encoding="utf-8",
    )
    assert not run_import(path, path.name, Options(dry_run=True)).issues
    narrow = plausibility.rules_from({"EARLIEST_DATE": "2015-01-01"}, dt.date.today())
    report = run_import(path, path.name, Options(dry_run=True, rules=narrow))
    assert [issue.get("column") for issue in report.issues] == ["Fakturadatum"], report.issues
