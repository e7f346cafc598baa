"""``insyn imports list`` and ``insyn imports undo N --reason … --as EMAIL``: mistakes undone
from the command line by an administrator, audited, after which the same file imports again
with other options; what the import created and nothing else uses is withdrawn."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.models import AuditEvent
from app.models import Category
from app.models import ImportBatch
from app.models import Invoice
from app.models import Vendor
from app.models import VendorAlias
from app.services.vendors import VendorFilters
from app.services.vendors import vendor_select
from tests.test_importing_errors import import_file

#: The invoice date and the due date, both named: a first import reads the wrong one.
LEDGER = (
    "Leverantör;Org.nr;Fakturadatum;Förfallodatum;Belopp;Konto\n"
    "Penseo AB;556703-7485;2010-03-01;2010-03-31;1 000,00;4620 Konsulttjänster\n"
    "Mediabyrån AB;556811-9357;2010-03-04;2010-04-03;2 500,50;4630 Tryck\n"
)


def _live(db) -> list[tuple]:
    return db.session.execute(
        sa.select(Invoice.invoiced_on, Invoice.net_amount)
        .where(Invoice.voided_at.is_(None))
        .order_by(Invoice.invoiced_on)
    ).all()


def test_undo_then_a_reimport_with_another_column_gives_the_corrected_dates(
    runner, db, tmp_path, make_user
):
    admin = make_user("admin")
    path = tmp_path / "fakturor.csv"
    path.write_text(LEDGER, encoding="utf-8")
    wrong = import_file(runner, path, "--column", "invoiced_on=Förfallodatum")
    assert wrong.exit_code == 0, wrong.output
    assert _live(db) == [
        (dt.date(2010, 3, 31), Decimal("1000.00")),
        (dt.date(2010, 4, 3), Decimal("2500.50")),
    ]
    batch_id = db.session.scalar(sa.select(ImportBatch.id))
    # The same file again is recognised, whatever the options: nothing doubles.
    again = import_file(runner, path, "--column", "invoiced_on=Fakturadatum")
    assert "Already imported" in again.output

    listed = runner.invoke(args=["imports", "list"])
    assert listed.exit_code == 0
    assert f"{batch_id:>5}  " in listed.output and "fakturor.csv" in listed.output
    assert "standing" in listed.output

    undone = runner.invoke(
        args=["imports", "undo", str(batch_id), "--reason", "Fel datumkolumn", "--as", admin.email]
    )
    assert undone.exit_code == 0, undone.output
    assert "2 records voided" in undone.output
    assert "UNDONE" in runner.invoke(args=["imports", "list"]).output
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.record_type == "import_batches", AuditEvent.action == "void"
        )
    ).one()
    assert event.actor_id == admin.id and admin.email in event.actor
    assert event.changes["reason"] == [None, "Fel datumkolumn"]

    right = import_file(runner, path, "--column", "invoiced_on=Fakturadatum")
    assert right.exit_code == 0, right.output
    assert "Imported:  2" in right.output
    assert _live(db) == [
        (dt.date(2010, 3, 1), Decimal("1000.00")),
        (dt.date(2010, 3, 4), Decimal("2500.50")),
    ]
    # The first import's rows stay on record, voided; the vendors came back in use.
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Invoice).where(Invoice.voided_at.is_not(None))
        )
        == 2
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 2
    assert not db.session.scalars(sa.select(Vendor).where(Vendor.withdrawn_at.is_not(None))).all()


def test_only_an_active_administrator_may_undo(runner, db, tmp_path, make_user):
    clerk = make_user("clerk")
    path = tmp_path / "fakturor.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert import_file(runner, path).exit_code == 0
    batch_id = db.session.scalar(sa.select(ImportBatch.id))
    for who in (clerk.email, "nobody@kommun.example"):
        refused = runner.invoke(
            args=["imports", "undo", str(batch_id), "--reason", "Fel", "--as", who]
        )
        assert refused.exit_code == 1
        assert "is not an active administrator's account" in refused.output
    missing = runner.invoke(
        args=["imports", "undo", "999999", "--reason", "Fel", "--as", make_user("admin").email]
    )
    assert missing.exit_code == 1 and "There is no import 999999" in missing.output
    no_reason = runner.invoke(args=["imports", "undo", str(batch_id), "--as", clerk.email])
    assert no_reason.exit_code == 2  # click: --reason is required
    assert db.session.get(ImportBatch, batch_id).undone_at is None


def test_undo_withdraws_what_the_import_created_and_nothing_else_uses(
    runner, db, tmp_path, make_user, make_vendor
):
    admin = make_user("admin")
    known = make_vendor(name="Penseo Aktiebolag", org_number="556703-7485")
    path = tmp_path / "fakturor.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert import_file(runner, path).exit_code == 0
    batch_id = db.session.scalar(sa.select(ImportBatch.id))
    created = db.session.scalars(sa.select(Vendor).where(Vendor.import_batch_id == batch_id)).all()
    assert [v.name for v in created] == ["Mediabyrån AB"]
    # The file's spelling of the vendor it found by org number is kept.
    assert [a.name for a in db.session.get(Vendor, known.id).aliases] == ["Penseo AB"]

    undone = runner.invoke(
        args=["imports", "undo", str(batch_id), "--reason", "Fel fil", "--as", admin.email]
    )
    assert undone.exit_code == 0, undone.output
    db.session.expire_all()
    mediabyran = db.session.get(Vendor, created[0].id)
    assert mediabyran.withdrawn_at is not None  # its voided invoices still name it
    assert db.session.get(Vendor, known.id).withdrawn_at is None  # not the import's to withdraw
    assert db.session.scalars(sa.select(VendorAlias)).all() == []
    assert {v.name for v in db.session.scalars(vendor_select(VendorFilters()))} == {
        "Penseo Aktiebolag"
    }
    categories = db.session.scalars(sa.select(Category)).all()
    assert categories and all(c.withdrawn_at is not None for c in categories)
    withdrawn = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.record_type == "vendors", AuditEvent.record_id == mediabyran.id
        )
    ).all()
    assert any("withdrawn_at" in e.changes for e in withdrawn)


def test_an_entry_nothing_points_at_is_deleted_on_undo(runner, db, tmp_path, make_user):
    admin = make_user("admin")
    path = tmp_path / "fakturor.csv"
    # The second row is invalid and skipped: its vendor and account were created for it.
    path.write_text(
        "Leverantör;Fakturadatum;Belopp;Konto\n"
        "Penseo AB;2010-03-01;1 000,00;4620 Konsult\n"
        "Ensam AB;2010-02-30;5,00;9999 Ensamkonto\n",
        encoding="utf-8",
    )
    assert import_file(runner, path, "--skip-invalid").exit_code == 0
    batch_id = db.session.scalar(sa.select(ImportBatch.id))
    assert db.session.scalar(sa.select(Vendor).where(Vendor.name == "Ensam AB")) is not None
    undone = runner.invoke(
        args=["imports", "undo", str(batch_id), "--reason", "Prov", "--as", admin.email]
    )
    assert undone.exit_code == 0, undone.output
    assert db.session.scalar(sa.select(Vendor).where(Vendor.name == "Ensam AB")) is None
    assert db.session.scalar(sa.select(Category).where(Category.name == "9999 Ensamkonto")) is None
    deleted = db.session.scalars(
        sa.select(AuditEvent.record_label).where(
            AuditEvent.action == "delete", AuditEvent.record_type == "vendors"
        )
    ).all()
    assert deleted == ["Ensam AB"]
