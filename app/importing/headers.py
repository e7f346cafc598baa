"""Headers: a column's name as Insyn compares it, the fields each header names, and finding
the header row below titles and notes.

A header is compared as :func:`header_key` makes it: no BOM, accents, case, punctuation,
asterisks, colons or runs of spaces; camelCase split (``PaymentDate`` → "payment date");
currency marks left out (``Net Amount (£)`` → "net amount"); common abbreviations written
out (``Invoice Net Amt`` → "invoice net amount", ``trans_no`` → "transaction number"). So
``"Leverantör "``, ``"\\ufeffleverantor"`` and ``"LEVERANTÖR"`` are one name, and so are
``"* SUPPLIER FINAL"`` and ``"supplier final"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache

from app.importing.synonyms import DATE_GROUP
from app.importing.synonyms import END_WORDS
from app.importing.synonyms import FIELDS
from app.importing.synonyms import KINDS
from app.importing.synonyms import PERIOD_FIELDS
from app.importing.synonyms import START_WORDS
from app.importing.synonyms import FieldSpec
from app.importing.synonyms import describe
from app.importing.synonyms import field_names
from app.importing.synonyms import required_fields
from app.importing.synonyms import spec_of

__all__ = [
    "DATE_GROUP",
    "END_WORDS",
    "PERIOD_FIELDS",
    "START_WORDS",
    "FIELDS",
    "KINDS",
    "FieldSpec",
    "blockers_of",
    "NameMatch",
    "describe",
    "field_names",
    "find_header",
    "fold",
    "header_key",
    "header_score",
    "match_columns",
    "match_names",
    "required_fields",
    "spec_of",
]

#: Letters that Unicode does not split into a base letter and an accent.
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "œ": "oe",
                          "Œ": "OE", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ł": "l",
                          "Ł": "L"})  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
#: The pound sign of the old DOS code pages read as Windows-1252 ("Net Amount(œ)").
_DOS_POUND = re.compile(r"(?<![^\W\d_])œ(?![^\W\d_])")
#: Currency marks in a header: they say the unit, not what the column is.
_CURRENCY_WORDS = frozenset(
    {"sek", "gbp", "eur", "usd", "nok", "dkk", "cad", "aud", "chf", "isk", "kr", "kronor",
     "kroner", "pounds", "sterling", "euro", "euros", "dollars", "czk", "kc"}
)  # fmt: skip
#: Abbreviations and spelling variants, written out: both a header and the synonyms it is
#: compared with go through this, so "Trans No" meets "transaction number".
_WORDS = {
    "amt": "amount", "amnt": "amount", "no": "number", "nr": "number", "nbr": "number",
    "num": "number", "nummer": "number", "trans": "transaction", "txn": "transaction",
    "desc": "description", "descr": "description", "descrptn": "description",
    "dept": "department", "inv": "invoice", "ref": "reference", "pmt": "payment",
    "pymt": "payment", "paymt": "payment", "dt": "date", "acct": "account", "acc": "account",
    "commitmt": "commitment", "supp": "supplier", "suppl": "supplier", "cat": "category",
    "center": "centre", "organization": "organisation", "organizational": "organisational",
    "fakt": "faktura", "lev": "leverantor", "bokf": "bokforing", "ver": "verifikation",
    "kto": "konto", "betr": "betrag", "rg": "rechnung", "tx": "transaction",
}  # fmt: skip


@lru_cache(maxsize=4096)
def header_key(text: object) -> str:
    """A header as Insyn compares it (see the module's docstring); "" for an empty one.

    ``"Net Amount (£)"`` → "net amount", ``"PaymentDate"`` → "payment date",
    ``"* SUPPLIER FINAL"`` → "supplier final", ``"Name:  "`` → "name".
    """
    if text is None:
        return ""
    value = _DOS_POUND.sub(" ", str(text).replace("\ufeff", "")).translate(_LETTERS)
    value = _CAMEL.sub(" ", value)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).casefold()
    words = [_WORDS.get(word, word) for word in _NOT_WORD.sub(" ", value).split()]
    kept = []
    for word in words:
        if word in _CURRENCY_WORDS:
            if kept and kept[-1] in ("in", "i"):
                kept.pop()  # "Gesamtzuwendung (in EURO)", "Belopp i kronor"
            continue
        kept.append(word)
    return " ".join(kept or words)


def fold(text: object) -> str:
    """Any label folded for comparison: no BOM, accents, case, punctuation or runs of spaces.
    ``"Org.nr"`` → ``"org nr"``, ``"Belopp (SEK)"`` → ``"belopp sek"``."""
    if text is None:
        return ""
    value = str(text).replace("\ufeff", "").translate(_LETTERS)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).casefold()
    return _NOT_WORD.sub(" ", value).strip()


@dataclass(frozen=True)
class _Names:
    """A field's names as keys: exact synonyms (in order), multi-word synonyms (found inside
    longer headers), keywords and blockers."""

    exact: dict[str, int]
    phrases: tuple[tuple[str, ...], ...]
    #: The first words of the phrases: a header holding none of them holds no phrase.
    firsts: frozenset[str]
    keywords: frozenset[str]
    blockers: frozenset[str]
    needs: frozenset[str]


@lru_cache(maxsize=64)
def _names(kind: str, name: str) -> _Names:
    spec = spec_of(kind, name)
    exact: dict[str, int] = {}
    for order, synonym in enumerate(spec.synonyms):
        exact.setdefault(header_key(synonym), order)
    phrases = tuple(tuple(key.split()) for key in exact if " " in key)
    return _Names(
        exact=exact,
        phrases=phrases,
        firsts=frozenset(phrase[0] for phrase in phrases),
        keywords=frozenset(header_key(word) for word in spec.keywords),
        blockers=frozenset(header_key(word) for word in spec.blockers),
        needs=frozenset(header_key(word) for word in spec.needs),
    )


def blockers_of(kind: str, name: str) -> frozenset[str]:
    """The words that keep a header from naming field ``name`` of ``kind``."""
    return _names(kind, name).blockers


def _holds(words: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` stands in ``words`` as a run."""
    if phrase[0] not in words:  # the usual answer, found at once
        return False
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _keyword(words: list[str], keywords: frozenset[str]) -> bool:
    """Whether a word is a keyword, or a compound ending in one ("utbetalningsdatum")."""
    for word in words:
        if word in keywords:
            return True
        if len(word) > 6 and any(len(k) >= 4 and word.endswith(k) for k in keywords):
            return True
    return False


@dataclass
class NameMatch:
    """What a header row's names say.

    Attributes:
        columns: field → column position, for headers that name a field exactly.
        candidates: field → the positions whose header holds one of the field's words (not
            taken by an exact name), best first, for the fields no header names exactly.
    """

    columns: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, list[int]] = field(default_factory=dict)


def match_names(
    kind: str, headers: list[str], unfit: dict[str, set[int]] | None = None
) -> NameMatch:
    """Match a header row's columns to the fields of ``kind`` by name.

    Exact names first, field by field in the kind's order, each field taking the first of its
    synonyms a free column has (so "belopp exkl moms" beats "belopp"); then, for the fields
    still without a column, every free column whose header holds one of the field's
    multi-word synonyms or keywords and none of its blockers. ``unfit`` names, per field,
    columns it may not take (their content cannot be it: account numbers are no category).
    """
    keys = [header_key(h) for h in headers]
    unfit = unfit or {}
    match = NameMatch()
    taken: set[int] = set()
    for spec in FIELDS[kind]:
        names = _names(kind, spec.name)
        barred = unfit.get(spec.name, ())
        best: tuple[int, int] | None = None
        for index, key in enumerate(keys):
            if index in taken or not key or index in barred:
                continue
            order = names.exact.get(key)
            if order is not None and (best is None or order < best[0]):
                best = (order, index)
        if best is not None:
            match.columns[spec.name] = best[1]
            taken.add(best[1])
    words = [key.split() for key in keys]
    for spec in FIELDS[kind]:
        if spec.name in match.columns:
            continue
        names = _names(kind, spec.name)
        barred = unfit.get(spec.name, ())
        found = []
        for index, parts in enumerate(words):
            if index in taken or not parts or index in barred:
                continue
            if names.blockers.intersection(parts):
                continue
            if not names.firsts.isdisjoint(parts) and any(
                _holds(parts, phrase) for phrase in names.phrases
            ):
                found.append((0, index))
            elif (
                names.keywords
                and _keyword(parts, names.keywords)
                and (not names.needs or _keyword(parts, names.needs))
            ):
                found.append((1, index))
        if found:
            match.candidates[spec.name] = [index for _rank, index in sorted(found)]
    return match


def match_columns(kind: str, headers: list[str]) -> dict[str, int]:
    """Field → column position by name alone: exact names, then a field's only candidate."""
    match = match_names(kind, headers)
    columns = dict(match.columns)
    used = set(columns.values())
    for name, positions in match.candidates.items():
        free = [p for p in positions if p not in used]
        if len(free) == 1:
            columns[name] = free[0]
            used.add(free[0])
    return columns


def header_score(kind: str, cells: list) -> int:
    """How many fields of ``kind`` a row's cells name: a header row names several."""
    texts = [c if isinstance(c, str) else "" for c in cells]
    if sum(1 for c in texts if c.strip()) < 2:
        return 0
    return len(match_columns(kind, texts))


def find_header(kind: str, sample: list[tuple[int, list]]) -> tuple[int, list] | None:
    """The header among the first rows: the one naming most fields (two at least), the
    earliest on a tie. Title rows, notes and blank rows above it are passed over."""
    best: tuple[int, list] | None = None
    best_score = 1
    for number, cells in sample:
        score = header_score(kind, cells)
        if score > best_score:
            best, best_score = (number, cells), score
    return best
