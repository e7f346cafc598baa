"""The demo data set: modelled on the case, totals as published, loaded once."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.models import Contract
from app.models import Engagement
from app.models import Invoice
from app.models import Vendor
from app.services import contracts
from app.services import income
from app.services import invoices
from app.services.demo import CONSULTANT
from app.services.demo import load_demo

D = Decimal


def _consultant(db):
    return db.session.scalar(sa.select(Vendor).where(Vendor.org_number == CONSULTANT))


def test_2010_invoices_to_the_consultant_sum_to_a_little_over_267000(demo):
    vendor = _consultant(demo)
    [total] = invoices.invoice_totals(invoices.InvoiceFilters(vendor_id=vendor.id, year=2010))
    assert total.currency == "SEK"
    assert D("267000") < total.net_amount < D("268000")


def test_2010_fee_income_is_about_100000_at_6000_per_started_day(demo):
    [(currency, fees, days, count)] = income.engagement_totals(income.EngagementFilters(year=2010))
    assert currency == "SEK"
    assert D("95000") <= fees <= D("105000")
    assert fees == days * D("6000")
    fees_2011 = income.engagement_totals(income.EngagementFilters(year=2011))[0][1]
    days_2011 = income.engagement_totals(income.EngagementFilters(year=2011))[0][2]
    assert fees_2011 == days_2011 * D("8000")


def test_the_hour_quota_contract_was_extended_and_expanded(demo):
    contract = demo.session.scalar(sa.select(Contract).where(Contract.reference == "KS 2009/412"))
    terms = contracts.contract_terms(contract)
    assert contract.starts_on.year == 2009 and contract.starts_on.month >= 8
    assert len(terms) == 3
    assert terms[-1].ends_on.isoformat() == "2011-04-30"
    assert terms[-1].hour_quota > terms[0].hour_quota
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
