"""The fields an import fills, and the names their columns go by in Swedish, English,
Norwegian, Danish, Finnish and German ledgers, and in Dutch, Czech, Icelandic and Portuguese
ones met in public files.

Each field has *synonyms* (a header that is exactly one of them names the field) and may
have *keywords* (a header holding one of them, and none of the field's *blockers*, is a
candidate for the field when no header names it exactly: "Invoice Net Amt" holds "amount",
"Supplier Classification" holds "supplier" but also the blocker "classification"). Every name
is compared as :func:`app.importing.headers.header_key` makes it: case, accents, spacing,
punctuation, camelCase, currency marks and common abbreviations do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Kinds of records an import can create.
KINDS = ("invoices", "contracts", "engagements")


@dataclass(frozen=True)
class FieldSpec:
    """A field an import fills, and the column names it goes by (as written; the matcher
    normalises them)."""

    name: str
    synonyms: tuple[str, ...]
    required: bool = False
    keywords: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    #: Words of which a header found by a keyword must also hold one ("Payment" alone is not
    #: a date; "Payment Date" is).
    needs: tuple[str, ...] = ()
    #: What the cells hold: "text", "amount", "date" or "id" (for reading a column's content).
    content: str = "text"


def _spec(name: str, *synonyms: str, **options) -> FieldSpec:
    return FieldSpec(name, synonyms, **options)


# fmt: off
#: Words that make a header something other than a name (a number, a code, an address, the
#: buyer…).
_NOT_A_NAME = (
    "id", "identifier", "number", "code", "type", "class", "classification", "category",
    "post", "postcode", "postal", "zip", "address", "adress", "vat", "moms", "reference",
    "country", "city", "county", "status", "registration", "account", "konto", "bank",
    "iban", "email", "phone", "group", "size", "sme", "org", "organisation", "orgnr",
    "nummer", "nr", "kod", "typ", "land", "kopare", "buyer", "customer", "kund", "purchaser",
    "bestallare", "body", "sektor", "sector", "form", "kaupandi", "portador", "orgao",
    "unidade", "gestora", "cpf", "cnpj", "kbo",
)
#: Words that make a header something other than the amount excluding VAT.
_NOT_THE_AMOUNT = (
    "vat", "moms", "mva", "alv", "mwst", "ust", "tax", "irrecoverable", "currency", "valuta",
    "code", "number", "type", "category", "description", "date", "datum", "id", "quantity",
    "hours", "rate", "original", "budget", "year", "period", "count", "antal",
)
#: Words that make a date something other than an invoice's or a payment's.
_NOT_THE_DATE = (
    "start", "end", "from", "to", "due", "expiry", "birth", "created", "modified", "updated",
    "forfallo", "forfallodatum", "forfallodag", "faellig", "erapaiva", "effective",
    "splatnosti", "splatnost", "stornovani", "storno", "cancelled", "reversed",
)
_DATE_WORDS = ("date", "datum", "dato", "paivamaara", "pvm", "paiva", "dag", "data",
               "dagsetning", "dags")
_PAYMENT_WORDS = (
    "payment", "paid", "pay", "check", "cheque", "betald", "betalt", "betalning", "betaling",
    "utbetalning", "udbetaling", "utbetaling", "zahlung", "bezahlt", "maksu", "maksettu",
    "uhrady", "platby", "greidslu", "pagamento", "betaald",
)

#: The fields of each kind. Synonyms are tried in order: the first one a header holds wins.
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "invoices": (
        _spec(
            "vendor_name",
            # sv
            "leverantör", "leverantörsnamn", "leverantörens namn", "leverantor",
            "leverantor namn", "motpart", "betalningsmottagare", "mottagare",
            # en
            "supplier", "supplier name", "beneficiary", "beneficiary name", "vendor",
            "vendor name", "payee", "payee name", "creditor", "creditor name", "merchant",
            "merchant name", "contractor", "contractor name", "recipient", "recipient name",
            "company name",
            # no, da
            "leverandør", "leverandørnavn", "leverandørens navn", "mottaker",
            "betalingsmottaker", "modtager", "betalingsmodtager", "kreditor", "kreditornavn",
            # fi
            "toimittaja", "toimittajan nimi", "toimittaja nimi", "saaja", "maksunsaaja",
            "laskuttaja", "myyjä",
            # de
            "lieferant", "lieferantenname", "lieferant name", "empfänger",
            "zahlungsempfänger", "auftragnehmer", "zuwendungsempfänger",
            # nl
            "leverancier", "naam leverancier", "begunstigde", "naam begunstigde", "ontvanger",
            "naam ontvanger", "subsidieontvanger", "naam subsidieontvanger", "crediteur",
            # cs
            "dodavatel", "název dodavatele", "obchodní partner", "název obchodního partnera",
            "příjemce",
            # is
            "birgi", "birgir", "nafn birgja", "seljandi", "viðtakandi",
            # pt
            "favorecido", "nome favorecido", "nome do favorecido", "fornecedor",
            "nome fornecedor", "nome do fornecedor", "credor", "nome credor", "beneficiário",
            # a bare "Name" in a payments ledger is the payee's
            "name", "namn", "navn", "nimi", "naam",
            required=True,
            keywords=(
                "supplier", "vendor", "payee", "beneficiary", "creditor", "merchant",
                "contractor", "recipient", "leverantor", "leverandor", "mottagare",
                "mottaker", "modtager", "kreditor", "toimittaja", "saaja", "lieferant",
                "empfanger", "dodavatel", "partnera", "leverancier", "begunstigde",
                "ontvanger", "birgi", "birgir", "favorecido", "fornecedor",
            ),
            blockers=_NOT_A_NAME,
        ),
        _spec(
            "vendor_org_number",
            "organisationsnummer", "org nr", "orgnr", "organisationsnr", "leverantor id",
            "leverantörens organisationsnummer", "organisatio", "company number",
            "supplier company number", "company registration number", "registration number",
            "companies house number", "vat registration number", "vat number",
            "organisasjonsnummer", "cvr", "cvr nr", "cvr nummer", "y tunnus", "ytunnus",
            "ust idnr", "handelsregisternummer", "tax id", "ein", "ičo", "ico", "ič dodavatele",
            "kbo nr", "kbo nummer", "ondernemingsnummer", "kennitala", "cnpj",
            "cnpj ou cpf favorecido", "cpf cnpj",
            content="id",
        ),
        _spec(
            "vendor_ref",
            "leverantörsnummer", "leverantörsnr", "leverantör nr", "leverantörs id",
            "supplier id", "supplier number", "supplier code", "supplier ref", "vendor id",
            "vendor number", "vendor code", "creditor number", "payee id",
            "leverandørnummer", "kreditornummer", "toimittajanumero", "lieferantennummer",
            "kreditorennummer", "kód partnera", "kod partnera", "leveranciersnummer",
            content="id",
        ),
        _spec(
            "invoice_number",
            "fakturanummer", "fakturanr", "fakt nr", "faktura nr", "invoice number",
            "invoice id", "invoice reference", "transaction number", "transaction id",
            "verifikationsnummer", "verifikationsnr", "ver nr", "document number",
            "voucher number", "reference", "reference number", "payment reference",
            "payment number", "check number", "cheque number", "bilagsnummer", "bilag nr",
            "laskunumero", "laskun numero", "rechnungsnummer", "rechnungsnr", "belegnummer",
            "beleg nr", "číslo faktury dodavatele", "číslo faktury", "evidenční číslo",
            "factuurnummer", "númer reiknings", "reikningsnúmer", "número da nota",
            "numero documento",
            content="id",
        ),
        _spec(
            "invoiced_on",
            "fakturadatum", "datum", "bokföringsdatum", "transaktionsdatum",
            "verifikationsdatum", "registreringsdatum", "invoice date", "date",
            "transaction date", "posting date", "posted date", "document date",
            "accounting date", "voucher date", "effective date", "fakturadato", "dato",
            "bokføringsdato", "transaksjonsdato", "bogføringsdato", "posteringsdato",
            "laskun päivämäärä", "laskupäivä", "päivämäärä", "pvm", "kirjauspäivä",
            "tapahtumapäivä", "rechnungsdatum", "buchungsdatum", "belegdatum",
            "datum vystavení", "datum zaúčtování", "factuurdatum", "boekingsdatum",
            "dagsetning", "dags reiknings", "data", "data transação", "data emissão",
            "data do documento",
            keywords=_DATE_WORDS,
            blockers=_NOT_THE_DATE + _PAYMENT_WORDS,
            content="date",
        ),
        _spec(
            "paid_on",
            "betaldatum", "betalningsdatum", "utbetalningsdatum", "betalt", "payment date",
            "date paid", "paid date", "paid on", "date of payment", "check date",
            "cheque date", "check payment date", "betalingsdato", "betalt dato",
            "utbetalingsdato", "udbetalingsdato", "maksupäivä", "maksupäivämäärä",
            "maksettu", "zahlungsdatum", "zahldatum", "bezahlt am", "auszahlungsdatum",
            "datum úhrady", "datum platby", "betaaldatum", "datum betaling",
            "dags greiðslu", "greiðsludagur", "data pagamento", "data de pagamento",
            keywords=_PAYMENT_WORDS,
            blockers=_NOT_THE_DATE,
            needs=_DATE_WORDS,
            content="date",
        ),
        _spec(
            "net_amount",
            # the amount excluding VAT, and a line's amount, before a whole invoice's
            "belopp exkl moms", "summa exkl moms", "nettobelopp", "net amount",
            "amount excl vat", "invoice net amount", "částka bez dph řádek", "částka bez dph",
            "částka řádek", "upphæð línu",
            "belopp", "utfall", "amount", "net", "value", "total", "amount paid",
            "paid amount", "payment amount", "invoice amount", "transaction amount", "spend",
            "expenditure", "beløp", "nettobeløp", "beløb", "nettobeløb", "summa", "määrä",
            "netto", "betrag", "nettobetrag", "summe", "gesamtzuwendung", "zuwendungsbetrag",
            "förderbetrag", "částka", "fakturováno", "uhrazeno", "betaald", "bedrag",
            "uitbetaald", "betaald bedrag", "upphæð", "fjárhæð", "valor", "valor transação",
            "valor pago", "valor líquido",
            required=True,
            keywords=(
                "amount", "belopp", "belop", "belob", "betrag", "summa", "summe", "maara",
                "value", "total", "spend", "utfall", "castka", "bedrag", "upphaed", "valor",
                "zuwendung",
            ),
            blockers=_NOT_THE_AMOUNT,
            content="amount",
        ),
        _spec(
            "vat_amount",
            "moms", "momsbelopp", "vat", "vat amount", "irrecoverable vat",
            "irrecoverable vat amount", "tax", "tax amount", "sales tax", "mva", "mva beløp",
            "momsbeløb", "alv", "arvonlisävero", "mwst", "mehrwertsteuer", "umsatzsteuer",
            "dph", "btw", "virðisaukaskattur",
            keywords=("vat", "moms", "mva", "alv", "mwst", "btw"),
            blockers=("number", "registration", "code", "rate", "id"),
            content="amount",
        ),
        _spec("currency", "valuta", "currency", "currency code", "valuutta", "währung",
              "munt", "gjaldmiðill", "moeda"),
        _spec(
            "category",
            "konto", "kontotext", "konto text", "kontobenämning", "kontonamn",
            "kostnadsslag", "expenditure category", "category", "merchant category",
            "expense type", "detailed expenditure type", "account", "account name",
            "account description", "account detail", "expense category", "spend category",
            "cost type", "subjective", "subjective description", "kontonavn", "kategori",
            "tili", "tilin nimi", "kululaji", "kategoria", "kontobezeichnung", "kategorie",
            "kostenart", "sachkonto", "rekening", "kostensoort", "thema", "tegund",
            "bókhaldslykill", "transação", "tipo de despesa", "natureza da despesa",
            keywords=("category", "kategori", "kategorie", "kategoria", "account", "konto",
                      "subjective", "expenditure", "expense"),
            blockers=("code", "number", "id", "supplier", "vendor", "type code"),
        ),
        _spec(
            "category_code",
            "konto nr", "kontonummer", "account code", "account number", "expenditure code",
            "detailed expenditure code", "subjective code", "sachkontonummer",
            "rekeningnummer",
            content="id",
        ),
        _spec(
            "department",
            "förvaltning", "forvaltning", "nämnd", "rn1 förvaltning", "ansvar",
            "avdelning", "enhet", "department", "service", "service area", "service label",
            "directorate", "organisational unit", "cost centre", "cost centre name",
            "service division", "division", "expense area", "business unit", "avdeling",
            "afdeling", "osasto", "yksikkö", "toimiala", "abteilung", "bereich",
            "kostenstelle", "dienststelle", "behörde", "středisko", "útvar", "verstrekker",
            "dienst", "entiteit", "kaupandi", "stofnun", "nome órgão", "órgão",
            "nome órgão superior", "nome unidade gestora", "unidade gestora",
            keywords=("department", "directorate", "division", "service", "unit",
                      "forvaltning", "avdelning", "avdeling", "afdeling", "osasto",
                      "abteilung", "kostenstelle", "centre"),
            blockers=("code", "number", "id", "type"),
        ),
        _spec(
            "description",
            "beskrivning", "text", "fakturatext", "purpose", "description", "narrative",
            "expense description", "details", "transaction description", "item description",
            "line description", "beskrivelse", "tekst", "kuvaus", "selite", "beschreibung",
            "verwendungszweck", "buchungstext", "zuwendung für", "účel platby", "účel",
            "popis", "omschrijving", "lýsing", "descrição", "histórico",
            keywords=("description", "beskrivning", "purpose", "narrative", "beskrivelse",
                      "kuvaus", "selite", "beschreibung", "omschrijving"),
            blockers=("code", "number", "id", "account", "category"),
        ),
        _spec(
            "contract_reference",
            "avtal", "avtalsnummer", "avtal id", "contract", "contract reference",
            "contract number", "contract id", "avtale", "kontrakt", "aftale", "sopimus",
            "sopimusnumero", "vertrag", "vertragsnummer", "contract nummer", "contrato",
            content="id",
        ),
        _spec("hours", "timmar", "antal timmar", "hours", "timer", "tunnit", "stunden",
              "uren", content="amount"),
        # The period a row without a date belongs to: dated the last day of its month (or
        # year). A year alone dates a register of yearly grants.
        _spec("year", "år", "year", "jaar", "jahr", "vuosi", "rok", "ár", "ano",
              "ano extrato", "boekjaar", "budget year", content="id"),
        _spec("month", "månad", "month", "maand", "monat", "kuukausi", "měsíc", "mánuður",
              "mes", "mês extrato", content="id"),
    ),
    "contracts": (
        _spec(
            "vendor_name",
            "leverantör", "leverantörsnamn", "supplier", "supplier name", "vendor",
            "vendor name", "contractor", "contractor name", "leverandør", "toimittaja",
            "lieferant", "auftragnehmer", "leverancier", "dodavatel", "birgi", "fornecedor",
            required=True,
        ),
        _spec(
            "vendor_org_number",
            "organisationsnummer", "org nr", "orgnr", "company number",
            "supplier company number", "registration number",
            content="id",
        ),
        _spec(
            "reference",
            "diarienummer", "avtalsnummer", "referens", "reference", "reference number",
            "contract reference", "contract number", "vertragsnummer",
            required=True,
            content="id",
        ),
        _spec(
            "title",
            "titel", "rubrik", "benämning", "title", "contract title", "description en",
            "description",
            required=True,
        ),
        _spec(
            "signed_on",
            "avtalsdatum", "tecknat", "undertecknat", "contract date", "date signed",
            "award date",
            content="date",
        ),
        _spec(
            "starts_on",
            "startdatum", "avtalsstart", "from", "start date", "contract period start",
            "contract start",
            content="date",
        ),
        _spec(
            "ends_on",
            "slutdatum", "avtalsslut", "to", "end date", "delivery date", "contract end",
            "contract period end",
            content="date",
        ),
        _spec(
            "value",
            "värde", "avtalsvärde", "kontrakterat värde", "value", "contract value",
            "total value",
            required=True,
            content="amount",
        ),
        _spec("original_value", "ursprungligt värde", "original value", content="amount"),
        _spec("group", "amendment group", "d amendment group id", "grupp", content="id"),
        _spec("currency", "valuta", "currency"),
        _spec("procurement", "upphandlingsform", "procurement", "tender or quote", "procedure"),
        _spec("amendment", "ändring", "instrument type", "amendment", "is amendment"),
    ),
    "engagements": (
        _spec(
            "organiser_name",
            "arrangör", "uppdragsgivare", "kund", "organiser", "organizer", "client",
            required=True,
        ),
        _spec("organiser_org_number", "organisationsnummer", "org nr", "orgnr", content="id"),
        _spec(
            "first_day",
            "datum", "första dag", "startdatum", "från", "date", "first day", "start date",
            required=True,
            content="date",
        ),
        _spec("last_day", "sista dag", "slutdatum", "till", "last day", "end date",
              content="date"),
        _spec("topic", "ämne", "rubrik", "föreläsning", "topic", "title", "subject",
              required=True),
        _spec("speaker", "talare", "föreläsare", "speaker", "lecturer"),
        _spec("outgoing_invoice_number", "fakturanummer", "vårt fakturanummer",
              "invoice number", content="id"),
        _spec("paid_on", "betald", "betaldatum", "paid on", "payment date", content="date"),
        _spec("travel_amount", "resekostnad", "resa och logi", "travel", "travel and lodging",
              content="amount"),
    ),
}
# fmt: on

#: Fields of which a kind needs one (any): an invoice needs a date, of either kind, unless
#: the period is given.
DATE_GROUP = {"invoices": ("invoiced_on", "paid_on")}
#: Fields that date a row without a date of its own (its period), by kind.
PERIOD_FIELDS = {"invoices": ("year", "month")}
#: Words that mark the start and the end of a period in a header ("Zeitraum Von", "Bis"):
#: of a pair of dates, the start dates the row.
START_WORDS = frozenset({"von", "from", "start", "beginn", "fran", "fra", "od", "alkaen",
                         "alku", "begin", "van", "inicio"})  # fmt: skip
END_WORDS = frozenset({"bis", "to", "end", "slut", "till", "til", "do", "loppu", "tot",
                       "einde", "fim"})  # fmt: skip

#: Fields as messages name them: a Swedish and an English column name.
_DESCRIBED = {
    "vendor_name": "leverantör / supplier",
    "net_amount": "belopp / amount",
    "invoiced_on": "datum / date",
    "paid_on": "betaldatum / payment date",
    "reference": "diarienummer / reference",
    "title": "titel / title",
    "value": "värde / value",
    "organiser_name": "arrangör / organiser",
    "first_day": "datum / date",
    "topic": "ämne / topic",
}


def spec_of(kind: str, name: str) -> FieldSpec:
    """The :class:`FieldSpec` of field ``name`` of ``kind``.

    Raises:
        StopIteration: the kind has no such field.
    """
    return next(spec for spec in FIELDS[kind] if spec.name == name)


def describe(kind: str, name: str) -> str:
    """A field as messages name it: "leverantör / supplier"."""
    return _DESCRIBED.get(name) or spec_of(kind, name).synonyms[0]


def field_names(kind: str) -> set[str]:
    return {spec.name for spec in FIELDS[kind]}


def required_fields(kind: str) -> list[str]:
    return [spec.name for spec in FIELDS[kind] if spec.required]
