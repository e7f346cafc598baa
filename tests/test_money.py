"""Money: reading amounts as people type them, rounding, and writing them the Swedish way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import MAX_ORE
from app.money import AmountError
from app.money import format_money
from app.money import from_ore
from app.money import parse_amount
from app.money import to_money
from app.money import to_ore


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1 234,50 kr", "1234.50"),
        ("1234,5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1\u00a0234\u00a0567,50", "1234567.50"),
        ("1\u202f234,50", "1234.50"),
        ("1\u2009234,50 SEK", "1234.50"),
        ("1 234:-", "1234.00"),
        ("£1,234.50", "1234.50"),
        ("1,234,567", "1234567.00"),
        ("1 234", "1234.00"),
        ("0,5", "0.50"),
        ("42", "42.00"),
        ("+42", "42.00"),
    ],
)
def test_parse_amount_reads_swedish_and_english_notations(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1 234,50", "-1234.50"),
        ("\u22121 234,50", "-1234.50"),
        ("1 234,50-", "-1234.50"),
        ("(1 234,50)", "-1234.50"),
        ("-1,234.50 kr", "-1234.50"),
    ],
)
def test_parse_amount_reads_negatives_in_every_notation(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,345", "12.345", "1,234", "999.999"])
def test_a_lone_separator_before_three_digits_is_refused_as_ambiguous(text):
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert "ambiguous" in caught.value.message
    assert caught.value.params["text"] == text


@pytest.mark.parametrize(
    "text", ["abc", "", "  ", "1.5.5", "12 34", "1,23,456", "--5", "1e5", "NaN"]
)
def test_text_that_is_no_amount_is_refused(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_more_than_two_decimals_is_refused_unless_allowed():
    with pytest.raises(AmountError) as caught:
        parse_amount("1234,567")
    assert "two decimals" in caught.value.message
    assert parse_amount("1299.1199999999999", max_decimals=20) == Decimal("1299.12")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1299.1199999999999, "1299.12"),
        (33.590000000000003, "33.59"),
        (0.1 + 0.2, "0.30"),
        (Decimal("2.675"), "2.68"),  # half up, not banker's rounding
        (Decimal("-2.675"), "-2.68"),
        (Decimal("2.665"), "2.67"),
        (7, "7.00"),
        ("12.5", "12.50"),
    ],
)
def test_to_money_rounds_half_up_to_the_ore_and_removes_float_noise(value, expected):
    result = to_money(value)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), True, "12,5"])
def test_to_money_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(AmountError):
        to_money(value)


def test_ore_round_trip_is_exact():
    for text in ["0.00", "0.01", "-0.01", "1234567.89", "8999999999999999.99"]:
        amount = Decimal(text)
        assert from_ore(to_ore(amount)) == amount
    assert to_ore(Decimal("1234.50")) == 123450


@pytest.mark.parametrize("text", ["9000000000000000", "-9000000000000000", "1e30"])
def test_an_amount_beyond_what_the_database_keeps_is_refused(text):
    with pytest.raises(AmountError, match="larger than any amount"):
        to_money(text)


def test_a_typed_amount_too_large_is_refused_in_the_words_typed():
    with pytest.raises(AmountError) as refused:
        parse_amount("99 999 999 999 999 999 999")
    assert refused.value.params == {"text": "99 999 999 999 999 999 999"}


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234567.50", "SEK", "sv", "1\u00a0234\u00a0567,50\u00a0kr"),
        ("-1234.5", "SEK", "sv", "-1\u00a0234,50\u00a0kr"),
        ("0", "SEK", "sv", "0,00\u00a0kr"),
        ("999", "SEK", "sv", "999,00\u00a0kr"),
        ("24.95", "USD", "sv", "24,95\u00a0USD"),
        ("1234567.50", "SEK", "en", "SEK\u00a01,234,567.50"),
        ("-0.5", "GBP", "en", "GBP\u00a0-0.50"),
    ],
)
def test_format_money_writes_the_readers_notation(amount, currency, locale, expected):
    assert format_money(Decimal(amount), currency, locale=locale) == expected


def test_formatted_amounts_parse_back_to_the_same_value():
    for text in ["0.01", "-1234.56", "1000000.00", "12345.60"]:
        amount = Decimal(text)
        assert parse_amount(format_money(amount)) == amount
        assert parse_amount(format_money(amount, locale="en", symbol=False)) == amount


def test_an_amount_past_what_is_kept_is_refused_not_a_crash():
    """A 30-digit number typed in a form (or sent to the API) is an error the user reads, not
    a failure of the decimal context or of the 64-bit öre column."""
    for text in ("1" * 30, "9 000 000 000 000 000,00", "-99 999 999 999 999 999"):
        with pytest.raises(AmountError, match="larger"):
            parse_amount(text)
    assert parse_amount("8 999 999 999 999 999,99") == Decimal("8999999999999999.99")


# --- properties: every notation Insyn writes or accepts reads back to the same amount ---------

#: Any amount Insyn keeps.
AMOUNTS = st.integers(min_value=-(MAX_ORE - 1), max_value=MAX_ORE - 1).map(from_ore)


def _grouped(amount: Decimal, thousands: str, decimal: str) -> str:
    digits = f"{abs(amount):,.2f}".replace(",", "\x00").replace(".", decimal)
    return digits.replace("\x00", thousands)


def _signed(amount: Decimal, text: str, style: str) -> str:
    if amount >= 0:
        return text
    return {
        "lead": f"-{text}",
        "trail": f"{text}-",
        "paren": f"({text})",
        "minus": f"\u2212{text}",
    }[style]


#: Each notation: how an amount is written in it.
NOTATIONS = {
    "insyn sv": lambda a, s: format_money(a, "SEK", locale="sv"),
    "insyn sv bare": lambda a, s: format_money(a, "SEK", locale="sv", symbol=False),
    "insyn en": lambda a, s: format_money(a, "SEK", locale="en"),
    "insyn en GBP": lambda a, s: format_money(a, "GBP", locale="en"),
    "machine": lambda a, s: str(a),
    "comma": lambda a, s: _signed(a, _grouped(a, "", ","), s),
    "space comma": lambda a, s: _signed(a, _grouped(a, " ", ","), s),
    "no-break space comma": lambda a, s: _signed(a, _grouped(a, "\u00a0", ","), s),
    "dot comma": lambda a, s: _signed(a, _grouped(a, ".", ","), s),
    "comma dot": lambda a, s: _signed(a, _grouped(a, ",", "."), s),
    "space comma kr": lambda a, s: _signed(a, _grouped(a, " ", ","), s) + " kr",
}


@given(
    AMOUNTS,
    st.sampled_from(sorted(NOTATIONS)),
    st.sampled_from(["lead", "trail", "paren", "minus"]),
)
def test_format_then_parse_gives_the_same_amount_in_every_notation(amount, notation, sign):
    written = NOTATIONS[notation](amount, sign)
    assert parse_amount(written) == amount, written


@given(AMOUNTS)
def test_an_amount_through_a_spreadsheets_float_comes_back_exact(amount):
    if abs(amount) < Decimal("1e13"):  # floats hold 15 significant digits
        assert to_money(float(amount)) == amount
    assert from_ore(to_ore(amount)) == amount


@given(st.text(max_size=60))
def test_any_text_is_an_amount_or_refused_with_a_message(text):
    try:
        amount = parse_amount(text)
    except AmountError as error:
        assert error.message and isinstance(error.params, dict)
    else:
        assert amount == to_money(amount) and abs(amount) < Decimal(MAX_ORE).scaleb(-2)
