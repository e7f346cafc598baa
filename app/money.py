"""The one money policy of Insyn.

Amounts are :class:`decimal.Decimal` values with exactly two decimals (öre, pence, cents) in
Python and whole öre (a ``BigInteger``) in the database. Nothing else makes a money value:

* :func:`to_money` turns a machine value (``Decimal``, ``int``, ``float`` from a spreadsheet
  reader, or a plain ``"1234.50"`` string) into money, rounding half up to the öre.
* :func:`parse_amount` reads what a person typed ("1 234,50 kr", "1,234.50", "(1 234,50)",
  "1 234,50-") and refuses what it cannot read without guessing.
* :func:`format_money` is the only way money becomes text for a reader.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

#: One öre: the quantum every amount is rounded to.
CENT = Decimal("0.01")
#: The largest amount kept, in whole öre: well inside the database's 64-bit integers (about
#: 9.2 × 10¹⁸), so that no amount, and no sum of a few of them, overflows a column.
MAX_ORE = 9 * 10**17

#: Characters people and spreadsheets put between groups of thousands, besides "," and ".":
#: space, no-break space, narrow no-break space, thin space, apostrophe.
_SPACES = " \u00a0\u202f\u2009'"

_CURRENCY_MARKS = re.compile(r"(?i)(?:\bsek\b|\bkr\.?|:-|£|€|\$|\bgbp\b|\beur\b|\busd\b|\bcad\b)")
_SHAPE = re.compile(r"^\d[\d.,]*$")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for translation without translating it here (this module has no locale)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_, with a plural
    """Mark a message and its plural form for translation with ``ngettext`` where it is shown
    (``make translations`` extracts both)."""
    return singular, plural


#: The refusal of an amount of ``MAX_ORE`` öre or more (nine thousand million million).
TOO_LARGE = N_("“%(text)s” is larger than any amount Insyn keeps (9 000 000 000 000 000).")


class AmountError(ValueError):
    """An amount could not be read.

    Attributes:
        message: an English message id, translated where it is shown (see ``N_``).
        params: values to interpolate into the translated message.
    """

    def __init__(self, message: str, **params: str) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


def to_money(value: Decimal | int | float | str) -> Decimal:
    """Return ``value`` as money: a finite ``Decimal`` rounded half up to two decimals.

    Args:
        value: a ``Decimal``; an ``int``; a ``float`` as spreadsheet readers return it (it goes
            through ``repr`` first, so float noise such as ``1299.1199999999999`` becomes
            ``1299.12`` rather than its binary expansion); or a string in machine notation
            (``"-1234.5"``). Text a person typed goes through :func:`parse_amount` instead.

    Raises:
        AmountError: for booleans, NaN, infinities, strings that are not plain numbers, and
            amounts of ``MAX_ORE`` öre or more.
    """
    if isinstance(value, bool):
        raise AmountError(N_("A yes/no value is not an amount."))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise AmountError(N_("“%(text)s” is not a number."), text=value) from None
    else:
        raise TypeError(f"cannot make money of {type(value).__name__}")
    if not number.is_finite():
        raise AmountError(N_("“%(text)s” is not a finite amount."), text=str(value))
    if abs(number) >= Decimal(MAX_ORE).scaleb(-2):
        raise AmountError(TOO_LARGE, text=str(value)[:40])
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def to_ore(amount: Decimal) -> int:
    """Return ``amount`` (already money, see :func:`to_money`) as whole öre."""
    return int(to_money(amount).scaleb(2))


def from_ore(ore: int | Decimal) -> Decimal:
    """Return whole öre (an ``int``, or a ``Decimal`` as PostgreSQL sums come back) as money."""
    return (Decimal(ore).scaleb(-2)).quantize(CENT)


def parse_amount(text: str, *, max_decimals: int = 2) -> Decimal:
    """Read an amount the way a Swedish or English speaker writes it.

    Accepted: ``1234.50``, ``1234,5``, ``1 234,50``, ``1,234.50``, ``1.234,50``, with spaces,
    no-break or thin spaces between thousands; ``kr``, ``SEK``, ``:-``, ``£``, ``€`` around the
    number; negatives as ``-1 234,50``, ``−1 234,50``, ``1 234,50-`` or ``(1 234,50)``.

    One lone separator followed by exactly three digits (``12,345``, ``12.345``) could be a
    thousands separator or a decimal one, so it is refused rather than guessed.

    Args:
        text: what was typed or found in a cell.
        max_decimals: more decimals than this are refused (money has two); pass a larger value
            where the source is known to carry float noise and rounding is intended.

    Returns:
        The amount as money (two decimals, rounded half up when ``max_decimals`` > 2).

    Raises:
        AmountError: with a message that says what was wrong and how to write it.
    """
    raw = text
    s = text.strip()
    if not s:
        raise AmountError(N_("The amount is empty."))
    s = _CURRENCY_MARKS.sub("", s)
    negative = False
    s = s.strip(_SPACES).replace("\u2212", "-")
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip(_SPACES)
    if s.endswith("-"):
        negative, s = not negative, s[:-1].strip(_SPACES)
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip(_SPACES)
    elif s.startswith("+"):
        s = s[1:].strip(_SPACES)

    # Spaces are only ever thousands separators, and only between groups of three digits.
    groups = re.split(f"[{_SPACES}]+", s)
    if len(groups) > 1:
        if not all(g.isdigit() and len(g) == 3 for g in groups[1:-1]) or not groups[0].isdigit():
            raise AmountError(N_("“%(text)s” is not an amount."), text=raw)
        tail = groups[-1]
        if not re.fullmatch(r"\d{3}(?:[.,]\d+)?", tail) or len(groups[0]) > 3:
            raise AmountError(N_("“%(text)s” is not an amount."), text=raw)
        s = "".join(groups)
        spaced = True
    else:
        spaced = False

    if not _SHAPE.match(s):
        raise AmountError(N_("“%(text)s” is not an amount. Write it like 1 234,50."), text=raw)

    integer, fraction = _split_decimal(s, raw, spaced=spaced)
    if len(fraction) > max_decimals:
        raise AmountError(
            N_("“%(text)s” has more than two decimals; amounts are kept to the öre."), text=raw
        )
    number = Decimal(f"{integer}.{fraction or '0'}")
    try:
        return to_money(-number if negative else number)
    except AmountError as error:  # too large: say so in the words that were typed
        raise AmountError(error.message, text=raw.strip()[:40]) from None


def _split_decimal(s: str, raw: str, *, spaced: bool) -> tuple[str, str]:
    """Split digits with "," and "." into integer and fraction digits, or refuse to guess."""
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        if s.count(decimal_sep) > 1:
            raise AmountError(N_("“%(text)s” is not an amount."), text=raw)
        integer, fraction = s.split(decimal_sep)
        _check_grouping(integer, thousands_sep, raw)
        return integer.replace(thousands_sep, ""), fraction
    sep = "," if commas else "." if dots else ""
    if not sep:
        return s, ""
    count = commas or dots
    if count > 1:
        if spaced:
            raise AmountError(N_("“%(text)s” is not an amount."), text=raw)
        _check_grouping(s, sep, raw)
        return s.replace(sep, ""), ""
    integer, fraction = s.split(sep)
    if not integer or not fraction:
        raise AmountError(N_("“%(text)s” is not an amount."), text=raw)
    if len(fraction) == 3 and not spaced and len(integer) <= 3:
        raise AmountError(
            N_(
                "“%(text)s” is ambiguous: is the separator for decimals or thousands? "
                "Write 12345 or 12 345 for a whole number, 12,35 for kronor and öre."
            ),
            text=raw,
        )
    return integer, fraction


def _check_grouping(integer: str, sep: str, raw: str) -> None:
    """Refuse "1,23,456": thousands separators must split groups of exactly three digits."""
    parts = integer.split(sep)
    if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])):
        raise AmountError(N_("“%(text)s” has thousands separators in the wrong places."), text=raw)


#: How each currency is written after (or before) the number, by interface language.
_SYMBOLS = {"SEK": "kr"}


def format_money(
    amount: Decimal | None, currency: str = "SEK", *, locale: str = "sv", symbol: bool = True
) -> str:
    """Return ``amount`` as a reader expects it: ``1 234 567,50 kr`` in Swedish,
    ``SEK 1,234,567.50`` in English.

    Groups are separated by a no-break space (U+00A0) so an amount never wraps over two lines;
    negatives use the ASCII hyphen-minus so a copied figure pastes into any spreadsheet.
    ``None`` becomes an empty string.
    """
    if amount is None:
        return ""
    amount = to_money(amount)
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(amount):,.2f}"  # "1,234,567.50": Python groups by thousands
    if locale.startswith("sv"):
        number = sign + grouped.replace(",", "\u00a0").replace(".", ",")
        if not symbol:
            return number
        return f"{number}\u00a0{_SYMBOLS.get(currency, currency)}"
    number = sign + grouped
    return f"{currency}\u00a0{number}" if symbol else number


def format_number(value: Decimal | int | None, places: int = 0, *, locale: str = "sv") -> str:
    """A count or quantity as a reader writes it: ``1 234,5`` in Swedish, ``1,234.5`` in
    English (no-break spaces between groups); ``None`` becomes an empty string."""
    if value is None:
        return ""
    text = f"{Decimal(value):,.{places}f}"
    if locale.startswith("sv"):
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_hours(value: Decimal | None, *, locale: str = "sv") -> str:
    """Hours with at most two decimals, trailing zeros dropped: ``12,5`` (``12.5``)."""
    if value is None:
        return ""
    text = format_number(value, 2, locale=locale)
    sep = "," if locale.startswith("sv") else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text
