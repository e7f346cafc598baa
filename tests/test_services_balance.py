"""The balance of a year (``app.services.balance``) on the small ledger of ``tests/ledger.py``:
costs by vendor and by category, fee income by organiser with the day rate in force and the
started days, and the net per currency, every figure worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.privacy import Audience
from app.services.balance import IncomeRow
from app.services.balance import balance
from app.services.balance import balance_years
from tests.ledger import build_ledger
from tests.ledger import withdrawn_engagement

D = Decimal
REGION, FORENING = "Region Exempelland", "Föreningen Digital Förvaltning"

#: These tests read as a signed-in account does (private persons named).
STAFF = Audience.STAFF


@pytest.fixture
def ledger(db):
    return build_ledger()


def _costs(rows, name: str) -> list[tuple]:
    return [(row.labels.get(name), row.currency, row.amount, row.count) for row in rows]


def test_the_balance_of_2010(ledger):
    result = balance(2010, "invoiced", STAFF)
    assert (result.year, result.date_basis) == (2010, "invoiced")
    assert _costs(result.costs_by_vendor, "vendor") == [
        ("Alfa Konsult AB", "SEK", D("11500.50"), 3),  # 10000.00 + 2500.50 - 1000.00
        ("Beta Media AB", "SEK", D("4000.00"), 1),
        ("Nils Nilsson", "SEK", D("1234.56"), 1),
        ("Gamma Ltd", "USD", D("99.99"), 1),
    ]
    assert _costs(result.costs_by_category, "category") == [
        ("Strategi", "SEK", D("9000.00"), 2),
        ("Design", "SEK", D("6500.50"), 2),
        (None, "SEK", D("1234.56"), 1),
        ("Design", "USD", D("99.99"), 1),
    ]
    assert result.income == [
        # 2 + 1 started days at the 2010 rate; the organiser's travel is recorded, not income.
        IncomeRow(REGION, "SEK", D("6000.00"), 3, D("18000.00"), 2, D("1480.00")),
        # 2010-12-31 to 2011-01-01: 2 started days, at the rate in force on the first day.
        IncomeRow(FORENING, "SEK", D("6000.00"), 2, D("12000.00"), 1, D("3900.00")),
        # A rate departing from the card is its own row; the voided engagement is none.
        IncomeRow(REGION, "SEK", D("4500.00"), 1, D("4500.00"), 1, D("0.00")),
    ]
    assert result.currencies == ["SEK", "USD"]
    assert result.costs == {"SEK": D("16735.06"), "USD": D("99.99")}
    assert result.income_totals == {"SEK": D("34500.00")}
    assert result.net("SEK") == D("17764.94")  # 34500.00 - 16735.06
    assert result.net("USD") == D("-99.99")  # costs, no income: currencies never mix


def test_the_balance_of_2011_prices_days_at_the_2011_rate(ledger):
    result = balance(2011, "invoiced", STAFF)
    assert _costs(result.costs_by_vendor, "vendor") == [
        ("Beta Media AB", "SEK", D("7000.00"), 1),
        ("Gamma Ltd", "USD", D("100.01"), 1),
    ]
    assert _costs(result.costs_by_category, "category") == [
        (None, "SEK", D("7000.00"), 1),
        ("Strategi", "USD", D("100.01"), 1),
    ]
    assert result.income == [
        IncomeRow(FORENING, "SEK", D("8000.00"), 1, D("8000.00"), 1, D("0.00")),
    ]
    assert (result.net("SEK"), result.net("USD")) == (D("1000.00"), D("-100.01"))


def test_the_balance_by_payment_date_moves_costs_not_income(ledger):
    result = balance(2010, "paid", STAFF)
    assert result.date_basis == "paid"
    assert _costs(result.costs_by_vendor, "vendor") == [
        ("Alfa Konsult AB", "SEK", D("12500.50"), 2),  # A-3's credit was paid in 2011
        ("Beta Media AB", "SEK", D("4000.00"), 1),
        ("Nils Nilsson", "SEK", D("1234.56"), 1),
        ("Gamma Ltd", "USD", D("99.99"), 1),
    ]
    assert result.costs == {"SEK": D("17735.06"), "USD": D("99.99")}
    assert result.income_totals == {"SEK": D("34500.00")}  # income goes by the first day
    assert result.net("SEK") == D("16764.94")

    result = balance(2011, "paid", STAFF)
    assert result.costs == {"SEK": D("-1000.00"), "USD": D("100.01")}  # B-2 is unpaid
    assert result.net("SEK") == D("9000.00")  # 8000.00 + 1000.00


def test_a_year_without_anything_balances_to_nothing(ledger):
    result = balance(2009, "invoiced", STAFF)
    assert (result.costs_by_vendor, result.costs_by_category, result.income) == ([], [], [])
    assert result.currencies == [] and result.net("SEK") == D("0.00")


def test_the_years_with_costs_or_income(ledger):
    assert balance_years() == [2011, 2010]


def test_a_voided_engagement_makes_no_year(ledger):
    withdrawn_engagement(REGION, "2009-11-11", day_rate=D("5000.00"),
                         rate_override_reason="Före 2010")  # fmt: skip
    assert balance_years() == [2011, 2010]
    assert balance(2009, "invoiced", STAFF).income == []
