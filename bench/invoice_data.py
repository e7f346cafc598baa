"""A realistic supplier-invoice ledger of any size, as a workbook and as a Swedish CSV file.

The rows are what a Swedish municipality's leverantörsreskontra looks like: about 2,000
vendors with a long tail (a few vendors hold most rows), valid organisation numbers, invoice
numbers in each vendor's own style, posting dates over 15 years in ledger order, amounts in
kronor with öre (about 3 % credit notes), and accounts and committees from short lists.

Everything is drawn from a seeded generator, so the same ``rows`` give the same file, and
:func:`invoice_rows` can be replayed (by the bare insert) without reading the files back.
The generated files are kept under ``bench/out/`` keyed by the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from stdnum.se import orgnr

#: Bump when the rows change, so cached files are made again.
DATA_VERSION = 1
SEED = 20_100_101
VENDORS = 2_000
#: Zipf exponent of the vendors' shares: the largest vendor holds about a sixth of the rows,
#: the ten largest about half, and the tail a handful each.
ZIPF = 1.1
FIRST_DAY = dt.date(2010, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
CREDIT_SHARE = 0.03
HEADERS = (
    "Leverantör",
    "Organisationsnummer",
    "Fakturanummer",
    "Fakturadatum",
    "Belopp",
    "Konto",
    "Förvaltning",
)
SHEET = "Leverantörsfakturor"
MONEY_FORMAT = "#,##0.00"

# Word lists as one string each: they read as the lists of names they are.
_SURNAMES = (  # noqa: SIM905
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson "
    "Lindström Lindqvist Lindgren Axelsson Bergström Lundberg Lundgren Lundqvist Mattsson "
    "Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Eklund "
    "Danielsson Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson "
    "Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson "
    "Nordström Mårtensson Lundström Viklund Björklund Eliasson Pålsson Berggren Sandström "
    "Nordin Ström Åberg Hermansson Ekström Holmgren Sundberg Hedlund Dahlberg Hellström Sjögren"
).split()
_PLACES = (  # noqa: SIM905
    "Norrlands Mälardalens Skånes Västsvenska Östgöta Dalarnas Upplands Smålands Göteborgs "
    "Stockholms Norrköpings Jämtlands Hallands Värmlands Gotlands Västerbottens Sörmlands "
    "Blekinge Örebro Kalmar Gävle Sundsvalls Luleå Umeå Växjö Jönköpings Borås Karlstads"
).split()
_COUNTIES = (
    "Stockholm",
    "Uppsala",
    "Sörmland",
    "Östergötland",
    "Jönköpings län",
    "Kronoberg",
    "Kalmar län",
    "Gotland",
    "Blekinge",
    "Skåne",
    "Halland",
    "Västra Götaland",
    "Värmland",
    "Örebro län",
    "Västmanland",
    "Dalarna",
    "Gävleborg",
    "Västernorrland",
    "Jämtland Härjedalen",
    "Västerbotten",
    "Norrbotten",
)
#: Trades, each with the account its invoices usually go to.
_TRADES = {
    "Bygg": "Bygg- och anläggningstjänster",
    "Konsult": "Konsulttjänster",
    "IT-konsult": "IT-tjänster",
    "Data": "IT-tjänster",
    "Revision": "Revision och redovisning",
    "Redovisning": "Revision och redovisning",
    "Städ": "Lokalvård",
    "Fastighetsservice": "Fastighetsskötsel",
    "Transport": "Transporter och frakt",
    "Åkeri": "Transporter och frakt",
    "Management": "Konsulttjänster",
    "Juridik": "Juridiska tjänster",
    "Advokatbyrå": "Juridiska tjänster",
    "Arkitekter": "Bygg- och anläggningstjänster",
    "El": "Reparation och underhåll",
    "VVS": "Reparation och underhåll",
    "Måleri": "Reparation och underhåll",
    "Kommunikation": "Reklam och information",
    "Reklambyrå": "Reklam och information",
    "Utbildning": "Kurser och konferenser",
    "Rekrytering": "Bemanning och rekrytering",
    "Bemanning": "Bemanning och rekrytering",
    "Trädgård": "Fastighetsskötsel",
    "Tryckeri": "Trycksaker",
    "Ingenjörer": "Konsulttjänster",
    "Miljökonsult": "Konsulttjänster",
    "Vård": "Köp av verksamhet",
    "Omsorg": "Köp av verksamhet",
    "Säkerhet": "Bevakning och larm",
    "Kontorsmaterial": "Förbrukningsmaterial",
}
CATEGORIES = tuple(sorted(set(_TRADES.values()) | {"Lokalhyra", "Livsmedel", "Telefoni"}))
DEPARTMENTS = (
    "Kommunstyrelseförvaltningen",
    "Barn- och utbildningsförvaltningen",
    "Socialförvaltningen",
    "Vård- och omsorgsförvaltningen",
    "Samhällsbyggnadsförvaltningen",
    "Kultur- och fritidsförvaltningen",
    "Miljö- och hälsoskyddsförvaltningen",
    "Tekniska förvaltningen",
    "Serviceförvaltningen",
    "Arbetsmarknadsförvaltningen",
)
#: The committees' shares of the rows: schools and care buy most.
_DEPARTMENT_WEIGHTS = tuple(itertools.accumulate((12, 22, 18, 20, 10, 6, 3, 5, 3, 1)))


@dataclass(frozen=True)
class Vendor:
    name: str
    org_number: str  #: NNNNNN-NNNN, valid check digit
    category: str  #: the account most of its invoices go to
    style: str  #: how it numbers invoices: "digits", "prefixed" or "yearly"
    prefix: str
    first_number: int
    scale: float  #: multiplies the amounts: some vendors send large invoices


@dataclass
class Dataset:
    """The generated files and what they must import as."""

    rows: int
    vendors: int  #: distinct vendors that occur in the rows
    credit_notes: int
    total: Decimal  #: the sum of every amount, in kronor (exact)
    xlsx: Path
    csv: Path
    cached: bool = False
    seconds: float = 0.0

    @property
    def total_ore(self) -> int:
        return int(self.total.scaleb(2))


def luhn_digit(digits: str) -> int:
    """The Luhn check digit for ``digits`` (weights 2, 1, 2, … from the left, as Swedish
    organisation numbers use them over their first nine digits)."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _org_number(rng: random.Random, legal_form_digit: str, taken: set[str]) -> str:
    while True:
        # The third digit is 2 or more, which tells an organisation number from a birth date.
        body = legal_form_digit + str(rng.randint(0, 9)) + str(rng.randint(2, 9))
        body += "".join(str(rng.randint(0, 9)) for _ in range(6))
        number = f"{body[:6]}-{body[6:]}{luhn_digit(body)}"
        if number not in taken and orgnr.is_valid(number):
            taken.add(number)
            return number


def make_vendors(rng: random.Random, count: int = VENDORS) -> list[Vendor]:
    """``count`` vendors with distinct names and organisation numbers, largest first."""
    names: set[str] = set()
    numbers: set[str] = set()
    vendors: list[Vendor] = []
    trades = list(_TRADES)
    while len(vendors) < count:
        trade = rng.choice(trades)
        surname, other, place = rng.choice(_SURNAMES), rng.choice(_SURNAMES), rng.choice(_PLACES)
        form = rng.random()
        if form < 0.55:
            name, digit = f"{surname}s {trade} AB", "5"
        elif form < 0.75:
            name, digit = f"{place} {trade} AB", "5"
        elif form < 0.83:
            name, digit = f"{surname} & {other} {trade} HB", "9"
        elif form < 0.90:
            name, digit = f"{trade}gruppen i {place.rstrip('s')} AB", "5"
        elif form < 0.95:
            name, digit = f"{place} {trade} ekonomisk förening", "7"
        elif form < 0.98:
            name, digit = f"Stiftelsen {surname}s {trade}", "8"
        else:
            county = rng.choice(_COUNTIES)
            name, digit, trade = f"Region {county}", "2", "Vård"
        if name in names:
            continue
        names.add(name)
        style = rng.choice(("digits", "digits", "prefixed", "yearly"))
        vendors.append(
            Vendor(
                name=name,
                org_number=_org_number(rng, digit, numbers),
                category=_TRADES[trade],
                style=style,
                prefix=rng.choice(("F", "INV", "FA-", "R")),
                first_number=rng.randint(1_000, 9_000_000),
                scale=rng.lognormvariate(0, 0.7),
            )
        )
    return vendors


def invoice_rows(
    rows: int,
    seed: int = SEED,
    vendor_count: int = VENDORS,
    first_day: dt.date = FIRST_DAY,
    last_day: dt.date = LAST_DAY,
) -> Iterator[tuple]:
    """The ledger's rows, in date order: ``(vendor, invoice number, date, amount)`` plus the
    account and committee. The invoice number is an ``int`` for vendors that number with
    digits only (a number cell in the workbook), else text; the amount is a ``Decimal`` with
    two decimals, negative for a credit note. ``vendor_count`` vendors (the first of
    :func:`make_vendors`'s with the same seed) over ``first_day`` to ``last_day``."""
    rng = random.Random(seed)
    vendors = make_vendors(rng, vendor_count)
    shares = list(itertools.accumulate(1 / rank**ZIPF for rank in range(1, len(vendors) + 1)))
    span = (last_day - first_day).days + 1
    days = [first_day + dt.timedelta(days=d) for d in range(span)]
    counters = [v.first_number for v in vendors]
    indexes = range(len(vendors))
    lognormal, uniform = rng.lognormvariate, rng.random
    departments = DEPARTMENTS
    number = 0
    while number < rows:
        picks = rng.choices(indexes, cum_weights=shares, k=min(10_000, rows - number))
        for index in picks:
            vendor = vendors[index]
            day = days[number * span // rows]
            number += 1
            # Gaps in the sequence: the vendor invoices other customers too.
            counters[index] += 1 if uniform() < 0.7 else 2
            count = counters[index]
            if vendor.style == "digits":
                invoice_number: int | str = count
            elif vendor.style == "prefixed":
                invoice_number = f"{vendor.prefix}{count}"
            else:
                invoice_number = f"{day.year}-{count % 100_000:05d}"
            ore = max(1, min(int(lognormal(8.5, 1.3) * vendor.scale * 100), 500_000_000))
            if uniform() < 0.2:  # hourly and fixed fees: whole kronor
                ore = max(100, ore - ore % 100)
            if uniform() < CREDIT_SHARE:
                ore = -ore
            category = (
                vendor.category
                if uniform() < 0.75
                else CATEGORIES[int(uniform() * len(CATEGORIES))]
            )
            department = rng.choices(departments, cum_weights=_DEPARTMENT_WEIGHTS)[0]
            yield (
                vendor,
                invoice_number,
                day,
                Decimal(ore).scaleb(-2),
                category,
                department,
            )


def swedish_amount(amount: Decimal) -> str:
    """``Decimal("-1234.5")`` → ``"1 234,50-"``: space thousands, decimal comma, a credit's
    minus trailing, as Swedish finance systems print amounts."""
    text = f"{abs(amount):,.2f}".replace(",", " ").replace(".", ",")
    return text + "-" if amount < 0 else text


def dataset(rows: int, out: Path, regenerate: bool = False) -> Dataset:
    """The files for ``rows`` rows, from the cache under ``out`` when they are there."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"invoices-{rows}"
    xlsx, text, meta = (stem.with_suffix(s) for s in (".xlsx", ".csv", ".json"))
    if not regenerate and xlsx.exists() and text.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known.get("version") == DATA_VERSION and known.get("rows") == rows:
            return Dataset(
                rows=rows,
                vendors=known["vendors"],
                credit_notes=known["credit_notes"],
                total=Decimal(known["total"]),
                xlsx=xlsx,
                csv=text,
                cached=True,
            )
    started = time.perf_counter()
    data = _write(rows, xlsx, text)
    data.seconds = time.perf_counter() - started
    meta.write_text(
        json.dumps(
            {
                "version": DATA_VERSION,
                "rows": rows,
                "vendors": data.vendors,
                "credit_notes": data.credit_notes,
                "total": str(data.total),
            },
            indent=2,
        )
    )
    return data


def _write(rows: int, xlsx: Path, text: Path) -> Dataset:
    """Write both files in one pass over the rows (to temporary names, renamed when done, so
    an interrupted run leaves nothing that looks cached)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.append(HEADERS)
    total = Decimal(0)
    credit_notes = 0
    used: set[str] = set()
    partial_csv = text.with_suffix(".csv.partial")
    partial_xlsx = xlsx.with_suffix(".xlsx.partial")
    with partial_csv.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        for vendor, number, day, amount, category, department in invoice_rows(rows):
            total += amount
            credit_notes += amount < 0
            used.add(vendor.org_number)
            money = WriteOnlyCell(sheet, value=amount)
            money.number_format = MONEY_FORMAT
            sheet.append((vendor.name, vendor.org_number, number, day, money, category, department))
            writer.writerow(
                (
                    vendor.name,
                    vendor.org_number,
                    number,
                    day.isoformat(),
                    swedish_amount(amount),
                    category,
                    department,
                )
            )
    workbook.save(partial_xlsx)
    partial_xlsx.replace(xlsx)
    partial_csv.replace(text)
    return Dataset(
        rows=rows, vendors=len(used), credit_notes=credit_notes, total=total, xlsx=xlsx, csv=text
    )
