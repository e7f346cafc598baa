"""Resolving a file's suppliers (``app.importing.resolve``): a row matched to a known supplier
by organisation number keeps the file's own spelling as another spelling of that supplier, so
searching for the name the publisher used finds it; a spelling that names another supplier
is not taken from it; a supplier an undone import withdrew comes back when used again."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import AuditEvent
from app.models import Vendor
from app.models import VendorAlias
from app.services.vendors import VendorFilters
from app.services.vendors import find_by_name
from app.services.vendors import vendor_select
from tests.test_importing_errors import import_file


def _ledger(tmp_path, *rows: str):
    path = tmp_path / "fakturor.csv"
    path.write_text(
        "Leverantör;Org.nr;Fakturanummer;Fakturadatum;Belopp\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return path


def test_the_files_spelling_of_a_supplier_found_by_org_number_is_kept(
    runner, db, tmp_path, make_vendor
):
    known = make_vendor(name="Penseo Aktiebolag", org_number="556703-7485")
    path = _ledger(
        tmp_path,
        "PENSEO AB;556703-7485;F-1;2010-03-01;1 000,00",
        "Penseo AB ;556703-7485;F-2;2010-03-02;500,00",  # the same spelling, spaced and cased
    )
    dry = import_file(runner, path, "--dry-run")
    assert "Other spellings kept (vendors found by organisation number): 1" in dry.output
    assert db.session.scalars(sa.select(VendorAlias)).all() == []  # a preview keeps nothing

    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "New vendors" not in result.output
    db.session.expire_all()
    vendor = db.session.get(Vendor, known.id)
    assert [a.name for a in vendor.aliases] == ["PENSEO AB"]
    assert vendor.aliases[0].import_batch_id is not None
    # The publisher's name finds the supplier.
    assert find_by_name("penseo ab").id == known.id
    found = db.session.scalars(vendor_select(VendorFilters(q="PENSEO AB"))).all()
    assert [v.id for v in found] == [known.id]
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.record_type == "vendors",
            AuditEvent.record_id == known.id,
            AuditEvent.action == "update",
        )
    ).all()
    assert [e.changes["aliases"] for e in events if "aliases" in e.changes] == [
        [None, ["PENSEO AB"]]
    ]


def test_a_spelling_that_names_another_supplier_is_left_to_it(runner, db, tmp_path, make_vendor):
    known = make_vendor(name="Penseo Aktiebolag", org_number="556703-7485")
    other = make_vendor(name="Mediabyrån AB")
    path = _ledger(tmp_path, "Mediabyrån AB;556703-7485;F-9;2010-03-01;1,00")
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Vendor, known.id).aliases == []
    assert find_by_name("Mediabyrån AB").id == other.id


def test_spellings_of_one_org_number_in_one_file_become_one_supplier(runner, db, tmp_path):
    path = _ledger(
        tmp_path,
        "KPA PENSIONSSERVICE AB;556811-9357;1;2016-03-01;100,00",
        "PENSIONSVALET PV;556811-9357;2;2016-03-02;200,00",
    )
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    vendor = db.session.scalars(sa.select(Vendor)).one()
    assert {vendor.name, *(a.name for a in vendor.aliases)} == {
        "KPA PENSIONSSERVICE AB",
        "PENSIONSVALET PV",
    }
    assert vendor.country == "SE"
