"""The front page's figures (``app.services.overview``) on the small ledger of
``tests/ledger.py``: costs against income per year and currency, and what is on record."""

from __future__ import annotations

from decimal import Decimal

from app.services.overview import YearOverview
from app.services.overview import counts
from app.services.overview import yearly_overview
from tests.ledger import build_ledger

D = Decimal


def test_costs_against_income_per_year_and_currency_newest_first(db):
    build_ledger()
    overview = yearly_overview()
    assert overview == [
        YearOverview(2011, "SEK", D("7000.00"), 1, D("8000.00"), 1),
        YearOverview(2011, "USD", D("100.01"), 1, D("0.00"), 0),
        # 10000.00 + 2500.50 - 1000.00 + 4000.00 + 1234.56; 12000 + 6000 + 4500 + 12000.
        YearOverview(2010, "SEK", D("16735.06"), 5, D("34500.00"), 4),
        YearOverview(2010, "USD", D("99.99"), 1, D("0.00"), 0),
    ]
    assert [row.net for row in overview] == [
        D("1000.00"),
        D("-100.01"),
        D("17764.94"),
        D("-99.99"),
    ]


def test_what_is_on_record_counts_valid_records_only(db):
    build_ledger()
    # The ledger's voided invoice and its voided engagement are left out.
    assert counts() == {"vendors": 4, "contracts": 1, "invoices": 8, "engagements": 5}


def test_an_empty_database_has_no_years(db):
    assert yearly_overview() == []
    assert counts() == {"vendors": 0, "contracts": 0, "invoices": 0, "engagements": 0}
