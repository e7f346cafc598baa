"""Fee income: started days, the rate in force on a date, and engagement fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.services import income
from app.services.errors import ServiceError
from tests.ledger import build_ledger

D = Decimal
day = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        ("2010-05-03", "2010-05-04", 2),
        ("2010-05-03", "2010-05-03", 1),
        ("2010-12-31", "2011-01-01", 2),
        ("2012-02-28", "2012-03-01", 3),  # a leap day counts
        ("2010-01-01", "2010-12-31", 365),
    ],
)
def test_every_calendar_day_from_first_to_last_counts_once(first, last, days):
    assert income.started_days(day(first), day(last)) == days


def test_the_last_day_cannot_precede_the_first():
    with pytest.raises(ServiceError):
        income.started_days(day("2010-05-04"), day("2010-05-03"))


@pytest.fixture
def case_rates(make_rate_card):
    """The case's rate table: 6,000 SEK per started day in 2010, 8,000 from 2011."""
    return (
        make_rate_card(
            valid_from=day("2010-01-01"), valid_to=day("2010-12-31"), day_rate=D("6000")
        ),
        make_rate_card(valid_from=day("2011-01-01"), valid_to=None, day_rate=D("8000")),
    )


@pytest.mark.parametrize(
    ("on", "rate"),
    [
        ("2009-12-31", None),
        ("2010-01-01", "6000.00"),
        ("2010-12-31", "6000.00"),
        ("2011-01-01", "8000.00"),
        ("2030-06-01", "8000.00"),
    ],
)
def test_rate_lookup_includes_both_ends_of_a_period(case_rates, on, rate):
    card = income.rate_card_on(day(on))
    assert (card.day_rate if card else None) == (D(rate) if rate else None)


def test_overlapping_periods_are_refused(db, case_rates):
    with pytest.raises(ServiceError) as caught:
        income.create_rate_card(
            {"valid_from": day("2010-12-01"), "valid_to": day("2010-12-31"), "day_rate": D("1")}
        )
    assert caught.value.params == {"start": "2010-01-01", "end": "2010-12-31"}


def test_a_period_after_an_open_ended_one_is_refused_until_it_is_closed(db, case_rates):
    with pytest.raises(ServiceError) as caught:
        income.create_rate_card({"valid_from": day("2012-01-01"), "day_rate": D("9000")})
    assert caught.value.params == {"start": "2011-01-01"}
    income.update_rate_card(
        case_rates[1],
        {"valid_from": day("2011-01-01"), "valid_to": day("2011-12-31"), "day_rate": D("8000")},
    )
    card = income.create_rate_card({"valid_from": day("2012-01-01"), "day_rate": D("9000")})
    assert income.rate_card_on(day("2012-06-01")) == card


def _engagement(**overrides):
    return income.create_engagement(
        {"organiser_name": "Föreningen Exempel", "topic": "Sociala medier", **overrides}
    )


def test_a_two_day_lecture_in_may_2010_earns_two_days_at_6000(db, case_rates):
    engagement = _engagement(first_day=day("2010-05-03"), last_day=day("2010-05-04"))
    assert (engagement.started_days, engagement.day_rate, engagement.fee_amount) == (
        2,
        D("6000.00"),
        D("12000.00"),
    )
    assert engagement.rate_card == case_rates[0]


def test_a_one_day_lecture_in_2011_earns_8000(db, case_rates):
    engagement = _engagement(first_day=day("2011-02-01"))
    assert (engagement.started_days, engagement.fee_amount) == (1, D("8000.00"))


def test_the_rate_of_the_first_day_applies_across_a_new_year(db, case_rates):
    engagement = _engagement(first_day=day("2010-12-31"), last_day=day("2011-01-01"))
    assert engagement.fee_amount == D("12000.00")


def test_an_override_needs_a_reason(db, case_rates):
    with pytest.raises(ServiceError) as caught:
        _engagement(first_day=day("2010-06-01"), day_rate=D("3000"))
    assert caught.value.field == "rate_override_reason"
    engagement = _engagement(
        first_day=day("2010-06-01"),
        day_rate=D("3000"),
        rate_override_reason="Halvdag, ideell förening",
    )
    assert engagement.fee_amount == D("3000.00")


def test_no_rate_in_force_and_no_override_is_refused(db, case_rates):
    with pytest.raises(ServiceError) as caught:
        _engagement(first_day=day("2009-11-01"))
    assert caught.value.params == {"day": "2009-11-01"}


def test_travel_paid_by_the_organiser_is_recorded_but_not_income(db, case_rates):
    _engagement(first_day=day("2010-05-03"), organiser_pays_travel=True, travel_amount=D("2500"))
    currency, fees, days, count = income.engagement_totals(income.EngagementFilters(year=2010))[0]
    assert (currency, fees, days, count) == ("SEK", D("6000.00"), 1, 1)


def test_changing_a_rate_card_reprices_its_engagements(db, case_rates):
    engagement = _engagement(first_day=day("2010-05-03"), last_day=day("2010-05-04"))
    income.update_rate_card(
        case_rates[0],
        {"valid_from": day("2010-01-01"), "valid_to": day("2010-12-31"), "day_rate": D("6500")},
    )
    assert engagement.fee_amount == D("13000.00")


def test_a_rate_card_change_that_leaves_an_engagement_unpriced_is_refused(db, case_rates):
    _engagement(first_day=day("2010-05-03"))
    with pytest.raises(ServiceError):
        income.update_rate_card(
            case_rates[0],
            {"valid_from": day("2010-06-01"), "valid_to": day("2010-12-31"), "day_rate": D("6000")},
        )


def test_the_ledgers_fee_income_per_year(db):
    """The small ledger of tests/ledger.py: 2 + 1 + 1 + 2 started days in 2010 (one at an
    overridden 4 500.00), 1 in 2011 at 8 000.00; the withdrawn engagement is no income."""
    build_ledger()
    assert income.engagement_totals(income.EngagementFilters(year=2010)) == [
        ("SEK", D("34500.00"), 6, 4)
    ]
    assert income.engagement_totals(income.EngagementFilters(year=2011)) == [
        ("SEK", D("8000.00"), 1, 1)
    ]
    assert income.engagement_totals(income.EngagementFilters()) == [("SEK", D("42500.00"), 7, 5)]
