"""Reading cells: amounts and text, each column's notation decided from all its cells (dates
are read in ``dates``, the same way).

Every column reader works in two passes. ``observe`` sees each cell of the column during the
first pass and keeps only what is needed to decide (the shapes of amounts, the distinct date
texts), so memory stays flat; ``decide`` settles the notation, or reports why it cannot, with
an example; ``read`` then turns each cell into a value during the second pass, fast.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

from app.importing.errors import Issue
from app.money import N_

# --- amounts -------------------------------------------------------------------------------

#: Digits become 9 and every space-like character one space: "1 234,50 kr" → "9 999,99 kr".
_SHAPE = str.maketrans("0123456789\u00a0\u202f\u2009\u2007", "9999999999    ")
_CURRENCY = re.compile(r"(?i)\s*(?:kr\.?|sek|gbp|eur|usd|cad|nok|dkk|:-|£|€|\$)\s*")
_GROUP = {"dot": "[,' ]", "comma": r"[. ]"}
_SPACES = "\u00a0\u202f\u2009\u2007"


def _pattern(notation: str) -> re.Pattern:
    point = r"\." if notation == "dot" else ","
    group = _GROUP[notation]
    return re.compile(
        rf"^(?P<lead>[-\u2212+])?\s*(?P<open>\()?\s*(?P<int>\d{{1,3}}(?:{group}\d{{3}})+|\d+)"
        rf"(?:{point}(?P<frac>\d+))?\s*(?P<close>\))?\s*(?P<trail>-)?$"
    )


_PATTERNS = {"dot": _pattern("dot"), "comma": _pattern("comma")}
_PLAIN = re.compile(r"^-?\d+$")
#: The largest amount stored, in öre: money is kept as a 64-bit integer of öre (with room).
MAX_ORE = 9 * 10**17
#: The longest text read as an amount ("-9 000 000 000 000 000,00 kr" and then some).
MAX_AMOUNT_TEXT = 40


class AmountColumn:
    """An amount column: decides between decimal point and decimal comma from all its text
    cells; numeric cells (workbooks) need no deciding.

    Args:
        name: the column's header, for messages.
        decimal: ".", "," or "auto" (from the profile).
    """

    def __init__(self, name: str, decimal: str = "auto") -> None:
        self.name = name
        self.preset = {".": "dot", ",": "comma"}.get(decimal)
        self.shapes: dict[str, str] = {}  # shape → an example with that shape
        self.notation: str | None = self.preset

    def observe(self, value) -> bool:
        """Keep the cell's shape for deciding the notation; whether it holds a digit at all
        (a row whose amount holds none may be a header starting another table)."""
        if type(value) is str:
            shape = value.strip().translate(_SHAPE)
            if shape not in self.shapes:
                self.shapes[shape] = value.strip()
            return "9" in shape
        return value is not None and value is not True and value is not False

    def decide(self) -> Issue | None:
        """Settle the notation; an :class:`Issue` (for the whole column) when the cells are
        written two ways, or every one could be read either way."""
        if self.preset:
            return None
        evidence: dict[str, str] = {}
        ambiguous: str | None = None
        for shape, example in self.shapes.items():
            verdict = _evidence(shape)
            if verdict == "ambiguous":
                ambiguous = ambiguous or example
            elif verdict in ("dot", "comma"):
                evidence.setdefault(verdict, example)
        if len(evidence) == 2:
            return Issue(
                N_(
                    "The amounts in column “%(column)s” are written two ways (%(one)s and "
                    "%(other)s); the decimal separator cannot be told. Give it in the import "
                    "profile."
                ),
                column=self.name,
                params={"column": self.name, "one": evidence["dot"], "other": evidence["comma"]},
            )
        if evidence:
            self.notation = next(iter(evidence))
        elif ambiguous:
            return Issue(
                N_(
                    "The amounts in column “%(column)s” can be read two ways: is “%(example)s” a "
                    "thousand or a decimal number? Give the decimal separator in the import "
                    "profile."
                ),
                column=self.name,
                params={"column": self.name, "example": ambiguous},
            )
        else:
            self.notation = "dot"  # whole numbers only: either reading gives the same
        return None

    def read(self, value) -> int:
        """The cell as whole öre (or pence, cents), rounded half up.

        Raises:
            ValueError: with a message id and the cell quoted, for an empty or unreadable cell.
        """
        kind = type(value)
        if kind is str:
            # The common text cell ("1 234,50", "1234,5-") read at once; any other shape
            # takes the general way below.
            stripped = value.strip()
            fast = (
                _FAST[self.notation or "dot"].fullmatch(stripped)
                if len(stripped) <= MAX_AMOUNT_TEXT
                else None
            )
            if fast is not None:
                lead, whole, fraction, trail = fast.groups()
                if not (lead and trail):
                    ore = int(whole.translate(_SEPARATORS)) * 100 + (
                        int(fraction.ljust(2, "0")) if fraction else 0
                    )
                    return _stored(-ore if lead or trail else ore)
        if kind is float:
            if not math.isfinite(value):  # a hostile file's <v>inf</v> or <v>NaN</v>
                raise ValueError(N_("“%(value)s” is not an amount."))
            if abs(value) > MAX_ORE / 100:  # beyond what is stored (×100 could overflow)
                raise ValueError(N_("“%(value)s” is not an amount."))
            scaled = value * 100
            ore = round(scaled)
            if (
                abs(scaled - ore) > 1e-6
            ):  # not whole öre: round the decimal value, not the binary one
                ore = int((Decimal(repr(value)) * 100).quantize(Decimal(1), ROUND_HALF_UP))
            if ore != ore or abs(ore) > MAX_ORE:  # NaN or beyond what is stored
                raise ValueError(N_("“%(value)s” is not an amount."))
            return int(ore)
        if kind is int:
            return _stored(value * 100)
        if kind is bool or value is None:
            raise ValueError(N_("The amount is missing."))
        text = str(value).strip()
        if not text:
            raise ValueError(N_("The amount is missing."))
        if len(text) > MAX_AMOUNT_TEXT:  # no amount is written that long; int() would refuse
            raise ValueError(N_("“%(value)s” is not an amount."))
        if _PLAIN.match(text):
            return _stored(int(text) * 100)
        return _stored(_read_text(text, self.notation or "dot"))


def _stored(ore: int) -> int:
    """``ore``, unless it is beyond what the database stores (a 64-bit integer)."""
    if abs(ore) > MAX_ORE:
        raise ValueError(N_("“%(value)s” is not an amount."))
    return ore


def _evidence(shape: str) -> str:
    """What one amount shape says about the decimal separator: "dot", "comma", "ambiguous"
    (a lone separator before exactly three digits) or "none" (whole numbers)."""
    body = _CURRENCY.sub("", shape).strip().strip("()-\u2212+ ").replace(" ", "").replace("'", "")
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        return "comma" if body.rfind(",") > body.rfind(".") else "dot"
    if not commas and not dots:
        return "none"
    separator = "," if commas else "."
    if body.count(separator) > 1:  # repeated: a thousands separator
        return "dot" if separator == "," else "comma"
    digits_after = len(body) - body.rfind(separator) - 1
    if digits_after == 3 and len(body.split(separator)[0]) <= 3:
        return "ambiguous"
    return "comma" if separator == "," else "dot"


#: The common shapes, read without the general pattern: "1 234,50", "1234,5-", "-1,234.50".
_FAST = {
    "comma": re.compile(r"(-?)(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:,(\d\d?))?(-?)"),
    "dot": re.compile(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d\d?))?(-?)"),
}
_SEPARATORS = str.maketrans("", "", " ,.'\u00a0\u202f\u2009\u2007")


def _read_text(text: str, notation: str) -> int:
    fast = _FAST[notation].fullmatch(text)
    if fast is not None:
        lead, whole, fraction, trail = fast.groups()
        if not (lead and trail):
            ore = int(whole.translate(_SEPARATORS)) * 100 + (
                int(fraction.ljust(2, "0")) if fraction else 0
            )
            return -ore if lead or trail else ore
    cleaned = text.replace("\u2212", "-")
    if not cleaned[:1].isdigit() or not cleaned[-1:].isdigit():
        cleaned = _CURRENCY.sub(" ", cleaned).strip()
    for space in _SPACES:
        cleaned = cleaned.replace(space, " ")
    match = _PATTERNS[notation].match(cleaned)
    if match is None:
        raise ValueError(N_("“%(value)s” is not an amount."))
    negative = sum(1 for g in ("lead", "trail") if match.group(g) == "-")
    if match.group("open") or match.group("close"):
        if not (match.group("open") and match.group("close")):
            raise ValueError(N_("“%(value)s” is not an amount."))
        negative += 1
    whole = int(match.group("int").translate(_SEPARATORS))
    fraction = match.group("frac") or ""
    if len(fraction) <= 2:
        ore = whole * 100 + int(fraction.ljust(2, "0") or 0)
    else:  # float noise written as text ("73757.23999999999"): round half up to the öre
        ore = int((Decimal(f"{whole}.{fraction}") * 100).quantize(Decimal(1), ROUND_HALF_UP))
    return -ore if negative % 2 else ore


# --- text ----------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def text(value) -> str | None:
    """A text cell trimmed, inner whitespace collapsed (no-break spaces too), or ``None``.
    Numbers read as text lose a float's ``.0`` (an invoice number 28266168.0 is "28266168")."""
    if value is None:
        return None
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() else repr(value)
    elif not isinstance(value, str):
        value = str(value)
    if (
        " " in value
        or "\u00a0" in value
        or "\t" in value
        or value[:1].isspace()
        or value[-1:].isspace()
    ):
        value = _WHITESPACE.sub(" ", value.replace("\u00a0", " ")).strip()
    return value or None


def split_code(value: str | None) -> tuple[str | None, str | None]:
    """``"46362 Köp medicinskt färdigbeh"`` → ("46362", "Köp medicinskt färdigbeh"); a cell
    without a leading code gives (None, the text)."""
    if not value:
        return None, None
    head, _, rest = value.partition(" ")
    if rest and any(ch.isdigit() for ch in head) and len(head) <= 12:
        return head, rest.strip() or None
    if head.isupper() and 2 <= len(head) <= 5 and rest:
        return head, rest.strip()
    return None, value


def decimal_from_ore(ore: int) -> Decimal:
    return Decimal(ore).scaleb(-2)


__all__ = [
    "AmountColumn",
    "InvalidOperation",
    "decimal_from_ore",
    "split_code",
    "text",
]
