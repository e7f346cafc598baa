"""Reading a column by its content: what the first rows below a header hold, for choosing
columns whose names do not decide it, and for showing a column with examples.

Nothing here decides how a cell is parsed for keeps (``cells`` does that from the whole
column); it only tells, from a sample, whether a column holds dates, money-shaped numbers or
names, and how clearly.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from app.importing.cells import text
from app.importing.dates import looks_like_date

#: A column is of a kind when at least this share of its filled sample cells is.
PLAUSIBLE = 0.9
#: Money written as text: a sign, a currency mark, digits with separators, decimals, a
#: trailing minus or parentheses.
_MONEY = re.compile(
    r"^[-\u2212+]?\s*\(?\s*(?:[£€$]|kr\.?|sek|gbp|eur|usd|nok|dkk)?\s*"
    r"\d{1,3}(?:[ ,.'\u00a0]?\d{3})*(?:[.,]\d+)?\s*(?:kr\.?|:-|sek|gbp|eur|usd|nok|dkk)?\s*\)?-?$",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
#: Words that are flags, not names.
_FLAGS = frozenset(
    {"true", "false", "yes", "no", "ja", "nej", "sant", "falskt", "y", "n", "x", "j"}
)
#: Words that end a company's name, in the languages Insyn reads.
_LEGAL_FORMS = frozenset(
    {"ab", "aktiebolag", "hb", "kb", "ltd", "limited", "plc", "llp", "llc", "inc", "corp",
     "co", "company", "gmbh", "ag", "kg", "oy", "oyj", "as", "asa", "a/s", "aps", "bv", "nv",
     "sa", "sarl", "srl", "spa", "services", "group", "ek", "förening", "stiftelse", "trust",
     "council", "cic"}
)  # fmt: skip


def filled(cell) -> bool:
    return cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip())


def is_amount(cell) -> bool:
    """A number, or text shaped like money ("1 234,50", "(1,234.50)", "165,547.00-")."""
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int):
        return True
    if isinstance(cell, float):
        return math.isfinite(cell)
    if isinstance(cell, str):
        value = cell.strip()
        return bool(value) and _MONEY.match(value) is not None and not looks_like_date(value)
    return False


def is_name(cell) -> bool:
    """Text with letters that is neither a date nor an amount."""
    return (
        isinstance(cell, str)
        and _LETTER.search(cell) is not None
        and cell.strip().casefold() not in _FLAGS
        and not looks_like_date(cell)
        and not is_amount(cell)
    )


def _fraction(cell) -> bool:
    """Whether an amount has a part below one (öre, pence, cents)."""
    if isinstance(cell, float):
        return not cell.is_integer()
    if isinstance(cell, str):
        return re.search(r"[.,]\d{1,2}\s*\)?-?$", cell.strip()) is not None
    return False


@dataclass(frozen=True)
class ColumnContent:
    """What a column's sample holds.

    Attributes:
        filled: how many sample cells hold anything.
        dates, amounts, names: the share of the filled cells that are dates, amounts, names.
        fractions: the share of the amounts with a part below one.
        distinct: the share of distinct values among the filled cells (1.0: no repeats).
        years_only: every amount is a whole number between 1900 and 2100 (a year column).
        legal_forms: the share of names ending in a legal form ("AB", "Ltd"…).
        samples: the first two filled cells, as text.
    """

    filled: int
    dates: float
    amounts: float
    names: float
    fractions: float
    distinct: float
    years_only: bool
    legal_forms: float
    samples: tuple[str, ...]

    @property
    def is_date(self) -> bool:
        return self.filled > 0 and self.dates >= PLAUSIBLE

    @property
    def is_money(self) -> bool:
        return self.filled > 0 and self.amounts >= PLAUSIBLE and not self.years_only

    @property
    def is_text(self) -> bool:
        return self.filled > 0 and self.names >= PLAUSIBLE

    def kind_fits(self, content: str) -> bool:
        """Whether the column fits a field whose cells are ``content`` ("text", "amount",
        "date" or "id"); an empty sample fits anything."""
        if self.filled == 0:
            return True
        if content == "amount":
            return self.amounts >= PLAUSIBLE
        if content == "date":
            # Serial numbers beside date cells (a workbook's unformatted dates) count too.
            return self.dates >= PLAUSIBLE or (self.dates > 0 and self.dates + self.amounts >= 1)
        if content == "text":
            return self.amounts < PLAUSIBLE and self.dates < PLAUSIBLE
        return True

    @property
    def money_score(self) -> float:
        """How much the column looks like money: amounts with decimals, not one value."""
        return self.amounts + self.fractions + (0.5 if self.distinct > 0.2 else 0.0)

    @property
    def vendor_score(self) -> float:
        """How much the column looks like the names of suppliers: names that repeat, many
        ending in a legal form."""
        repeats = 1.0 - self.distinct if self.filled > 1 else 0.0
        return self.names + 2 * self.legal_forms + repeats


def read_content(cells: list) -> ColumnContent:
    """Describe a column from its sample ``cells`` (in row order)."""
    values = [cell for cell in cells if filled(cell)]
    count = len(values)
    if not count:
        return ColumnContent(0, 0.0, 0.0, 0.0, 0.0, 1.0, False, 0.0, ())
    dates = sum(1 for c in values if isinstance(c, dt.date) or looks_like_date(c))
    amounts = [c for c in values if not isinstance(c, dt.date) and is_amount(c)]
    names = [c for c in values if is_name(c)]
    keys = {(text(c) or "").casefold() for c in values}
    years_only = bool(amounts) and all(
        isinstance(c, int | float) and float(c).is_integer() and 1900 <= c <= 2100 for c in amounts
    )
    legal = sum(
        1
        for c in names
        if (text(c) or "").casefold().replace(".", "").split()[-1:]
        and (text(c) or "").casefold().replace(".", "").split()[-1] in _LEGAL_FORMS
    )
    samples = tuple(shown(c) for c in values[:2])
    return ColumnContent(
        filled=count,
        dates=dates / count,
        amounts=len(amounts) / count,
        names=len(names) / count,
        fractions=(sum(1 for c in amounts if _fraction(c)) / len(amounts)) if amounts else 0.0,
        distinct=len(keys) / count,
        years_only=years_only,
        legal_forms=legal / len(names) if names else 0.0,
        samples=samples,
    )


def shown(cell, limit: int = 40) -> str:
    """A cell as a message quotes it: dates as ISO, numbers without a float's ".0", long
    text cut."""
    if isinstance(cell, dt.datetime):
        value = cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    elif isinstance(cell, dt.date):
        value = cell.isoformat()
    else:
        value = text(cell) or ""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def columns_content(rows: list[list], width: int) -> list[ColumnContent]:
    """The content of each of ``width`` columns over the sample ``rows``."""
    return [read_content([row[i] if i < len(row) else None for row in rows]) for i in range(width)]
