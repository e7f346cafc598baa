"""One supplier entered twice becomes one vendor: its invoices and contracts move, its names
become other spellings (so a later import finds the vendor kept and imports nothing twice),
and every step is in the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import AuditEvent
from app.models import Invoice
from app.models import Vendor
from app.services.errors import ServiceError
from app.services.vendors import merge_vendors
from tests.test_importing_errors import import_file

LEDGER = (
    "Leverantör;Fakturanummer;Fakturadatum;Belopp\n"
    "Penseo Aktiebolag;P-1;2012-03-01;1 000,00\n"
    "Penseo Aktiebolag;P-2;2012-04-01;2 000,00\n"
)


def _sum(db, vendor: Vendor) -> Decimal:
    return db.session.scalar(
        sa.select(sa.func.sum(Invoice.net_amount)).where(Invoice.vendor_id == vendor.id)
    )


def test_merging_moves_invoices_and_contracts_and_keeps_the_names(
    db, make_vendor, make_contract, make_invoice
):
    target = make_vendor(name="Penseo AB", org_number="556703-7485")
    duplicate = make_vendor(name="PENSEO AKTIEBOLAG", aliases=["Penseo Aktiebolag Sthlm"])
    make_invoice(vendor=target, net_amount=Decimal("500.00"), invoice_number="A-1")
    for number in ("D-1", "D-2"):
        make_invoice(vendor=duplicate, net_amount=Decimal("1000.00"), invoice_number=number)
    contract = make_contract(vendor=duplicate)
    duplicate_id = duplicate.id

    moved = merge_vendors(target, duplicate, target.version)
    db.session.commit()

    assert moved == 2
    assert db.session.get(Vendor, duplicate_id) is None
    assert _sum(db, target) == Decimal("2500.00")
    assert contract.vendor_id == target.id
    assert {a.name for a in target.aliases} == {"PENSEO AKTIEBOLAG", "Penseo Aktiebolag Sthlm"}
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.record_type == "vendors"))
    assert "delete" in {event.action for event in events if event.record_id == duplicate_id}


def test_the_org_number_passes_to_a_vendor_without_one(db, make_vendor):
    target = make_vendor(name="Mediabyrån")
    duplicate = make_vendor(name="Mediabyrån AB", org_number="556811-9357")
    merge_vendors(target, duplicate)
    db.session.commit()
    assert target.org_number == "556811-9357"


def test_two_legal_entities_or_one_vendor_are_refused(db, make_vendor):
    one = make_vendor(name="Penseo AB", org_number="556703-7485")
    other = make_vendor(name="Penseo Konsult AB", org_number="556811-9357")
    with pytest.raises(ServiceError, match="another org number"):
        merge_vendors(one, other)
    db.session.rollback()
    with pytest.raises(ServiceError, match="itself"):
        merge_vendors(one, one)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 2


def test_a_later_import_finds_the_merged_vendor_and_imports_nothing_twice(
    runner, db, make_vendor, tmp_path
):
    target = make_vendor(name="Penseo AB", org_number="556703-7485")
    first = tmp_path / "mars.csv"
    first.write_text(LEDGER, encoding="utf-8")
    assert import_file(runner, first).exit_code == 0
    duplicate = db.session.scalar(sa.select(Vendor).where(Vendor.name == "Penseo Aktiebolag"))
    merge_vendors(target, duplicate)
    db.session.commit()

    # The same rows and one more, in another file: only the new row is imported, to the
    # vendor kept, and no vendor is created.
    second = tmp_path / "april.csv"
    second.write_text(LEDGER + "Penseo Aktiebolag;P-3;2012-05-01;500,00\n", encoding="utf-8")
    result = import_file(runner, second)
    assert result.exit_code == 0, result.output
    assert "Imported:  1\n" in result.output and "Skipped as already imported: 2" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 1
    assert _sum(db, target) == Decimal("3500.00")


def test_an_administrator_merges_on_the_vendor_page(admin_client, db, make_vendor, make_invoice):
    target = make_vendor(name="Penseo AB", org_number="556703-7485")
    duplicate = make_vendor(name="PENSEO AKTIEBOLAG")
    make_invoice(vendor=duplicate, invoiced_on=dt.date(2012, 1, 5), net_amount=Decimal("700.00"))
    page = admin_client.get(f"/vendors/{target.id}").get_data(as_text=True)
    assert f'action="/vendors/{target.id}/merge"' in page

    unconfirmed = {"vendor": "PENSEO AKTIEBOLAG", "version": target.version}
    admin_client.post(f"/vendors/{target.id}/merge", data=unconfirmed)
    assert db.session.get(Vendor, duplicate.id) is not None  # not without the tick

    confirmed = unconfirmed | {"vendor_id": duplicate.id, "confirm": "y"}
    duplicate_id = duplicate.id
    response = admin_client.post(f"/vendors/{target.id}/merge", data=confirmed)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Vendor, duplicate_id) is None
    assert _sum(db, target) == Decimal("700.00")
    page = admin_client.get(f"/vendors/{target.id}").get_data(as_text=True)
    assert "PENSEO AKTIEBOLAG har slagits ihop med Penseo AB: 1 faktura flyttades." in page


@pytest.mark.parametrize(
    "name, key",
    [
        ("Penseo AB", "penseo"),
        ("PENSEO AKTIEBOLAG (publ)", "penseo"),
        ("Svensson & Son HB", "svensson son"),
        ("Svensson och Son", "svensson son"),
        ("Leeds Building Society Ltd.", "leeds building society"),
    ],
)
def test_company_keys_leave_out_legal_forms_case_and_punctuation(name, key):
    from app.services.vendors import company_key

    assert company_key(name) == key


def test_possible_duplicates_group_spellings_but_never_two_org_numbers(
    db, make_vendor, client, anonymous
):
    from app.services.vendors import possible_duplicates

    kept = make_vendor(name="Penseo AB", org_number="556703-7485")
    twice = make_vendor(name="PENSEO AKTIEBOLAG")
    make_vendor(name="Mediabyrån AB", org_number="556811-9357")
    make_vendor(name="Mediabyrån Aktiebolag", org_number="556036-0793")  # another company
    make_vendor(name="Bolaget Ett AB")
    groups = possible_duplicates()
    assert [[v.id for v in g.vendors] for g in groups] == [[kept.id, twice.id]]

    page = client.get("/vendors/duplicates").get_data(as_text=True)  # a clerk
    assert page.count('class="duplicate-group"') == 1 and "PENSEO AKTIEBOLAG" in page
    assert anonymous.get("/vendors/duplicates").status_code in (302, 401)  # staff only


def test_a_merged_vendors_id_is_never_given_to_a_new_vendor(db, make_vendor):
    """The merged vendor's id is in old links, exports and the audit trail: a new supplier
    must not inherit it (SQLite reuses the highest id of a deleted row without
    AUTOINCREMENT)."""
    target = make_vendor(name="Penseo AB")
    duplicate = make_vendor(name="PENSEO AKTIEBOLAG")
    gone = duplicate.id
    merge_vendors(target, duplicate)
    db.session.commit()
    newcomer = make_vendor(name="Helt Annan Leverantör AB")
    assert newcomer.id > gone
