"""Totals and the year × vendor pivot (``app.services.totals``) on the small ledger of
``tests/ledger.py``, every figure worked out by hand from its table: each grouping alone and
every pair of groupings, net, gross and VAT, by invoice and by payment date, voided invoices
left out and currencies never added together. Read as staff read them (a private person
named): what the public reads is tested in ``test_privacy_public``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.privacy import Audience
from app.services.invoice_filters import NONE
from app.services.invoice_filters import InvoiceFilters
from app.services.totals import DIMENSIONS
from app.services.totals import TotalsQuery
from app.services.totals import currency_totals
from app.services.totals import pivot
from app.services.totals import totals
from tests.ledger import CONTRACT
from tests.ledger import build_ledger

D = Decimal
A, B, G, N = "Alfa Konsult AB", "Beta Media AB", "Gamma Ltd", "Nils Nilsson"
S, DS = "Strategi", "Design"
KLF, KF = "Kommunledningsförvaltningen", "Kommunfullmäktige"
K = CONTRACT
RECORDS = ("vendor", "category", "department", "contract")


def staff(**choices) -> InvoiceFilters:
    """Invoice filters as a signed-in account reads them."""
    return InvoiceFilters(audience=Audience.STAFF, **choices)


@pytest.fixture
def ledger(db):
    return build_ledger()


def _rows(by: tuple[str, ...], **choices) -> list[tuple]:
    """(keys in ``by`` order, records by name; currency; amount; count) in report order."""
    choices.setdefault("filters", staff())
    query = TotalsQuery(by=by, **choices)
    return [
        (
            tuple(row.labels.get(name) if name in RECORDS else row.keys[name] for name in by),
            row.currency,
            row.amount,
            row.count,
        )
        for row in totals(query)
    ]


#: Net amounts by invoice date, for every grouping and every pair, in the report's order:
#: per currency (SEK before USD), by period when a period leads, else the largest first.
EXPECTED = {
    ("year",): [
        ((2010,), "SEK", D("16735.06"), 5),  # 10000.00 + 2500.50 - 1000.00 + 4000.00 + 1234.56
        ((2011,), "SEK", D("7000.00"), 1),
        ((2010,), "USD", D("99.99"), 1),
        ((2011,), "USD", D("100.01"), 1),
    ],
    ("month",): [
        (("2010-01",), "SEK", D("10000.00"), 1),
        (("2010-03",), "SEK", D("7735.06"), 3),  # 2500.50 + 4000.00 + 1234.56
        (("2010-12",), "SEK", D("-1000.00"), 1),
        (("2011-02",), "SEK", D("7000.00"), 1),
        (("2010-03",), "USD", D("99.99"), 1),
        (("2011-06",), "USD", D("100.01"), 1),
    ],
    ("vendor",): [
        ((A,), "SEK", D("11500.50"), 3),  # 10000.00 + 2500.50 - 1000.00 (A-4 is voided)
        ((B,), "SEK", D("11000.00"), 2),
        ((N,), "SEK", D("1234.56"), 1),
        ((G,), "USD", D("200.00"), 2),
    ],
    ("category",): [
        ((S,), "SEK", D("9000.00"), 2),
        ((None,), "SEK", D("8234.56"), 2),  # 7000.00 + 1234.56
        ((DS,), "SEK", D("6500.50"), 2),
        ((S,), "USD", D("100.01"), 1),
        ((DS,), "USD", D("99.99"), 1),
    ],
    ("department",): [
        ((KLF,), "SEK", D("12735.06"), 4),
        ((KF,), "SEK", D("11000.00"), 2),
        ((None,), "USD", D("100.01"), 1),
        ((KLF,), "USD", D("99.99"), 1),
    ],
    ("contract",): [
        ((None,), "SEK", D("12234.56"), 3),  # 4000.00 + 7000.00 + 1234.56
        ((K,), "SEK", D("11500.50"), 3),
        ((None,), "USD", D("200.00"), 2),
    ],
    ("currency",): [
        (("SEK",), "SEK", D("23735.06"), 6),
        (("USD",), "USD", D("200.00"), 2),
    ],
    ("year", "month"): [
        ((2010, "2010-01"), "SEK", D("10000.00"), 1),
        ((2010, "2010-03"), "SEK", D("7735.06"), 3),
        ((2010, "2010-12"), "SEK", D("-1000.00"), 1),
        ((2011, "2011-02"), "SEK", D("7000.00"), 1),
        ((2010, "2010-03"), "USD", D("99.99"), 1),
        ((2011, "2011-06"), "USD", D("100.01"), 1),
    ],
    ("year", "vendor"): [
        ((2010, A), "SEK", D("11500.50"), 3),
        ((2010, B), "SEK", D("4000.00"), 1),
        ((2010, N), "SEK", D("1234.56"), 1),
        ((2011, B), "SEK", D("7000.00"), 1),
        ((2010, G), "USD", D("99.99"), 1),
        ((2011, G), "USD", D("100.01"), 1),
    ],
    ("year", "category"): [
        ((2010, S), "SEK", D("9000.00"), 2),
        ((2010, DS), "SEK", D("6500.50"), 2),
        ((2010, None), "SEK", D("1234.56"), 1),
        ((2011, None), "SEK", D("7000.00"), 1),
        ((2010, DS), "USD", D("99.99"), 1),
        ((2011, S), "USD", D("100.01"), 1),
    ],
    ("year", "department"): [
        ((2010, KLF), "SEK", D("12735.06"), 4),
        ((2010, KF), "SEK", D("4000.00"), 1),
        ((2011, KF), "SEK", D("7000.00"), 1),
        ((2010, KLF), "USD", D("99.99"), 1),
        ((2011, None), "USD", D("100.01"), 1),
    ],
    ("year", "contract"): [
        ((2010, K), "SEK", D("11500.50"), 3),
        ((2010, None), "SEK", D("5234.56"), 2),
        ((2011, None), "SEK", D("7000.00"), 1),
        ((2010, None), "USD", D("99.99"), 1),
        ((2011, None), "USD", D("100.01"), 1),
    ],
    ("year", "currency"): [
        ((2010, "SEK"), "SEK", D("16735.06"), 5),
        ((2011, "SEK"), "SEK", D("7000.00"), 1),
        ((2010, "USD"), "USD", D("99.99"), 1),
        ((2011, "USD"), "USD", D("100.01"), 1),
    ],
    ("month", "vendor"): [
        (("2010-01", A), "SEK", D("10000.00"), 1),
        (("2010-03", B), "SEK", D("4000.00"), 1),
        (("2010-03", A), "SEK", D("2500.50"), 1),
        (("2010-03", N), "SEK", D("1234.56"), 1),
        (("2010-12", A), "SEK", D("-1000.00"), 1),
        (("2011-02", B), "SEK", D("7000.00"), 1),
        (("2010-03", G), "USD", D("99.99"), 1),
        (("2011-06", G), "USD", D("100.01"), 1),
    ],
    ("month", "category"): [
        (("2010-01", S), "SEK", D("10000.00"), 1),
        (("2010-03", DS), "SEK", D("6500.50"), 2),
        (("2010-03", None), "SEK", D("1234.56"), 1),
        (("2010-12", S), "SEK", D("-1000.00"), 1),
        (("2011-02", None), "SEK", D("7000.00"), 1),
        (("2010-03", DS), "USD", D("99.99"), 1),
        (("2011-06", S), "USD", D("100.01"), 1),
    ],
    ("month", "department"): [
        (("2010-01", KLF), "SEK", D("10000.00"), 1),
        (("2010-03", KF), "SEK", D("4000.00"), 1),
        (("2010-03", KLF), "SEK", D("3735.06"), 2),  # 2500.50 + 1234.56
        (("2010-12", KLF), "SEK", D("-1000.00"), 1),
        (("2011-02", KF), "SEK", D("7000.00"), 1),
        (("2010-03", KLF), "USD", D("99.99"), 1),
        (("2011-06", None), "USD", D("100.01"), 1),
    ],
    ("month", "contract"): [
        (("2010-01", K), "SEK", D("10000.00"), 1),
        (("2010-03", None), "SEK", D("5234.56"), 2),  # 4000.00 + 1234.56
        (("2010-03", K), "SEK", D("2500.50"), 1),
        (("2010-12", K), "SEK", D("-1000.00"), 1),
        (("2011-02", None), "SEK", D("7000.00"), 1),
        (("2010-03", None), "USD", D("99.99"), 1),
        (("2011-06", None), "USD", D("100.01"), 1),
    ],
    ("month", "currency"): [
        (("2010-01", "SEK"), "SEK", D("10000.00"), 1),
        (("2010-03", "SEK"), "SEK", D("7735.06"), 3),
        (("2010-12", "SEK"), "SEK", D("-1000.00"), 1),
        (("2011-02", "SEK"), "SEK", D("7000.00"), 1),
        (("2010-03", "USD"), "USD", D("99.99"), 1),
        (("2011-06", "USD"), "USD", D("100.01"), 1),
    ],
    ("vendor", "category"): [
        ((A, S), "SEK", D("9000.00"), 2),
        ((B, None), "SEK", D("7000.00"), 1),
        ((B, DS), "SEK", D("4000.00"), 1),
        ((A, DS), "SEK", D("2500.50"), 1),
        ((N, None), "SEK", D("1234.56"), 1),
        ((G, S), "USD", D("100.01"), 1),
        ((G, DS), "USD", D("99.99"), 1),
    ],
    ("vendor", "department"): [
        ((A, KLF), "SEK", D("11500.50"), 3),
        ((B, KF), "SEK", D("11000.00"), 2),
        ((N, KLF), "SEK", D("1234.56"), 1),
        ((G, None), "USD", D("100.01"), 1),
        ((G, KLF), "USD", D("99.99"), 1),
    ],
    ("vendor", "contract"): [
        ((A, K), "SEK", D("11500.50"), 3),
        ((B, None), "SEK", D("11000.00"), 2),
        ((N, None), "SEK", D("1234.56"), 1),
        ((G, None), "USD", D("200.00"), 2),
    ],
    ("vendor", "currency"): [
        ((A, "SEK"), "SEK", D("11500.50"), 3),
        ((B, "SEK"), "SEK", D("11000.00"), 2),
        ((N, "SEK"), "SEK", D("1234.56"), 1),
        ((G, "USD"), "USD", D("200.00"), 2),
    ],
    ("category", "department"): [
        ((S, KLF), "SEK", D("9000.00"), 2),
        ((None, KF), "SEK", D("7000.00"), 1),
        ((DS, KF), "SEK", D("4000.00"), 1),
        ((DS, KLF), "SEK", D("2500.50"), 1),
        ((None, KLF), "SEK", D("1234.56"), 1),
        ((S, None), "USD", D("100.01"), 1),
        ((DS, KLF), "USD", D("99.99"), 1),
    ],
    ("category", "contract"): [
        ((S, K), "SEK", D("9000.00"), 2),
        ((None, None), "SEK", D("8234.56"), 2),
        ((DS, None), "SEK", D("4000.00"), 1),
        ((DS, K), "SEK", D("2500.50"), 1),
        ((S, None), "USD", D("100.01"), 1),
        ((DS, None), "USD", D("99.99"), 1),
    ],
    ("category", "currency"): [
        ((S, "SEK"), "SEK", D("9000.00"), 2),
        ((None, "SEK"), "SEK", D("8234.56"), 2),
        ((DS, "SEK"), "SEK", D("6500.50"), 2),
        ((S, "USD"), "USD", D("100.01"), 1),
        ((DS, "USD"), "USD", D("99.99"), 1),
    ],
    ("department", "contract"): [
        ((KLF, K), "SEK", D("11500.50"), 3),
        ((KF, None), "SEK", D("11000.00"), 2),
        ((KLF, None), "SEK", D("1234.56"), 1),
        ((None, None), "USD", D("100.01"), 1),
        ((KLF, None), "USD", D("99.99"), 1),
    ],
    ("department", "currency"): [
        ((KLF, "SEK"), "SEK", D("12735.06"), 4),
        ((KF, "SEK"), "SEK", D("11000.00"), 2),
        ((None, "USD"), "USD", D("100.01"), 1),
        ((KLF, "USD"), "USD", D("99.99"), 1),
    ],
    ("contract", "currency"): [
        ((None, "SEK"), "SEK", D("12234.56"), 3),
        ((K, "SEK"), "SEK", D("11500.50"), 3),
        ((None, "USD"), "USD", D("200.00"), 2),
    ],
}


def test_every_grouping_and_every_pair_is_expected():
    singles = {(name,) for name in DIMENSIONS}
    pairs = {(a, b) for i, a in enumerate(DIMENSIONS) for b in DIMENSIONS[i + 1 :]}
    assert set(EXPECTED) == singles | pairs  # 7 + 21


@pytest.mark.parametrize("by", list(EXPECTED), ids=",".join)
def test_totals_by_each_grouping_and_pair(ledger, by):
    assert _rows(by) == EXPECTED[by]


@pytest.mark.parametrize(
    "by", [("vendor", "year"), ("category", "month"), ("contract", "vendor")], ids=",".join
)
def test_a_pair_in_the_other_order_has_the_same_groups_largest_first(ledger, by):
    rows = _rows(by)
    flipped = {((k[1], k[0]), c, a, n) for k, c, a, n in EXPECTED[(by[1], by[0])]}
    assert set(rows) == flipped
    for currency in ("SEK", "USD"):
        amounts = [a for _k, c, a, _n in rows if c == currency]
        assert amounts == sorted(amounts, reverse=True)


def test_the_keys_are_the_records_ids_and_the_labels_their_names(ledger):
    rows = totals(TotalsQuery(by=("vendor", "contract"), filters=staff()))
    assert [(r.keys, r.labels) for r in rows] == [
        ({"vendor": ledger.alfa.id, "contract": ledger.contract.id}, {"vendor": A, "contract": K}),
        ({"vendor": ledger.beta.id, "contract": None}, {"vendor": B, "contract": None}),
        ({"vendor": ledger.nils.id, "contract": None}, {"vendor": N, "contract": None}),
        ({"vendor": ledger.gamma.id, "contract": None}, {"vendor": G, "contract": None}),
    ]


def test_shares_are_of_the_total_in_the_same_currency(ledger):
    rows = totals(TotalsQuery(by=("vendor",), filters=staff()))
    # A share is a fraction rounded half up to three decimals (a tenth of a percent), once:
    # 11 500.50 / 23 735.06 = 0.48453…, 11 000.00 / 23 735.06 = 0.46345…,
    # 1 234.56 / 23 735.06 = 0.05201….
    assert [(r.currency, str(r.share)) for r in rows] == [
        ("SEK", "0.485"),
        ("SEK", "0.463"),
        ("SEK", "0.052"),
        ("USD", "1.000"),
    ]
    by_year = totals(TotalsQuery(by=("year",), filters=staff()))
    # 0.49995 and 0.50005 of the USD total: both a half, to a tenth of a percent.
    assert [str(r.share) for r in by_year if r.currency == "USD"] == ["0.500", "0.500"]


def test_currency_totals_never_add_currencies(ledger):
    rows = totals(TotalsQuery(by=("month", "vendor"), filters=staff()))
    assert currency_totals(rows) == {"SEK": (D("23735.06"), 6), "USD": (D("200.00"), 2)}


@pytest.mark.parametrize(
    "measure, expected",
    [
        # Gross: 12500.00 + 3125.63 - 1250.00; 4240.00 + 8750.00; 1543.20.
        ("gross", [((A,), "SEK", D("14375.63"), 3), ((B,), "SEK", D("12990.00"), 2),
                   ((N,), "SEK", D("1543.20"), 1), ((G,), "USD", D("200.00"), 2)]),
        # VAT: 2500.00 + 625.13 (2500.50 × 25 % = 625.125, half up) - 250.00; 240.00 + 1750.00.
        ("vat", [((A,), "SEK", D("2875.13"), 3), ((B,), "SEK", D("1990.00"), 2),
                 ((N,), "SEK", D("308.64"), 1), ((G,), "USD", D("0.00"), 2)]),
    ],
)  # fmt: skip
def test_totals_including_vat_and_of_the_vat_alone(ledger, measure, expected):
    assert _rows(("vendor",), measure=measure) == expected


def test_a_currency_whose_vat_is_nothing_has_no_share_to_give(ledger):
    (usd,) = [
        r
        for r in totals(TotalsQuery(by=("vendor",), measure="vat", filters=staff()))
        if r.currency == "USD"
    ]
    assert usd.amount == D("0.00") and usd.share == D("0.00")


def test_by_payment_date_the_credit_note_falls_in_2011_and_the_unpaid_invoice_in_no_year(ledger):
    paid = staff(date_basis="paid")
    assert _rows(("year",), filters=paid) == [
        ((2010,), "SEK", D("17735.06"), 4),  # 10000.00 + 2500.50 + 4000.00 + 1234.56
        ((2011,), "SEK", D("-1000.00"), 1),  # A-3, paid 2011-01-15; B-2 is unpaid
        ((2010,), "USD", D("99.99"), 1),
        ((2011,), "USD", D("100.01"), 1),
    ]
    assert _rows(("month",), filters=paid) == [
        (("2010-02",), "SEK", D("10000.00"), 1),
        (("2010-03",), "SEK", D("4000.00"), 1),
        (("2010-04",), "SEK", D("3735.06"), 2),
        (("2011-01",), "SEK", D("-1000.00"), 1),
        (("2010-03",), "USD", D("99.99"), 1),
        (("2011-06",), "USD", D("100.01"), 1),
    ]
    assert _rows(("vendor",), filters=staff(date_basis="paid", year=2010)) == [
        ((A,), "SEK", D("12500.50"), 2),
        ((B,), "SEK", D("4000.00"), 1),
        ((N,), "SEK", D("1234.56"), 1),
        ((G,), "USD", D("99.99"), 1),
    ]
    # Without a period, every valid invoice counts, the unpaid one too.
    assert _rows(("vendor",), filters=paid) == EXPECTED[("vendor",)]


def test_voided_invoices_never_count_whatever_the_status_filter_says(ledger):
    for status in ("all", "active", "voided"):
        assert _rows(("vendor",), filters=staff(status=status)) == EXPECTED[("vendor",)]
    # A-4 (50 000.00 in May 2010) is on record, voided: no May in the months.
    assert "2010-05" not in {keys[0] for keys, *_ in _rows(("month",))}


def test_filters_narrow_the_sums(ledger):
    march = staff(year=2010, month=3)
    assert _rows(("vendor",), filters=march) == [
        ((B,), "SEK", D("4000.00"), 1),
        ((A,), "SEK", D("2500.50"), 1),
        ((N,), "SEK", D("1234.56"), 1),
        ((G,), "USD", D("99.99"), 1),
    ]
    no_contract = staff(contract_id=NONE, currency="SEK")
    assert _rows(("category",), filters=no_contract) == [
        ((None,), "SEK", D("8234.56"), 2),
        ((DS,), "SEK", D("4000.00"), 1),
    ]
    span = staff(date_from=dt.date(2010, 3, 10), date_to=dt.date(2010, 12, 31))
    assert _rows(("currency",), filters=span) == [
        (("SEK",), "SEK", D("2735.06"), 3),  # 2500.50 - 1000.00 + 1234.56
        (("USD",), "USD", D("99.99"), 1),
    ]
    amounts = staff(amount_min=D("1000.00"), amount_max=D("7000.00"))
    assert _rows(("currency",), filters=amounts) == [
        (("SEK",), "SEK", D("14735.06"), 4)  # 2500.50 + 4000.00 + 7000.00 + 1234.56
    ]


def test_nothing_to_sum_gives_no_rows(ledger):
    assert totals(TotalsQuery(by=("year",), filters=staff(year=2009))) == []


# --- the year × vendor pivot ------------------------------------------------------------------


def _line(line) -> tuple:
    return (line.name, line.by_year, line.total, line.count)


def test_the_pivot_shows_the_top_vendors_and_folds_the_rest_into_all_other_vendors(ledger):
    sek, usd = pivot(staff(), top=1)
    assert (sek.currency, sek.years) == ("SEK", [2010, 2011])
    assert [_line(line) for line in sek.lines] == [
        (A, {2010: (D("11500.50"), 3)}, D("11500.50"), 3),
    ]
    assert _line(sek.others) == (
        None,
        {2010: (D("5234.56"), 2), 2011: (D("7000.00"), 1)},  # Beta 4000.00 + Nils 1234.56
        D("12234.56"),
        3,
    )
    assert sek.others.others == (ledger.beta.id, ledger.nils.id)  # the larger first
    assert sek.column_totals == {2010: (D("16735.06"), 5), 2011: (D("7000.00"), 1)}
    assert (sek.total, sek.count, sek.vendor_count) == (D("23735.06"), 6, 3)

    assert (usd.currency, usd.years, usd.others) == ("USD", [2010, 2011], None)
    assert [_line(line) for line in usd.lines] == [
        (G, {2010: (D("99.99"), 1), 2011: (D("100.01"), 1)}, D("200.00"), 2)
    ]
    assert (usd.total, usd.count, usd.vendor_count) == (D("200.00"), 2, 1)


def test_the_others_row_leaves_out_years_none_of_them_had(ledger):
    sek, _usd = pivot(staff(), top=2)
    assert [line.name for line in sek.lines] == [A, B]
    assert _line(sek.others) == (None, {2010: (D("1234.56"), 1)}, D("1234.56"), 1)
    assert sek.others.others == (ledger.nils.id,)
    sek, _usd = pivot(staff(), top=3)
    assert sek.others is None and len(sek.lines) == 3


def test_the_change_from_the_year_before(ledger):
    sek, usd = pivot(staff(), top=3)
    alfa, beta, _nils = sek.lines
    assert beta.change(2011) == D("0.75")  # 4000.00 → 7000.00
    assert alfa.change(2011) == D("-1")  # 11500.50 → nothing
    assert alfa.change(2010) is None  # no year before
    assert usd.lines[0].change(2011) == D("0.02") / D("99.99")  # 99.99 → 100.01


def test_the_pivot_by_payment_date(ledger):
    sek, _usd = pivot(staff(date_basis="paid"), top=5)
    assert [_line(line) for line in sek.lines] == [
        (A, {2010: (D("12500.50"), 2), 2011: (D("-1000.00"), 1)}, D("11500.50"), 3),
        (B, {2010: (D("4000.00"), 1)}, D("4000.00"), 1),  # B-2 is unpaid
        (N, {2010: (D("1234.56"), 1)}, D("1234.56"), 1),
    ]
    assert sek.column_totals == {2010: (D("17735.06"), 4), 2011: (D("-1000.00"), 1)}
    assert (sek.total, sek.count) == (D("16735.06"), 5)


def test_the_pivot_including_vat(ledger):
    sek, usd = pivot(staff(), measure="gross", top=1)
    assert _line(sek.lines[0]) == (A, {2010: (D("14375.63"), 3)}, D("14375.63"), 3)
    assert _line(sek.others) == (
        None,
        {2010: (D("5783.20"), 2), 2011: (D("8750.00"), 1)},  # 4240.00 + 1543.20; 8750.00
        D("14533.20"),
        3,
    )
    assert sek.total == D("28908.83")


def test_vendors_with_equal_totals_are_ranked_by_name(db, make_vendor, make_invoice):
    for name in ("Östra Konsult AB", "Bravo AB", "Adam AB"):
        make_invoice(vendor=make_vendor(name=name), net_amount=D("500.00"))
    (sek,) = pivot(staff(), top=2)
    assert [line.name for line in sek.lines] == ["Adam AB", "Bravo AB"]
    assert sek.others.total == D("500.00") and sek.total == D("1500.00")
