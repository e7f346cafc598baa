"""The currency of a file's amounts, never guessed silently: from ``--currency``, a currency
column, the amount column's header (``Net Amount (£)``, ``Belopp SEK``), the title rows above
the header (``Payments over £500``), the profile, or else the deployment's default currency,
each choice saying where it came from. And the country a new supplier gets with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.importing.headers import fold

#: ISO 4217 codes Insyn recognises written out in a header or a title.
CODES = frozenset(
    {"SEK", "NOK", "DKK", "ISK", "EUR", "GBP", "USD", "CAD", "AUD", "NZD", "CHF", "PLN", "CZK",
     "HUF", "JPY", "CNY", "INR", "ZAR", "MXN", "BRL"}
)  # fmt: skip
#: Currencies written as "$" and as "kr": the deployment's own when it is one of them.
_DOLLARS = ("USD", "CAD", "AUD", "NZD")
_KRONOR = ("SEK", "NOK", "DKK", "ISK")
#: Words naming a currency (folded).
_WORDS = {
    "pounds": "GBP", "pound": "GBP", "sterling": "GBP", "euro": "EUR", "euros": "EUR",
    "kronor": "SEK", "kroner": "NOK", "kronur": "ISK", "dollars": "USD", "dollar": "USD",
    "kc": "CZK",
}  # fmt: skip
_SIGNS = {"£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY", "₹": "INR"}
_KR = re.compile(r"(?<![A-Za-zåäöÅÄÖ])kr\.?(?![A-Za-zåäöÅÄÖ])|:-", re.IGNORECASE)
#: The pound sign of the old DOS code pages (byte 0x9C) read as Windows-1252: "(œ)".
_DOS_POUND = re.compile(r"(?<![^\W\d_])œ(?![^\W\d_])")
#: The country each currency belongs to, where it belongs to one.
COUNTRY = {
    "SEK": "SE", "NOK": "NO", "DKK": "DK", "ISK": "IS", "GBP": "GB", "USD": "US", "CAD": "CA",
    "AUD": "AU", "NZD": "NZ", "CHF": "CH", "PLN": "PL", "CZK": "CZ", "HUF": "HU", "JPY": "JP",
    "CNY": "CN", "INR": "IN", "ZAR": "ZA", "MXN": "MX", "BRL": "BR",
}  # fmt: skip


@dataclass(frozen=True)
class CurrencyChoice:
    """The currency of a file's amounts and where it came from.

    Attributes:
        code: ISO 4217, e.g. "GBP".
        source: "option" (``--currency``), "header" (the amount column's header), "title"
            (the rows above the header), "profile", or "default" (the deployment's setting).
        evidence: the text it was read from (the header, the title), if any.
        column: the currency column's header when the rows carry their own currency (the
            choice is then what a row without one gets).
    """

    code: str
    source: str
    evidence: str | None = None
    column: str | None = None


def named_in(text: str | None, default: str = "SEK") -> set[str]:
    """The currencies a header or a title names: signs (£ € $), codes (GBP), words
    (pounds, kronor) and "kr"; a dollar sign or "kr" is the deployment's own currency when
    it is a dollar or a krona."""
    if not text:
        return set()
    found = set()
    for sign, code in _SIGNS.items():
        if sign in text:
            found.add(default if code == "USD" and default in _DOLLARS else code)
    if _DOS_POUND.search(text):
        found.add("GBP")
    words = fold(text).split()
    for word in words:
        upper = word.upper()
        if upper in CODES:
            found.add(upper)
        elif word in _WORDS:
            code = _WORDS[word]
            if code == "USD" and default in _DOLLARS:
                code = default
            if code in ("SEK", "NOK") and default in _KRONOR:
                code = default
            found.add(code)
    if _KR.search(text):
        found.add(default if default in _KRONOR else "SEK")
    return found


def cell_currency(value: str | None, default: str) -> str | None:
    """A currency column's cell as a code: "GBP", "£", "kr" and "Pounds" all read."""
    if not value:
        return None
    code = value.strip().upper()
    if code in CODES:
        return code
    named = named_in(value, default)
    if len(named) == 1:
        return next(iter(named))
    return code[:3] or None


def choose_currency(
    *,
    option: str | None,
    amount_header: str | None,
    titles: list[str],
    profile_currency: str | None,
    default: str,
    currency_column: str | None = None,
) -> CurrencyChoice:
    """The file's currency, by the first of: ``--currency``, the amount column's header, the
    title rows, the profile, the deployment's default. A header or title naming two
    currencies decides nothing."""
    default = (default or "SEK").upper()
    if option:
        return CurrencyChoice(option.strip().upper(), "option", column=currency_column)
    named = named_in(amount_header, default)
    if len(named) == 1:
        return CurrencyChoice(named.pop(), "header", amount_header, currency_column)
    in_titles: dict[str, str] = {}
    for title in titles:
        for code in named_in(title, default):
            in_titles.setdefault(code, title)
    if len(in_titles) == 1:
        code, title = next(iter(in_titles.items()))
        return CurrencyChoice(code, "title", title[:200], currency_column)
    if profile_currency:
        return CurrencyChoice(profile_currency.upper(), "profile", column=currency_column)
    return CurrencyChoice(default, "default", column=currency_column)


def country_for(currency: str, default_currency: str, default_country: str) -> str:
    """The country a new supplier paid in ``currency`` gets: the deployment's own for its own
    currency, the currency's country where it has one, else the deployment's."""
    if currency == default_currency:
        return default_country
    return COUNTRY.get(currency, default_country)
