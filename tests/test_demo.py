"""The demo data set: modelled on the case, totals as published, loaded once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from app.models import Contract
from app.models import Engagement
from app.models import Invoice
from app.models import Vendor
from app.privacy import Audience
from app.services import contracts
from app.services import income
from app.services import invoices
from app.services.balance import balance
from app.services.demo import CONSULTANT
from app.services.demo import load_demo

D = Decimal
README = Path(__file__).resolve().parent.parent / "README.md"


def _consultant(db):
    return db.session.scalar(sa.select(Vendor).where(Vendor.org_number == CONSULTANT))


def test_2010_invoices_to_the_consultant_sum_to_267350(demo):
    """The published "a little over 267 000 SEK": F1001–F1014 and the credit note K1001,
    20 400 + 25 500 + 15 300 + 22 100 + 17 000 + 18 700 + 12 450 + 23 800 + 25 500 - 1 700
    + 18 500 + 27 200 + 17 000 + 12 000 + 13 600 = 267 350.00 excl. VAT."""
    vendor = _consultant(demo)
    [total] = invoices.invoice_totals(invoices.InvoiceFilters(vendor_id=vendor.id, year=2010))
    assert (total.currency, total.net_amount, total.count) == ("SEK", D("267350.00"), 15)
    assert total.vat_amount == D("66837.50")  # 25 % of it


def test_2010_fee_income_is_102000_at_6000_per_started_day(demo):
    """Eleven lectures in 2010 of 1, 1, 2, 1, 2, 1, 3, 1, 2, 1 and 2 started days: 17 days at
    6 000.00; three in 2011 of 1, 2 and 1 days: 4 days at 8 000.00."""
    assert income.engagement_totals(income.EngagementFilters(year=2010)) == [
        ("SEK", D("102000.00"), 17, 11)
    ]
    assert income.engagement_totals(income.EngagementFilters(year=2011)) == [
        ("SEK", D("32000.00"), 4, 3)
    ]


def test_the_demo_years_in_the_balance(demo):
    """2010: 267 350.00 to the consultant and 15 960.00 for phones against 102 000.00 of fees;
    the dollar subscriptions (24.95 + 59.95) kept apart. 2011: 8 500.00 + 3 × 12 000.00 and
    3 990.00 against 32 000.00."""
    result = balance(2010, "invoiced", Audience.STAFF)
    assert result.costs == {"SEK": D("283310.00"), "USD": D("84.90")}
    assert result.income_totals == {"SEK": D("102000.00")}
    assert (result.net("SEK"), result.net("USD")) == (D("-181310.00"), D("-84.90"))
    assert [(row.organiser, row.day_rate, row.started_days, row.fees, row.travel_paid)
            for row in result.income] == [
        ("Ledarskapsforum Offentlig Sektor AB", D("6000.00"), 5, D("30000.00"), D("8700.00")),
        ("Föreningen Digital Förvaltning", D("6000.00"), 4, D("24000.00"), D("3900.00")),
        ("Konferens Webb och Demokrati AB", D("6000.00"), 3, D("18000.00"), D("6500.00")),
        ("Nätverket Offentlig Kommunikation", D("6000.00"), 2, D("12000.00"), D("3800.00")),
        ("Region Exempelland", D("6000.00"), 2, D("12000.00"), D("2960.00")),
        ("Kommunalförbundet Mälardalen (exempel)", D("6000.00"), 1, D("6000.00"), D("0.00")),
    ]  # fmt: skip
    result = balance(2011, "invoiced", Audience.STAFF)
    assert result.costs == {"SEK": D("48490.00"), "USD": D("24.95")}
    assert result.income_totals == {"SEK": D("32000.00")}
    assert result.net("SEK") == D("-16490.00")
    assert {row.day_rate for row in result.income} == {D("8000.00")}


def test_the_hour_quota_contract_was_extended_and_expanded(demo):
    contract = demo.session.scalar(sa.select(Contract).where(Contract.reference == "KS 2009/412"))
    terms = contracts.contract_terms(contract)
    assert contract.starts_on.isoformat() == "2009-09-15"  # engaged in the autumn of 2009
    assert [(t.ends_on.isoformat(), t.ceiling_amount, t.hour_quota) for t in terms] == [
        ("2010-06-30", D("170000.00"), D("200")),
        ("2010-12-31", D("238000.00"), D("280")),
        ("2011-04-30", D("338000.00"), D("380")),
    ]
    stream = demo.session.scalar(sa.select(Contract).where(Contract.reference == "KS 2010/198"))
    assert contracts.current_terms(stream).ends_on.isoformat() == "2011-12-31"


def test_the_demo_covers_the_categories_of_the_case_and_minor_costs(demo):
    names = set(
        demo.session.scalars(
            sa.select(sa.distinct(sa.func.lower(sa.text("categories.name"))))
            .select_from(Invoice)
            .join(Invoice.category)
        )
    )
    for expected in (
        "strategi",
        "utbildning",
        "riktlinjer för sociala medier",
        "bloggplattform",
        "design",
        "facebook-applikationer",
        "telefoner och utrustning",
        "prenumerationer och konton",
    ):
        assert expected in names


def test_every_demo_row_says_it_is_illustrative(demo):
    assert all("Illustrativ" in (v.notes or "") for v in demo.session.scalars(sa.select(Vendor)))
    for model in (Invoice, Contract, Engagement):
        batches = {r.import_batch.kind for r in demo.session.scalars(sa.select(model))}
        assert batches == {"demo"}


def test_loading_twice_changes_nothing(demo):
    def snapshot():
        return [
            demo.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Vendor, Contract, Invoice, Engagement)
        ] + [demo.session.scalar(sa.select(sa.func.sum(Invoice.net_amount)))]

    before = snapshot()
    assert not any(load_demo().values())
    demo.session.commit()
    assert snapshot() == before


def test_the_demo_command_loads_once(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "loaded" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output


def test_the_readme_states_the_demo_figures_the_report_pages_show(anonymous, demo):
    readme = " ".join(README.read_text(encoding="utf-8").split())
    pages = {
        "/reports/totals?by=vendor&year=2010": ["267 350,00 kr"],
        "/reports/balance?year=2010": ["102 000,00 kr", "6 000,00 kr", "283 310,00 kr",
                                       "-181 310,00 kr"],
        "/reports/balance?year=2011": ["32 000,00 kr", "8 000,00 kr"],
    }  # fmt: skip
    for page, figures in pages.items():
        html = anonymous.get(page).get_data(as_text=True)
        for figure in figures:
            assert figure in readme, figure
            assert figure.replace(" ", "\u00a0") in html, (page, figure)
