"""A contract's burn-down (``app.services.burndown``): the ceiling and hour quota in force on
each date, amendments included, against the cumulative amount and hours invoiced, what
remains and the share used; every figure worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import AmendmentKind
from app.services.burndown import burndown
from app.services.burndown import terms_on
from app.services.contracts import add_amendment
from app.services.invoices import void_invoice

D = Decimal
day = dt.date.fromisoformat


@pytest.fixture
def case(db, make_contract, make_invoice):
    """100 000.00 and 100 hours at 1 000.00 an hour, 2010-02-01 to 2010-06-30; extended on
    2010-04-01 to 2010-09-30 with 20 000.00 and 20 hours more; on 2010-08-01 the rate rises to
    1 100.00 and the ceiling drops by 10 000.00. Invoices (one voided, one without hours)::

        2010-01-20   5 000.00   5 h   before the start: the original terms
        2010-03-15  60 000.00  60 h
        2010-04-01  30 000.00  30 h   the day of the extension: its terms
        2010-05-10  -2 000.00  -2 h   a credit note
        2010-05-20  40 000.00  40 h   VOIDED
        2010-08-15  22 000.00  20 h   the rate and ceiling of 2010-08-01
        2010-09-01   3 000.00   -     expenses, no hours
    """
    contract = make_contract(
        starts_on=day("2010-02-01"),
        ends_on=day("2010-06-30"),
        ceiling_amount=D("100000.00"),
        hour_quota=D("100"),
        hourly_rate=D("1000.00"),
    )
    add_amendment(contract, {"dated_on": day("2010-04-01"), "kind": AmendmentKind.EXTENSION,
                             "new_ends_on": day("2010-09-30"), "added_amount": D("20000.00"),
                             "added_hours": D("20"), "reason": "Förlängning"})  # fmt: skip
    add_amendment(contract, {"dated_on": day("2010-08-01"), "kind": AmendmentKind.OTHER,
                             "new_hourly_rate": D("1100.00"), "added_amount": D("-10000.00"),
                             "reason": "Nytt pris, mindre omfattning"})  # fmt: skip
    db.session.commit()
    entered = {}
    for number, invoiced, amount, hours in (
        ("B-1", "2010-01-20", "5000.00", "5"),
        ("B-2", "2010-03-15", "60000.00", "60"),
        ("B-3", "2010-04-01", "30000.00", "30"),
        ("B-4", "2010-05-10", "-2000.00", "-2"),
        ("B-V", "2010-05-20", "40000.00", "40"),
        ("B-5", "2010-08-15", "22000.00", "20"),
        ("B-6", "2010-09-01", "3000.00", None),
    ):
        entered[number] = make_invoice(
            vendor=contract.vendor,
            contract=contract,
            invoice_number=number,
            invoiced_on=day(invoiced),
            net_amount=D(amount),
            hours=D(hours) if hours else None,
        )
    void_invoice(entered["B-V"], "Fel avtal")
    db.session.commit()
    return contract, entered


def _terms(terms) -> tuple:
    return (terms.effective_on, terms.ends_on, terms.ceiling_amount, terms.hour_quota,
            terms.hourly_rate)  # fmt: skip


def test_the_terms_over_time(case):
    contract, _ = case
    progress = burndown(contract)
    assert [_terms(t) for t in progress.terms] == [
        (day("2010-02-01"), day("2010-06-30"), D("100000.00"), D("100"), D("1000.00")),
        (day("2010-04-01"), day("2010-09-30"), D("120000.00"), D("120"), D("1000.00")),
        (day("2010-08-01"), day("2010-09-30"), D("110000.00"), D("120"), D("1100.00")),
    ]
    assert progress.terms[0].amendment is None
    assert [t.amendment.reason for t in progress.terms[1:]] == [
        "Förlängning",
        "Nytt pris, mindre omfattning",
    ]
    assert _terms(progress.current) == _terms(progress.terms[2])


@pytest.mark.parametrize(
    "on, effective_on",
    [
        ("2009-12-31", "2010-02-01"),  # before the start: the original terms
        ("2010-03-31", "2010-02-01"),
        ("2010-04-01", "2010-04-01"),  # an amendment holds from its own day
        ("2010-07-31", "2010-04-01"),
        ("2010-08-01", "2010-08-01"),
        ("2011-01-01", "2010-08-01"),  # after the end: the last terms
    ],
)
def test_the_terms_in_force_on_a_day(case, on, effective_on):
    contract, _ = case
    assert terms_on(burndown(contract).terms, day(on)).effective_on == day(effective_on)


def test_each_invoice_with_the_running_totals_and_the_terms_of_its_day(case):
    contract, invoices = case
    progress = burndown(contract)
    steps = [
        (s.invoice_id, s.invoiced_on, s.number, s.amount, s.hours, s.cumulative_amount,
         s.cumulative_hours, s.terms.ceiling_amount, s.terms.hour_quota, s.terms.hourly_rate)
        for s in progress.steps
    ]  # fmt: skip
    i = {number: invoice.id for number, invoice in invoices.items()}
    assert steps == [
        (i["B-1"], day("2010-01-20"), "B-1", D("5000.00"), D("5"), D("5000.00"), D("5"),
         D("100000.00"), D("100"), D("1000.00")),
        (i["B-2"], day("2010-03-15"), "B-2", D("60000.00"), D("60"), D("65000.00"), D("65"),
         D("100000.00"), D("100"), D("1000.00")),
        (i["B-3"], day("2010-04-01"), "B-3", D("30000.00"), D("30"), D("95000.00"), D("95"),
         D("120000.00"), D("120"), D("1000.00")),
        (i["B-4"], day("2010-05-10"), "B-4", D("-2000.00"), D("-2"), D("93000.00"), D("93"),
         D("120000.00"), D("120"), D("1000.00")),
        (i["B-5"], day("2010-08-15"), "B-5", D("22000.00"), D("20"), D("115000.00"), D("113"),
         D("110000.00"), D("120"), D("1100.00")),
        (i["B-6"], day("2010-09-01"), "B-6", D("3000.00"), None, D("118000.00"), D("113"),
         D("110000.00"), D("120"), D("1100.00")),
    ]  # fmt: skip


def test_what_remains_and_the_share_used(case):
    contract, _ = case
    progress = burndown(contract)
    assert (progress.invoiced, progress.hours) == (D("118000.00"), D("113"))
    assert progress.remaining == D("-8000.00")  # 110 000.00 - 118 000.00: over the ceiling
    assert progress.remaining_hours == D("7")  # 120 - 113
    assert progress.share_used == D("118000.00") / D("110000.00")
    assert progress.hours_used == D("113") / D("120")


def test_invoices_on_one_day_run_in_the_order_they_were_entered(db, make_contract, make_invoice):
    contract = make_contract(ceiling_amount=D("1000.00"), hour_quota=None)
    first, second = (
        make_invoice(vendor=contract.vendor, contract=contract, invoiced_on=day("2010-05-05"),
                     net_amount=D(amount))
        for amount in ("700.00", "400.00")
    )  # fmt: skip
    steps = burndown(contract).steps
    assert [(s.invoice_id, s.cumulative_amount) for s in steps] == [
        (first.id, D("700.00")),
        (second.id, D("1100.00")),
    ]


def test_a_contract_without_limits_or_invoices(db, make_contract, make_invoice):
    bare = make_contract(ceiling_amount=None, hour_quota=None, hourly_rate=None)
    progress = burndown(bare)
    assert progress.steps == [] and (progress.invoiced, progress.hours) == (D("0.00"), D("0.00"))
    assert (progress.remaining, progress.remaining_hours) == (None, None)
    assert (progress.share_used, progress.hours_used) == (None, None)

    make_invoice(vendor=bare.vendor, contract=bare, net_amount=D("1250.25"))
    progress = burndown(bare)
    (step,) = progress.steps
    assert (step.cumulative_amount, step.cumulative_hours) == (D("1250.25"), D("0"))
    assert progress.remaining is None and progress.share_used is None

    limited = make_contract(ceiling_amount=D("80000.00"), hour_quota=D("80"))
    progress = burndown(limited)
    assert (progress.remaining, progress.remaining_hours) == (D("80000.00"), D("80"))
    assert (progress.share_used, progress.hours_used) == (D("0"), D("0"))
