"""Contracts: original terms kept, amendments applied in date order, current terms derived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.services import contracts
from app.services.errors import DuplicateError
from app.services.errors import ServiceError
from tests.ledger import build_ledger

D = Decimal
day = dt.date.fromisoformat


def test_terms_follow_each_amendment_in_date_order(db, make_contract):
    contract = make_contract(
        starts_on=day("2009-09-15"),
        ends_on=day("2010-06-30"),
        ceiling_amount=D("170000"),
        hour_quota=D("200"),
        hourly_rate=D("850"),
    )
    # Entered out of order: the later one first.
    contracts.add_amendment(
        contract,
        {
            "dated_on": day("2010-11-15"),
            "kind": "expansion",
            "new_ends_on": day("2011-04-30"),
            "added_amount": D("85000"),
            "added_hours": D("100"),
        },
    )
    contracts.add_amendment(
        contract,
        {
            "dated_on": day("2010-05-20"),
            "kind": "extension",
            "new_ends_on": day("2010-12-31"),
            "added_amount": D("68000"),
            "added_hours": D("80"),
            "new_hourly_rate": D("900"),
        },
    )
    db.session.commit()

    terms = contracts.contract_terms(contract)
    assert [
        (t.effective_on, t.ends_on, t.ceiling_amount, t.hour_quota, t.hourly_rate) for t in terms
    ] == [
        (day("2009-09-15"), day("2010-06-30"), D("170000.00"), D("200.00"), D("850.00")),
        (day("2010-05-20"), day("2010-12-31"), D("238000.00"), D("280.00"), D("900.00")),
        (day("2010-11-15"), day("2011-04-30"), D("323000.00"), D("380.00"), D("900.00")),
    ]
    assert terms[2].changed_from(terms[1]) == {"ends_on", "ceiling_amount", "hour_quota"}
    # The original stays as signed.
    assert (contract.ends_on, contract.ceiling_amount) == (day("2010-06-30"), D("170000.00"))
    assert contracts.current_terms(contract) == terms[-1]


def test_an_amendment_without_change_or_reason_is_refused(db, make_contract):
    with pytest.raises(ServiceError):
        contracts.add_amendment(make_contract(), {"dated_on": day("2010-05-01"), "kind": "other"})


def test_a_reduction_lowers_the_ceiling(db, make_contract):
    contract = make_contract(ceiling_amount=D("100000"))
    contracts.add_amendment(
        contract,
        {
            "dated_on": day("2010-05-01"),
            "kind": "other",
            "added_amount": D("-25000"),
            "reason": "Minskad omfattning",
        },
    )
    assert contracts.current_terms(contract).ceiling_amount == D("75000.00")


def test_a_contract_cannot_end_before_it_starts(db, make_contract):
    with pytest.raises(ServiceError) as caught:
        make_contract(starts_on=day("2010-06-01"), ends_on=day("2010-05-31"))
    assert caught.value.field == "ends_on"


def test_references_are_unique_ignoring_case(db, make_contract):
    first = make_contract(reference="KS 2009/412")
    with pytest.raises(DuplicateError) as caught:
        make_contract(reference="ks 2009/412")
    assert caught.value.existing == first


def test_usage_sums_live_invoices_in_the_contract_currency(db, make_contract, make_invoice):
    from app.services.invoices import void_invoice

    contract = make_contract()
    make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("8500"), hours=D("10"))
    make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("-850"), hours=D("-1"))
    void_invoice(
        make_invoice(vendor=contract.vendor, contract=contract, net_amount=D("99999")), "Fel"
    )
    usage = contracts.contract_usage(contract)
    assert (usage.amount, usage.hours, usage.count) == (D("7650.00"), D("9.00"), 2)


def test_the_contract_list_filters_by_year_running_including_extensions(db, make_contract):
    from app.services.contracts import ContractFilters

    extended = make_contract(starts_on=day("2009-09-15"), ends_on=day("2010-06-30"))
    contracts.add_amendment(
        extended,
        {"dated_on": day("2010-05-20"), "kind": "extension", "new_ends_on": day("2011-04-30")},
    )
    ended = make_contract(starts_on=day("2009-01-01"), ends_on=day("2010-06-30"))
    db.session.commit()
    running_2011 = set(db.session.scalars(contracts.contract_select(ContractFilters(year=2011))))
    assert extended in running_2011
    assert ended not in running_2011


def test_the_ledgers_contract_usage(db):
    """K of tests/ledger.py: 10 000.00 (10 h) + 2 500.50 (2.5 h) - 1 000.00 (-1 h); the
    voided 50 000.00 left out."""
    ledger = build_ledger()
    assert contracts.contract_usage(ledger.contract) == contracts.Usage(
        D("11500.50"), D("11.50"), 3
    )
