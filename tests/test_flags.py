"""Flags: a contract's invoices beyond its ceiling or hour quota (given the terms in force on
each invoice's date), outside its period, above its hourly rate; amendments inflating its
ceiling; direct awards outgrowing the direct-award threshold; spend without a contract over
that threshold. And a contract's burn-down behind them."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import AmendmentKind
from app.models import DirectAwardThreshold
from app.services.burndown import burndown
from app.services.contracts import add_amendment
from app.services.flags import contract_flags
from app.services.flags import threshold_flags
from app.services.thresholds import create_threshold

D = Decimal


@pytest.fixture
def contract_case(db, make_contract, make_invoice):
    """A 100,000 SEK, 100-hour contract for 2010 at 1,000 an hour: 60,000 in March, 50,000 in
    April (over the ceiling from then), an amendment of 1 June adding 50,000 (ceiling 150,000,
    which clears it), 10,000 in September, and 20,000 invoiced after the period ended; hours
    at the contract's rate, passing the quota of 100 in April too (the amendment adds 50)."""
    contract = make_contract(
        starts_on=dt.date(2010, 1, 1),
        ends_on=dt.date(2010, 12, 31),
        ceiling_amount=D("100000.00"),
        hour_quota=D("100"),
        hourly_rate=D("1000.00"),
    )
    vendor = contract.vendor

    def invoice(day, amount, hours=None, number=None):
        return make_invoice(
            vendor=vendor,
            contract=contract,
            invoiced_on=day,
            net_amount=D(amount),
            hours=None if hours is None else D(hours),
            invoice_number=number or f"K-{day.isoformat()}",
        )

    march = invoice(dt.date(2010, 3, 1), "60000.00", "60")
    april = invoice(dt.date(2010, 4, 1), "50000.00", "50")
    add_amendment(
        contract,
        {
            "dated_on": dt.date(2010, 6, 1),
            "kind": AmendmentKind.EXPANSION,
            "added_amount": D("50000.00"),
            "added_hours": D("50"),
            "reason": "Utökat uppdrag",
        },
    )
    db.session.commit()
    september = invoice(dt.date(2010, 9, 1), "10000.00", "10")
    late = invoice(dt.date(2011, 2, 1), "20000.00")
    return contract, {"march": march, "april": april, "september": september, "late": late}


def _by_kind(flags):
    found: dict[str, list] = {}
    for flag in flags:
        found.setdefault(flag.kind, []).append(flag)
    return found


def test_the_ceiling_flag_opens_on_the_invoice_that_passes_it_and_clears_on_the_amendment(
    contract_case,
):
    contract, invoices = contract_case
    flags = _by_kind(contract_flags(contract))
    (ceiling,) = flags["ceiling"]
    assert ceiling.since == dt.date(2010, 4, 1)
    assert ceiling.until == dt.date(2010, 6, 1)  # the amendment raised the ceiling to 150,000
    assert not ceiling.is_current
    assert ceiling.invoice_ids == [invoices["april"].id]
    assert ceiling.params["total"] == D("110000.00") and ceiling.params["limit"] == D("100000.00")


def test_the_hour_quota_is_flagged_with_the_terms_in_force(contract_case):
    contract, invoices = contract_case
    # 60 + 50 hours pass the quota of 100 in April; the amendment adds 50 hours in June.
    (hours,) = _by_kind(contract_flags(contract))["hours"]
    assert (hours.since, hours.until) == (dt.date(2010, 4, 1), dt.date(2010, 6, 1))
    assert hours.invoice_ids == [invoices["april"].id]
    assert hours.params["total"] == D("110")


def test_an_invoice_outside_the_period_is_flagged_with_its_evidence(contract_case):
    contract, invoices = contract_case
    (period,) = _by_kind(contract_flags(contract))["period"]
    assert period.invoice_ids == [invoices["late"].id]
    assert period.params["end"] == "2010-12-31"


def test_a_ceiling_passed_again_after_the_amendment_is_a_new_open_flag(contract_case, make_invoice):
    contract, invoices = contract_case
    make_invoice(
        vendor=contract.vendor,
        contract=contract,
        invoiced_on=dt.date(2010, 11, 1),
        net_amount=D("45000.00"),
        invoice_number="K-over-again",
    )
    ceilings = _by_kind(contract_flags(contract))["ceiling"]
    assert [(f.since, f.until) for f in ceilings] == [
        (dt.date(2010, 4, 1), dt.date(2010, 6, 1)),
        (dt.date(2010, 11, 1), None),
    ]
    assert ceilings[1].is_current
    # The late invoice adds to the total still over the raised ceiling: it is evidence too.
    assert len(ceilings[1].invoice_ids) == 2


def test_a_billed_hourly_rate_above_the_contracts_is_flagged(contract_case, make_invoice):
    contract, _ = contract_case
    dear = make_invoice(
        vendor=contract.vendor,
        contract=contract,
        invoiced_on=dt.date(2010, 10, 1),
        net_amount=D("6000.00"),
        hours=D("5"),
        invoice_number="K-dear",
    )
    (rate,) = _by_kind(contract_flags(contract))["rate"]
    assert rate.invoice_ids == [dear.id]
    assert rate.params["billed"] == D("1200.00") and rate.params["rate"] == D("1000.00")


def test_the_burn_down_keeps_running_totals_and_the_terms_of_each_date(contract_case):
    contract, _ = contract_case
    progress = burndown(contract)
    assert [s.cumulative_amount for s in progress.steps] == [
        D("60000.00"),
        D("110000.00"),
        D("120000.00"),
        D("140000.00"),
    ]
    assert [s.terms.ceiling_amount for s in progress.steps] == [
        D("100000.00"),
        D("100000.00"),
        D("150000.00"),
        D("150000.00"),
    ]
    assert progress.remaining == D("10000.00")
    assert progress.share_used == D("140000.00") / D("150000.00")
    assert progress.hours == D("120") and progress.remaining_hours == D("30")


def test_the_contract_page_shows_the_flags_burn_down_and_chart(contract_case, anonymous):
    contract, invoices = contract_case
    html = anonymous.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert 'class="flag flag-ceiling flag-closed"' in html
    assert 'class="flag flag-period"' in html
    assert f'href="/invoices/{invoices["late"].id}"' in html  # the evidence row
    assert "<svg" in html and "chart-marker" in html  # the amendment is marked
    assert "110\u00a0000,00\u00a0kr" in html  # the cumulative amount after April


def test_a_vendor_without_a_contract_over_the_threshold_is_flagged_per_year(
    db, make_vendor, make_invoice, anonymous
):
    vendor = make_vendor(name="Direktköp AB")
    for month, amount in ((2, "200000.00"), (9, "150000.00")):
        make_invoice(vendor=vendor, invoiced_on=dt.date(2012, month, 1), net_amount=D(amount))
    make_invoice(vendor=vendor, invoiced_on=dt.date(2013, 1, 1), net_amount=D("1000.00"))
    example = db.session.scalar(
        sa.select(DirectAwardThreshold).where(DirectAwardThreshold.is_example)
    )
    assert example is not None  # shipped, marked as an example

    flags = threshold_flags(vendor_id=vendor.id)
    assert [(f.year, f.params["total"], f.params["count"]) for f in flags] == [
        (2012, D("350000.00"), 2)
    ]
    assert flags[0].message.endswith("to be checked against the law.")

    html = anonymous.get(f"/vendors/{vendor.id}").get_data(as_text=True)
    assert "flag-threshold" in html
    assert f"/invoices/?vendor={vendor.id}&amp;contract=0&amp;year=2012" in html

    # A verified threshold from 2012 above the spend: no flag, and no "example" wording.
    create_threshold(
        {"valid_from": dt.date(2012, 1, 1), "amount": D("400000.00"), "currency": "SEK"}
    )
    db.session.commit()
    assert threshold_flags(vendor_id=vendor.id) == []


# --- amendment inflation and direct awards that outgrew the threshold ---------------------------


def test_amendments_raising_the_ceiling_beyond_the_review_share_are_flagged(
    contract_case, app, monkeypatch
):
    """The case's amendment adds 50,000 to a 100,000 ceiling: +50 %, above the default 10 %.
    The evidence is what was invoiced beyond the original ceiling."""
    contract, invoices = contract_case
    (flag,) = _by_kind(contract_flags(contract))["amendments"]
    assert flag.since == dt.date(2010, 6, 1) and flag.is_current
    assert flag.params["original"] == D("100000.00") and flag.params["ceiling"] == D("150000.00")
    assert flag.params["percent"] == 50 and flag.params["share"] == "10"
    beyond = {invoices[name].id for name in ("april", "september", "late")}
    assert set(flag.invoice_ids) == beyond

    monkeypatch.setitem(
        app.config, "AMENDMENT_REVIEW_PERCENT", 50
    )  # exactly +50 % is not above the share
    assert "amendments" not in _by_kind(contract_flags(contract))


def test_an_amendment_that_lowers_the_ceiling_again_clears_the_inflation_flag(
    db, make_contract, make_invoice
):
    contract = make_contract(ceiling_amount=D("100000.00"))
    make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("90000.00"),
                 invoiced_on=dt.date(2010, 2, 1))  # fmt: skip
    for day, added in ((dt.date(2010, 3, 1), "5000.00"), (dt.date(2010, 5, 1), "45000.00"),
                       (dt.date(2010, 8, 1), "-45000.00")):  # fmt: skip
        add_amendment(contract, {"dated_on": day, "kind": AmendmentKind.EXPANSION,
                                 "added_amount": D(added), "reason": "Ändrat uppdrag"})  # fmt: skip
    db.session.commit()
    (flag,) = _by_kind(contract_flags(contract))["amendments"]
    assert flag.since == dt.date(2010, 5, 1) and flag.until == dt.date(2010, 8, 1)
    assert flag.invoice_ids == []  # nothing was invoiced beyond the original 100,000


@pytest.mark.parametrize("basis, flagged", [("direct_award", True), ("open_tender", False)])
def test_a_direct_award_whose_ceiling_outgrows_the_threshold_is_flagged(
    db, make_contract, make_invoice, basis, flagged
):
    """The shipped example threshold is 287,000 SEK from 2010: a 250,000 direct award raised
    to 300,000 by an amendment passes it from the amendment's date; a tendered one never."""
    contract = make_contract(procurement_basis=basis, ceiling_amount=D("250000.00"),
                             signed_on=dt.date(2010, 2, 1), hour_quota=None)  # fmt: skip
    invoice = functools.partial(make_invoice, vendor=contract.vendor, contract=contract)
    first = invoice(invoiced_on=dt.date(2010, 4, 1), net_amount=D("240000.00"))
    add_amendment(contract, {"dated_on": dt.date(2010, 6, 1), "kind": AmendmentKind.EXPANSION,
                             "added_amount": D("50000.00"), "reason": "Mer arbete"})  # fmt: skip
    db.session.commit()
    second = invoice(invoiced_on=dt.date(2010, 9, 1), net_amount=D("55000.00"))
    found = _by_kind(contract_flags(contract)).get("direct_award", [])
    if not flagged:
        assert found == []
        return
    (flag,) = found
    assert flag.since == dt.date(2010, 6, 1)
    assert flag.params["ceiling"] == D("300000.00") and flag.params["limit"] == D("287000.00")
    assert flag.message.endswith("to be checked against the law.")  # the shipped example
    assert flag.invoice_ids == [second.id] and first.id not in flag.invoice_ids


def test_a_direct_award_without_a_ceiling_is_flagged_when_its_invoices_pass_the_threshold(
    db, make_contract, make_invoice
):
    contract = make_contract(procurement_basis="direct_award", ceiling_amount=None,
                             hour_quota=None)  # fmt: skip
    create_threshold(
        {"valid_from": dt.date(2010, 2, 1), "amount": D("100000.00"), "currency": "SEK"}
    )  # fmt: skip  (a verified value, no example wording)
    db.session.commit()
    invoice = functools.partial(make_invoice, vendor=contract.vendor, contract=contract)
    invoice(invoiced_on=dt.date(2010, 3, 1), net_amount=D("60000.00"))
    passing = invoice(invoiced_on=dt.date(2010, 5, 1), net_amount=D("60000.00"))
    (flag,) = _by_kind(contract_flags(contract))["direct_award"]
    assert flag.since == dt.date(2010, 5, 1) and flag.invoice_ids == [passing.id]
    assert flag.params["total"] == D("120000.00") and flag.params["limit"] == D("100000.00")
    assert not flag.message.endswith("to be checked against the law.")


def test_the_demo_consultants_contract_is_flagged_as_a_direct_award_beyond_the_threshold(
    anonymous, demo
):
    """The case itself: a direct award of 170,000 SEK amended to 338,000."""
    from app.models import Contract

    contract = demo.session.scalar(sa.select(Contract).where(Contract.reference == "KS 2009/412"))
    html = anonymous.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert 'class="flag flag-direct_award"' in html and 'class="flag flag-amendments"' in html
    assert "338\u00a0000,00\u00a0kr den 2010-11-15" in html
    kronor = "170\u00a0000,00\u00a0kr till 338\u00a0000,00\u00a0kr"
    assert f"{kronor}, 99 % över det ursprungliga värdet" in html


def test_the_vendor_page_shows_its_contracts_flags(anonymous, demo, demo_ids):
    html = anonymous.get(f"/vendors/{demo_ids['vendor']}").get_data(as_text=True)
    assert (
        'class="flag flag-direct_award"' in html and 'class="flag flag-ceiling flag-closed"' in html
    )


def test_the_contract_list_counts_the_flags_that_still_hold(anonymous, demo):
    html = anonymous.get("/contracts/").get_data(as_text=True)
    assert re.findall(r'data-flags="(\d+)">2 flaggor<', html) == ["2"]  # amendments, direct award


# --- a year's flags, their JSON and their words -------------------------------------------------


def test_a_years_balance_lists_only_the_flags_that_held_that_year(contract_case, anonymous):
    from app.services.flags import year_flags

    contract, _invoices = contract_case
    kinds_2010 = sorted(f.kind for f, _c, _l in year_flags(2010))
    kinds_2011 = sorted(f.kind for f, _c, _l in year_flags(2011))
    # The ceiling and hour flags held from April to June 2010: in 2010's balance only; the
    # invoice of February 2011 after the period's end is 2011's; the inflated ceiling holds on.
    assert kinds_2010 == ["amendments", "ceiling", "hours"]
    assert kinds_2011 == ["amendments", "period"]
    data = anonymous.get("/reports/balance.json?year=2011").get_json()
    assert sorted(f["kind"] for f in data["flags"]) == ["amendments", "period"]
    assert year_flags(2009) == []


def test_flag_json_lists_the_invoices_it_cites_and_the_no_contract_flag_has_them_too(
    contract_case, anonymous, make_vendor, make_invoice
):
    contract, invoices = contract_case
    vendor = make_vendor(name="Direktköp AB")
    bought = [
        make_invoice(vendor=vendor, invoiced_on=dt.date(2010, m, 1), net_amount=D("200000.00"))
        for m in (2, 9)
    ]
    data = anonymous.get("/reports/balance.json?year=2010").get_json()
    for flag in data["flags"]:
        assert isinstance(flag["invoices"], list) and flag["invoices"], flag
        assert [i["id"] for i in flag["invoices"]] == flag["invoice_ids"]
    [threshold] = [f for f in data["flags"] if f["kind"] == "threshold"]
    assert threshold["invoice_ids"] == [b.id for b in bought]
    assert threshold["invoices"][0] == {
        "id": bought[0].id,
        "invoice_number": bought[0].invoice_number,
        "invoiced_on": "2010-02-01",
        "net_amount": "200000.00",
        "currency": "SEK",
        "url": f"http://localhost/invoices/{bought[0].id}",
    }
    assert threshold["evidence"].startswith("http://localhost/invoices/?")
    data = anonymous.get("/reports/balance.json?year=2011").get_json()
    [period] = [f for f in data["flags"] if f["kind"] == "period"]
    assert period["invoice_ids"] == [invoices["late"].id]
    assert [i["id"] for i in period["invoices"]] == [invoices["late"].id]


def test_a_flag_about_one_invoice_says_one_invoice(contract_case, anonymous):
    contract, _invoices = contract_case
    html = anonymous.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "1 faktura är daterad utanför avtalsperioden" in html
    assert "1 fakturor" not in html
    anonymous.get("/language/en")
    english = anonymous.get(f"/contracts/{contract.id}").get_data(as_text=True)
    assert "1 invoice is dated outside the contract&#39;s period" in english
