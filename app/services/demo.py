"""The demo data set, modelled on the case Insyn was born from (see the README).

A municipality engaged a social-media consultant's company in autumn 2009 under an hour-quota
contract, later extended and expanded, plus a contract for live-streaming council meetings
through 2011. Its 2010 invoices to the company sum to a little over 267,000 SEK excl. VAT; its
chief executive's lectures earned about 100,000 SEK in 2010 at 6,000 SEK per started day,
8,000 SEK from 2011. The yearly totals follow the published figures; every row is
illustrative, and each record says so (vendors in their notes, the rest through the demo
import batch they point at).

Loading is idempotent: a record whose natural key exists is left alone, so running it twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Category
from app.models import Contract
from app.models import Department
from app.models import Engagement
from app.models import ImportBatch
from app.models import Invoice
from app.models import RateCard
from app.models import Vendor
from app.passwords import PasswordPolicy
from app.services import accounts
from app.services import contracts as contract_service
from app.services import income as income_service
from app.services import invoices as invoice_service
from app.services import lists as list_service
from app.services import vendors as vendor_service
from app.services.plausibility import Rules

D = Decimal
day = dt.date.fromisoformat

ILLUSTRATIVE = (
    "Illustrativ exempeldata: årssummorna följer fallet Insyn bygger på, enskilda rader är "
    "påhittade. / Illustrative demo data: yearly totals follow the case, rows are invented."
)

CONSULTANT = "556677-8899"
PHONES = "556123-9871"
PHOTOS = "GB123456789"
VIDEO = "US-VIDEOHOST"

VENDORS = [
    {
        "name": "Sociala Medier i Sörmland AB",
        "org_number": CONSULTANT,
        "aliases": ["SOCIALA MEDIER I SÖRMLAND", "Soc. Medier i Sörmland AB"],
    },
    {"name": "Telefonbutiken i Katrineholm AB", "org_number": PHONES},
    {"name": "Bildarkivet Online Ltd", "org_number": PHOTOS, "country": "GB"},
    {"name": "Videodelning Inc.", "org_number": VIDEO, "country": "US"},
]

CATEGORIES = [
    "Strategi",
    "Utbildning",
    "Anslutning av tjänster",
    "Riktlinjer för sociala medier",
    "Bloggplattform",
    "Design",
    "Facebook-applikationer",
    "Webbsändning",
    "Telefoner och utrustning",
    "Prenumerationer och konton",
]
DEPARTMENTS = [("Kommunledningsförvaltningen", "KLF"), ("Kommunfullmäktige", "KF")]

SOCIAL = "KS 2009/412"
STREAM = "KS 2010/198"
CONTRACTS = [
    {
        "vendor": CONSULTANT,
        "reference": SOCIAL,
        "title": "Konsultstöd för kommunens arbete med sociala medier",
        "purpose": "Strategi, utbildning, riktlinjer och tekniskt stöd för kommunens närvaro i "
        "sociala medier.",
        "procurement_basis": "direct_award",
        "signed_on": day("2009-09-10"),
        "starts_on": day("2009-09-15"),
        "ends_on": day("2010-06-30"),
        "ceiling_amount": D("170000.00"),
        "hour_quota": D("200"),
        "hourly_rate": D("850.00"),
        "amendments": [
            {
                "dated_on": day("2010-05-20"),
                "kind": "extension",
                "new_ends_on": day("2010-12-31"),
                "added_amount": D("68000.00"),
                "added_hours": D("80"),
                "reason": "Förlängning och utökning för utbildning av förvaltningarna.",
            },
            {
                "dated_on": day("2010-11-15"),
                "kind": "expansion",
                "new_ends_on": day("2011-04-30"),
                "added_amount": D("100000.00"),
                "added_hours": D("100"),
                "reason": "Utökning för Facebook-applikationer och uppföljning våren 2011.",
            },
        ],
    },
    {
        "vendor": CONSULTANT,
        "reference": STREAM,
        "title": "Webbsändning av kommunfullmäktiges sammanträden",
        "purpose": "Direktsändning och arkiv av fullmäktiges sammanträden på webben.",
        "procurement_basis": "direct_award",
        "signed_on": day("2010-08-20"),
        "starts_on": day("2010-09-01"),
        "ends_on": day("2011-12-31"),
        "ceiling_amount": D("90000.00"),
        "amendments": [],
    },
]

# (number, invoice date, paid on, net excl. VAT, hours, category, contract, description)
_INVOICES = [
    (
        "F0901",
        "2009-10-30",
        "2009-11-27",
        "34000.00",
        "40",
        "Strategi",
        SOCIAL,
        "Nulägesanalys och förslag till strategi för sociala medier",
    ),
    (
        "F0902",
        "2009-11-30",
        "2009-12-28",
        "30600.00",
        "36",
        "Strategi",
        SOCIAL,
        "Strategiarbete med kommunledningen",
    ),
    (
        "F0903",
        "2009-12-18",
        "2010-01-15",
        "25500.00",
        "30",
        "Utbildning",
        SOCIAL,
        "Utbildning av kommunikatörer, två halvdagar",
    ),
    (
        "F1001",
        "2010-01-29",
        "2010-02-26",
        "20400.00",
        "24",
        "Strategi",
        SOCIAL,
        "Övergripande strategi, förankring i förvaltningarna",
    ),
    (
        "F1002",
        "2010-02-26",
        "2010-03-26",
        "25500.00",
        "30",
        "Utbildning",
        SOCIAL,
        "Utbildning för chefer och medarbetare",
    ),
    (
        "F1003",
        "2010-03-31",
        "2010-04-28",
        "15300.00",
        "18",
        "Strategi",
        SOCIAL,
        "Strategi: mål och mätetal",
    ),
    (
        "F1004",
        "2010-04-30",
        "2010-05-28",
        "22100.00",
        "26",
        "Riktlinjer för sociala medier",
        SOCIAL,
        "Framtagande av riktlinjer för sociala medier",
    ),
    (
        "F1005",
        "2010-05-31",
        "2010-06-28",
        "17000.00",
        "20",
        "Anslutning av tjänster",
        SOCIAL,
        "Anslutning av kommunens tjänster till Twitter, Flickr och YouTube",
    ),
    (
        "F1006",
        "2010-06-30",
        "2010-07-28",
        "18700.00",
        "22",
        "Bloggplattform",
        SOCIAL,
        "Införande av bloggplattform",
    ),
    (
        "F1007",
        "2010-06-30",
        "2010-07-28",
        "12450.00",
        None,
        "Bloggplattform",
        SOCIAL,
        "Bloggplattform: licens och driftsättning",
    ),
    (
        "F1008",
        "2010-08-31",
        "2010-09-28",
        "23800.00",
        "28",
        "Utbildning",
        SOCIAL,
        "Utbildning av bloggare och moderatorer",
    ),
    (
        "F1009",
        "2010-09-30",
        "2010-10-28",
        "25500.00",
        "30",
        "Design",
        SOCIAL,
        "Grafisk design av profilsidor och bloggmall",
    ),
    (
        "K1001",
        "2010-11-05",
        "2010-11-05",
        "-1700.00",
        "-2",
        "Design",
        SOCIAL,
        "Kreditfaktura: två timmar dubbelfakturerade på F1009",
    ),
    (
        "F1010",
        "2010-10-15",
        "2010-11-12",
        "18500.00",
        None,
        "Webbsändning",
        STREAM,
        "Uppsättning av webbsändning, första sammanträdet",
    ),
    (
        "F1011",
        "2010-10-29",
        "2010-11-26",
        "27200.00",
        "32",
        "Facebook-applikationer",
        SOCIAL,
        "Utveckling av Facebook-applikationer",
    ),
    (
        "F1012",
        "2010-11-30",
        "2010-12-28",
        "17000.00",
        "20",
        "Facebook-applikationer",
        SOCIAL,
        "Facebook-applikationer: test och lansering",
    ),
    (
        "F1013",
        "2010-12-10",
        "2011-01-10",
        "12000.00",
        None,
        "Webbsändning",
        STREAM,
        "Webbsändning av fyra sammanträden",
    ),
    (
        "F1014",
        "2010-12-17",
        "2011-01-14",
        "13600.00",
        "16",
        "Strategi",
        SOCIAL,
        "Uppföljning av strategin, årsrapport",
    ),
    (
        "F1101",
        "2011-02-28",
        "2011-03-28",
        "8500.00",
        "10",
        "Strategi",
        SOCIAL,
        "Uppföljning och överlämning",
    ),
    (
        "F1102",
        "2011-03-15",
        "2011-04-12",
        "12000.00",
        None,
        "Webbsändning",
        STREAM,
        "Webbsändning av fyra sammanträden",
    ),
    (
        "F1103",
        "2011-06-20",
        "2011-07-18",
        "12000.00",
        None,
        "Webbsändning",
        STREAM,
        "Webbsändning av fyra sammanträden",
    ),
    (
        "F1104",
        "2011-10-14",
        "2011-11-11",
        "12000.00",
        None,
        "Webbsändning",
        STREAM,
        "Webbsändning av fyra sammanträden",
    ),
]
INVOICES = [
    {
        "vendor": CONSULTANT,
        "invoice_number": n,
        "invoiced_on": day(i),
        "paid_on": day(p),
        "net_amount": D(a),
        "vat_rate": 25,
        "hours": D(h) if h else None,
        "category": c,
        "contract": k,
        "department": "KF" if k == STREAM else "KLF",
        "description": t,
    }
    for n, i, p, a, h, c, k, t in _INVOICES
] + [
    {
        "vendor": PHONES,
        "invoice_number": "40211",
        "invoiced_on": day("2010-03-15"),
        "paid_on": day("2010-04-14"),
        "net_amount": D("15960.00"),
        "vat_rate": 25,
        "category": "Telefoner och utrustning",
        "department": "KLF",
        "description": "Fyra smartphones till kommunikationsavdelningen",
    },
    {
        "vendor": PHONES,
        "invoice_number": "41877",
        "invoiced_on": day("2011-01-20"),
        "paid_on": day("2011-02-18"),
        "net_amount": D("3990.00"),
        "vat_rate": 25,
        "category": "Telefoner och utrustning",
        "department": "KLF",
        "description": "Smartphone till webbredaktör",
    },
    {
        "vendor": PHOTOS,
        "invoice_number": "PRO-2010-0117",
        "invoiced_on": day("2010-01-17"),
        "paid_on": day("2010-01-17"),
        "net_amount": D("24.95"),
        "vat_rate": 0,
        "currency": "USD",
        "category": "Prenumerationer och konton",
        "department": "KLF",
        "description": "Pro-konto för bildarkiv, ett år",
    },
    {
        "vendor": PHOTOS,
        "invoice_number": "PRO-2011-0117",
        "invoiced_on": day("2011-01-17"),
        "paid_on": day("2011-01-17"),
        "net_amount": D("24.95"),
        "vat_rate": 0,
        "currency": "USD",
        "category": "Prenumerationer och konton",
        "department": "KLF",
        "description": "Pro-konto för bildarkiv, ett år",
    },
    {
        "vendor": VIDEO,
        "invoice_number": "VP-88412",
        "invoiced_on": day("2010-05-02"),
        "paid_on": day("2010-05-02"),
        "net_amount": D("59.95"),
        "vat_rate": 0,
        "currency": "USD",
        "category": "Prenumerationer och konton",
        "department": "KLF",
        "description": "Plus-konto för videodelning, ett år",
    },
]

RATE_CARDS = [
    {
        "valid_from": day("2010-01-01"),
        "valid_to": day("2010-12-31"),
        "day_rate": D("6000.00"),
        "basis": "Kommunstyrelsens beslut om föreläsningsarvode 2010 (illustrativt)",
    },
    {
        "valid_from": day("2011-01-01"),
        "valid_to": None,
        "day_rate": D("8000.00"),
        "basis": "Kommunstyrelsens beslut om föreläsningsarvode från 2011 (illustrativt)",
    },
]

# (first day, last day, organiser, org number, topic, travel paid by organiser, paid on)
_ENGAGEMENTS = [
    (
        "2010-02-11",
        "2010-02-11",
        "Nätverket Offentlig Kommunikation",
        "802412-3450",
        "Sociala medier i kommunal verksamhet",
        "2150.00",
        "2010-03-12",
    ),
    (
        "2010-03-09",
        "2010-03-09",
        "Region Exempelland",
        "222000-1230",
        "Kommunen på Facebook",
        "1480.00",
        "2010-04-08",
    ),
    (
        "2010-03-24",
        "2010-03-25",
        "Föreningen Digital Förvaltning",
        "802011-2234",
        "Från strategi till vardag",
        "3900.00",
        "2010-04-23",
    ),
    (
        "2010-04-20",
        "2010-04-20",
        "Kommunalförbundet Mälardalen (exempel)",
        "222000-1230",
        "Medborgardialog på nätet",
        None,
        "2010-05-20",
    ),
    (
        "2010-05-03",
        "2010-05-04",
        "Konferens Webb och Demokrati AB",
        "556432-1098",
        "Öppenhet och sociala medier",
        "4200.00",
        "2010-06-02",
    ),
    (
        "2010-06-08",
        "2010-06-08",
        "Nätverket Offentlig Kommunikation",
        "802412-3450",
        "Riktlinjer för sociala medier",
        "1650.00",
        "2010-07-08",
    ),
    (
        "2010-09-14",
        "2010-09-16",
        "Ledarskapsforum Offentlig Sektor AB",
        "556000-1116",
        "Ledarskap i en öppen organisation",
        "6800.00",
        "2010-10-14",
    ),
    (
        "2010-10-05",
        "2010-10-05",
        "Region Exempelland",
        "222000-1230",
        "Kommunen som avsändare",
        "1480.00",
        "2010-11-04",
    ),
    (
        "2010-10-21",
        "2010-10-22",
        "Föreningen Digital Förvaltning",
        "802011-2234",
        "Webbsänd demokrati",
        None,
        "2010-11-22",
    ),
    (
        "2010-11-11",
        "2010-11-11",
        "Konferens Webb och Demokrati AB",
        "556432-1098",
        "Sociala medier och offentlighetsprincipen",
        "2300.00",
        "2010-12-10",
    ),
    (
        "2010-12-02",
        "2010-12-03",
        "Ledarskapsforum Offentlig Sektor AB",
        "556000-1116",
        "Året med sociala medier",
        "1900.00",
        "2011-01-05",
    ),
    (
        "2011-02-01",
        "2011-02-01",
        "Nätverket Offentlig Kommunikation",
        "802412-3450",
        "Sociala medier: erfarenheter efter ett år",
        "2150.00",
        "2011-03-03",
    ),
    (
        "2011-03-15",
        "2011-03-16",
        "Föreningen Digital Förvaltning",
        "802011-2234",
        "Öppna data och sociala medier",
        "4100.00",
        "2011-04-14",
    ),
    (
        "2011-04-07",
        "2011-04-07",
        "Region Exempelland",
        "222000-1230",
        "Kommunikation i kris",
        None,
        None,
    ),
]
ENGAGEMENTS = [
    {
        "first_day": day(f),
        "last_day": day(last),
        "organiser_name": o,
        "organiser_org_number": n,
        "topic": t,
        "speaker": "Kommunchefen",
        "organiser_pays_travel": True,
        "travel_amount": D(tr) if tr else None,
        "outgoing_invoice_number": f"KF-{f[:4]}-{i + 1:03d}",
        "paid_on": day(p) if p else None,
    }
    for i, (f, last, o, n, t, tr, p) in enumerate(_ENGAGEMENTS)
]


def fingerprint() -> str:
    """SHA-256 of the demo definition: the demo batch's “file” hash."""
    blob = json.dumps([VENDORS, CONTRACTS, INVOICES, RATE_CARDS, ENGAGEMENTS], default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def load_demo(rules: Rules | None = None) -> dict[str, int]:
    """Load the demo data set through the services (so every rule applies), skipping what
    exists. Flushes, never commits. Returns how many records of each kind were added.
    ``rules``: the plausibility rules in force (``None``: the defaults)."""
    added = dict.fromkeys(("vendors", "contracts", "invoices", "rate_cards", "engagements"), 0)
    batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.kind == "demo"))
    if batch is None:
        batch = ImportBatch(
            filename="Insyn demodata (illustrativ)",
            sha256=fingerprint(),
            kind="demo",
            profile="demo",
        )
        db.session.add(batch)

    vendors = {}
    for spec in VENDORS:
        vendor = db.session.scalar(sa.select(Vendor).where(Vendor.org_number == spec["org_number"]))
        if vendor is None:
            vendor = vendor_service.create_vendor({**spec, "notes": ILLUSTRATIVE})
            added["vendors"] += 1
        vendors[spec["org_number"]] = vendor

    categories = {name: list_service.get_or_create(Category, name) for name in CATEGORIES}
    departments = {}
    for name, code in DEPARTMENTS:
        departments[code] = list_service.find_by_name(
            Department, name
        ) or list_service.create_entry(Department, {"name": name, "code": code})

    contracts = {}
    for spec in CONTRACTS:
        contract = db.session.scalar(
            sa.select(Contract).where(Contract.reference == spec["reference"])
        )
        if contract is None:
            data = {k: v for k, v in spec.items() if k != "amendments"}
            contract = contract_service.create_contract(
                {**data, "vendor": vendors[spec["vendor"]], "import_batch": batch, "rules": rules}
            )
            for amendment in spec["amendments"]:
                contract_service.add_amendment(
                    contract, {**amendment, "import_batch": batch, "rules": rules}
                )
            added["contracts"] += 1
        contracts[spec["reference"]] = contract

    for spec in RATE_CARDS:
        exists = db.session.scalar(
            sa.select(RateCard).where(RateCard.valid_from == spec["valid_from"])
        )
        if exists is None:
            income_service.create_rate_card({**spec, "rules": rules})
            added["rate_cards"] += 1

    for row, spec in enumerate(INVOICES, start=1):
        vendor = vendors[spec["vendor"]]
        if invoice_service.find_duplicate(vendor, spec["invoice_number"]) is not None:
            continue
        invoice_service.create_invoice(
            {
                **spec,
                "vendor": vendor,
                "contract": contracts.get(spec.get("contract")),
                "category": categories[spec["category"]],
                "department": departments[spec["department"]],
                "import_batch": batch,
                "source_row": row,
                "rules": rules,
            }
        )
        added["invoices"] += 1

    for row, spec in enumerate(ENGAGEMENTS, start=1):
        exists = db.session.scalar(
            sa.select(Engagement).where(
                Engagement.first_day == spec["first_day"],
                Engagement.organiser_name == spec["organiser_name"],
            )
        )
        if exists is None:
            income_service.create_engagement(
                {**spec, "import_batch": batch, "source_row": row, "rules": rules}
            )
            added["engagements"] += 1

    batch.row_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Invoice).where(Invoice.import_batch_id == batch.id)
    )
    db.session.flush()
    return added


#: Demo accounts: (email, name, role). Their passwords are made up when they are created.
DEMO_USERS = [
    ("admin@insyn.example", "Demo Administratör", "admin"),
    ("clerk@insyn.example", "Demo Handläggare", "clerk"),
    ("auditor@insyn.example", "Demo Revisor", "auditor"),
]


def load_demo_users(policy: PasswordPolicy) -> list[tuple[str, str, str]]:
    """Open the demo accounts that do not exist yet, each with a new random password.
    Flushes, never commits. Returns (email, role, password) of each account opened, so the
    caller can show the passwords once; they are stored only as hashes."""
    created = []
    for email, name, role in DEMO_USERS:
        if accounts.find_user(email) is None:
            password = accounts.generate_password()
            accounts.create_user(
                {"email": email, "name": name, "role": role, "password": password}, policy=policy
            )
            created.append((email, role, password))
    return created
