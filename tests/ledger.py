"""A small ledger, entered through the services, whose every sum is worked out by hand in the
tests that read it (``test_services_totals``, ``test_services_balance``,
``test_services_overview``, ``test_export_golden``).

Invoices (amounts excl. VAT; VAT from the rate, rounded half up to the öre)::

    #  vendor        invoiced    paid        net        VAT      cur  category  dept  contract
    1  Alfa          2010-01-15  2010-02-10  10000.00   2500.00  SEK  Strategi  KLF   K
    2  Alfa          2010-03-31  2010-04-30   2500.50    625.13  SEK  Design    KLF   K
    3  Alfa (credit) 2010-12-20  2011-01-15  -1000.00   -250.00  SEK  Strategi  KLF   K
    4  Beta          2010-03-05  2010-03-30   4000.00    240.00  SEK  Design    KF    -
    5  Beta          2011-02-01  (unpaid)     7000.00   1750.00  SEK  -         KF    -
    6  Gamma         2010-03-10  2010-03-10     99.99      0.00  USD  Design    KLF   -
    7  Gamma         2011-06-01  2011-06-01    100.01      0.00  USD  Strategi  -     -
    8  Nils Nilsson  2010-03-20  2010-04-05   1234.56    308.64  SEK  -         KLF   -
    9  Alfa          2010-05-05  2010-05-31  50000.00  12500.00  SEK  Strategi  KLF   K   VOIDED

Nils Nilsson is a private person (a sole trader). K is "KS 2010/7 Strategiskt stöd" with Alfa.

Day rates: 6 000.00 SEK from 2010-01-01 to 2010-12-31, 8 000.00 SEK from 2011-01-01.
Engagements (fee = started days × the rate in force on the first day; the 2010-09-14 rate is
overridden with a reason; the 2010-10-05 engagement was imported and the import undone)::

    organiser                       days                     rate     fee       travel
    Region Exempelland              2010-03-03–2010-03-04 2  6000.00  12000.00  1480.00
    Region Exempelland              2010-06-01            1  6000.00   6000.00  -
    Region Exempelland              2010-09-14            1  4500.00   4500.00  -  overridden
    Föreningen Digital Förvaltning  2010-12-31–2011-01-01 2  6000.00  12000.00  3900.00
    Föreningen Digital Förvaltning  2011-02-01            1  8000.00   8000.00  -
    Region Exempelland              2010-10-05            1  6000.00   6000.00  -  VOIDED
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from app.extensions import db
from app.models import Category
from app.models import Department
from app.models import ImportBatch
from app.services import contracts
from app.services import imports
from app.services import income
from app.services import invoices
from app.services import lists
from app.services import vendors

D = Decimal
day = dt.date.fromisoformat

#: The contract's label in reports (its reference and title).
CONTRACT = "KS 2010/7 Strategiskt stöd"


def build_ledger() -> SimpleNamespace:
    """Enter the ledger above through the services and commit it (inside the test's
    transaction). Returns its records by name: ``alfa``, ``beta``, ``gamma``, ``nils``,
    ``contract``, ``strategi``, ``design``, ``klf``, ``kf``, ``invoices`` (1–9 as above) and
    ``engagements`` (in the order above)."""
    alfa = vendors.create_vendor({"name": "Alfa Konsult AB"})
    beta = vendors.create_vendor({"name": "Beta Media AB"})
    gamma = vendors.create_vendor({"name": "Gamma Ltd", "country": "GB"})
    nils = vendors.create_vendor({"name": "Nils Nilsson", "is_private_person": True})
    strategi = lists.create_entry(Category, {"name": "Strategi"})
    design = lists.create_entry(Category, {"name": "Design"})
    klf = lists.create_entry(Department, {"name": "Kommunledningsförvaltningen", "code": "KLF"})
    kf = lists.create_entry(Department, {"name": "Kommunfullmäktige", "code": "KF"})
    contract = contracts.create_contract(
        {
            "vendor": alfa,
            "reference": "KS 2010/7",
            "title": "Strategiskt stöd",
            "procurement_basis": "open_tender",
            "starts_on": day("2010-01-01"),
            "ends_on": day("2010-12-31"),
            "ceiling_amount": D("12000.00"),
            "hour_quota": D("12"),
            "hourly_rate": D("1000.00"),
        }
    )

    def invoice(number, vendor, invoiced, paid, net, vat_rate, currency="SEK", **links):
        return invoices.create_invoice(
            {
                "vendor": vendor,
                "invoice_number": number,
                "invoiced_on": day(invoiced),
                "paid_on": day(paid) if paid else None,
                "net_amount": D(net),
                "vat_rate": vat_rate,
                "currency": currency,
                **links,
            }
        )

    at_k = {"contract": contract, "department": klf}
    entered = {
        1: invoice("A-1", alfa, "2010-01-15", "2010-02-10", "10000.00", 25,
                   category=strategi, hours=D("10"), **at_k),
        2: invoice("A-2", alfa, "2010-03-31", "2010-04-30", "2500.50", 25,
                   category=design, hours=D("2.5"), **at_k),
        3: invoice("A-3", alfa, "2010-12-20", "2011-01-15", "-1000.00", 25,
                   category=strategi, hours=D("-1"), **at_k),
        4: invoice("B-1", beta, "2010-03-05", "2010-03-30", "4000.00", 6,
                   category=design, department=kf),
        5: invoice("B-2", beta, "2011-02-01", None, "7000.00", 25, department=kf),
        6: invoice("G-1", gamma, "2010-03-10", "2010-03-10", "99.99", 0, "USD",
                   category=design, department=klf),
        7: invoice("G-2", gamma, "2011-06-01", "2011-06-01", "100.01", 0, "USD",
                   category=strategi),
        8: invoice("N-1", nils, "2010-03-20", "2010-04-05", "1234.56", 25, department=klf),
        9: invoice("A-4", alfa, "2010-05-05", "2010-05-31", "50000.00", 25,
                   category=strategi, hours=D("50"), **at_k),
    }  # fmt: skip
    invoices.void_invoice(entered[9], "Dubblett av A-1")

    income.create_rate_card({"valid_from": day("2010-01-01"), "valid_to": day("2010-12-31"),
                             "day_rate": D("6000.00")})  # fmt: skip
    income.create_rate_card({"valid_from": day("2011-01-01"), "day_rate": D("8000.00")})

    def engagement(organiser, first, last=None, travel=None, **more):
        return income.create_engagement(
            {
                "organiser_name": organiser,
                "first_day": day(first),
                "last_day": day(last) if last else None,
                "topic": "Sociala medier i kommunen",
                "speaker": "Kommunchefen",
                "organiser_pays_travel": travel is not None,
                "travel_amount": D(travel) if travel else None,
                **more,
            }
        )

    region, forening = "Region Exempelland", "Föreningen Digital Förvaltning"
    engagements = [
        engagement(region, "2010-03-03", "2010-03-04", travel="1480.00"),
        engagement(region, "2010-06-01"),
        engagement(region, "2010-09-14", day_rate=D("4500.00"),
                   rate_override_reason="Halvdag, arvode enligt överenskommelse"),
        engagement(forening, "2010-12-31", "2011-01-01", travel="3900.00"),
        engagement(forening, "2011-02-01"),
    ]  # fmt: skip
    # An engagement whose import was undone: on record, voided, never income.
    engagements.append(withdrawn_engagement(region, "2010-10-05"))
    db.session.commit()
    return SimpleNamespace(
        alfa=alfa,
        beta=beta,
        gamma=gamma,
        nils=nils,
        contract=contract,
        strategi=strategi,
        design=design,
        klf=klf,
        kf=kf,
        invoices=entered,
        engagements=engagements,
    )


def withdrawn_engagement(organiser: str, first_day: str, **more):
    """An engagement imported and then withdrawn (its import undone): voided, on record."""
    batch = ImportBatch(filename="arvoden.csv", sha256="0" * 64, kind="engagements")
    db.session.add(batch)
    db.session.flush()
    engagement = income.create_engagement(
        {
            "organiser_name": organiser,
            "first_day": day(first_day),
            "topic": "Sociala medier i kommunen",
            "import_batch": batch,
            "source_row": 2,
            **more,
        }
    )
    imports.undo_batch(batch, "Fel fil")
    return engagement
