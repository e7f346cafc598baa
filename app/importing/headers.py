"""Headers: what each kind of record needs, the names columns go by in Swedish and English
files, and finding the header row below titles and notes.

Header text is compared folded: case, accents, a BOM, punctuation and spacing are ignored, so
``"Leverantör "``, ``"\\ufeffleverantor"`` and ``"LEVERANTÖR"`` are one name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Kinds of records an import can create.
KINDS = ("invoices", "contracts", "engagements")


def fold(text: object) -> str:
    """A header (or any label) folded for comparison: no BOM, accents, case, punctuation or
    runs of spaces. ``"Org.nr"`` → ``"org nr"``, ``"Belopp (SEK)"`` → ``"belopp sek"``."""
    if text is None:
        return ""
    value = str(text).replace("\ufeff", "")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", value).strip()


@dataclass(frozen=True)
class FieldSpec:
    """A field an import fills, and the column names it goes by."""

    name: str
    synonyms: tuple[str, ...]  #: folded
    required: bool = False
    names: tuple[str, ...] = ()  #: as written, for messages


def _spec(name: str, *synonyms: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, tuple(fold(s) for s in synonyms), required, synonyms)


#: The fields of each kind, with Swedish and English synonyms (the Swedish leverantörsreskontra
#: specification, the UK transparency code, and what finance systems print).
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "invoices": (
        _spec(
            "vendor_name",
            "leverantör",
            "leverantörsnamn",
            "leverantor",
            "supplier",
            "supplier name",
            "beneficiary",
            "beneficiary name",
            "vendor",
            "vendor name",
            "payee",
            "motpart",
            required=True,
        ),
        _spec(
            "vendor_org_number",
            "organisationsnummer",
            "org nr",
            "orgnr",
            "organisationsnr",
            "leverantor id",
            "leverantörens organisationsnummer",
            "organisatio",
            "company number",
            "supplier company number",
            "registration number",
            "vat registration number",
        ),
        _spec(
            "vendor_ref",
            "leverantörsnummer",
            "leverantörsnr",
            "supplier id",
            "supplier number",
            "vendor id",
            "vendor number",
            "creditor number",
        ),
        _spec(
            "invoice_number",
            "fakturanummer",
            "fakturanr",
            "fakt nr",
            "invoice number",
            "invoice no",
            "transaction number",
            "transaction no",
            "verifikationsnummer",
            "verifikationsnr",
            "ver nr",
            "document number",
            "reference",
        ),
        _spec(
            "invoiced_on",
            "fakturadatum",
            "datum",
            "bokföringsdatum",
            "invoice date",
            "date",
            "transaction date",
            "effective date",
        ),
        _spec(
            "paid_on",
            "betaldatum",
            "betalningsdatum",
            "utbetalningsdatum",
            "payment date",
            "date paid",
            "paid date",
        ),
        _spec(
            "net_amount",
            "belopp",
            "utfall",
            "belopp exkl moms",
            "nettobelopp",
            "amount",
            "net amount",
            "amount excl vat",
            "value",
            "summa exkl moms",
            required=True,
        ),
        _spec(
            "vat_amount",
            "moms",
            "momsbelopp",
            "vat",
            "vat amount",
            "irrecoverable vat",
            "irrecoverable vat amount",
        ),
        _spec("currency", "valuta", "currency"),
        _spec(
            "category",
            "konto",
            "kontotext",
            "konto text",
            "kontobenämning",
            "expenditure category",
            "category",
            "merchant category",
            "expense type",
            "detailed expenditure type",
            "account",
        ),
        _spec(
            "category_code",
            "konto nr",
            "kontonummer",
            "konto nr",
            "account code",
            "expenditure code",
            "detailed expenditure code",
        ),
        _spec(
            "department",
            "förvaltning",
            "forvaltning",
            "nämnd",
            "rn1 förvaltning",
            "ansvar",
            "department",
            "service",
            "service area",
            "service label",
            "directorate",
            "organisational unit",
            "cost centre",
        ),
        _spec(
            "description",
            "beskrivning",
            "text",
            "fakturatext",
            "purpose",
            "description",
            "narrative",
            "expense description",
        ),
        _spec(
            "contract_reference",
            "avtal",
            "avtalsnummer",
            "avtal id",
            "contract",
            "contract reference",
        ),
        _spec("hours", "timmar", "antal timmar", "hours"),
    ),
    "contracts": (
        _spec(
            "vendor_name",
            "leverantör",
            "leverantörsnamn",
            "supplier",
            "supplier name",
            "vendor",
            "vendor name",
            required=True,
        ),
        _spec(
            "vendor_org_number",
            "organisationsnummer",
            "org nr",
            "orgnr",
            "company number",
            "supplier company number",
            "registration number",
        ),
        _spec(
            "reference",
            "diarienummer",
            "avtalsnummer",
            "referens",
            "reference",
            "reference number",
            "contract reference",
            "contract number",
            required=True,
        ),
        _spec(
            "title",
            "titel",
            "rubrik",
            "benämning",
            "title",
            "contract title",
            "description en",
            "description",
            required=True,
        ),
        _spec(
            "signed_on",
            "avtalsdatum",
            "tecknat",
            "undertecknat",
            "contract date",
            "date signed",
            "award date",
        ),
        _spec(
            "starts_on",
            "startdatum",
            "avtalsstart",
            "from",
            "start date",
            "contract period start",
            "contract start",
        ),
        _spec(
            "ends_on",
            "slutdatum",
            "avtalsslut",
            "to",
            "end date",
            "delivery date",
            "contract end",
            "contract period end",
        ),
        _spec(
            "value",
            "värde",
            "avtalsvärde",
            "kontrakterat värde",
            "value",
            "contract value",
            "total value",
            required=True,
        ),
        _spec("original_value", "ursprungligt värde", "original value"),
        _spec("group", "amendment group", "d amendment group id", "grupp"),
        _spec("currency", "valuta", "currency"),
        _spec("procurement", "upphandlingsform", "procurement", "tender or quote", "procedure"),
        _spec("amendment", "ändring", "instrument type", "amendment", "is amendment"),
    ),
    "engagements": (
        _spec(
            "organiser_name",
            "arrangör",
            "uppdragsgivare",
            "kund",
            "organiser",
            "organizer",
            "client",
            required=True,
        ),
        _spec("organiser_org_number", "organisationsnummer", "org nr", "orgnr"),
        _spec(
            "first_day",
            "datum",
            "första dag",
            "startdatum",
            "från",
            "date",
            "first day",
            "start date",
            required=True,
        ),
        _spec("last_day", "sista dag", "slutdatum", "till", "last day", "end date"),
        _spec("topic", "ämne", "rubrik", "föreläsning", "topic", "title", "subject", required=True),
        _spec("speaker", "talare", "föreläsare", "speaker", "lecturer"),
        _spec("outgoing_invoice_number", "fakturanummer", "vårt fakturanummer", "invoice number"),
        _spec("paid_on", "betald", "betaldatum", "paid on", "payment date"),
        _spec("travel_amount", "resekostnad", "resa och logi", "travel", "travel and lodging"),
    ),
}


#: Required fields as messages name them: a Swedish and an English column name.
_DESCRIBED = {
    "vendor_name": "leverantör / supplier",
    "net_amount": "belopp / amount",
    "reference": "diarienummer / reference",
    "title": "titel / title",
    "value": "värde / value",
    "organiser_name": "arrangör / organiser",
    "first_day": "datum / date",
    "topic": "ämne / topic",
}


def describe(kind: str, name: str) -> str:
    """A field as the missing-columns message names it: "leverantör / supplier"."""
    return _DESCRIBED.get(name) or next(s for s in FIELDS[kind] if s.name == name).names[0]


def field_names(kind: str) -> set[str]:
    return {spec.name for spec in FIELDS[kind]}


def required_fields(kind: str) -> list[str]:
    return [spec.name for spec in FIELDS[kind] if spec.required]


def match_columns(kind: str, headers: list[str]) -> dict[str, int]:
    """Map fields to column positions by synonyms: for each field, the first column whose
    folded header is one of its names. A column serves one field; more specific names
    ("belopp exkl moms") are preferred by trying every field's names in order."""
    folded = [fold(h) for h in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for spec in FIELDS[kind]:
        for synonym in spec.synonyms:
            for index, name in enumerate(folded):
                if index not in taken and name == synonym:
                    mapping[spec.name] = index
                    taken.add(index)
                    break
            if spec.name in mapping:
                break
    return mapping


def header_score(kind: str, cells: list) -> int:
    """How many fields of ``kind`` a row's cells name: a header row names several."""
    texts = [c for c in cells if isinstance(c, str) and c.strip()]
    if len(texts) < 2:
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
