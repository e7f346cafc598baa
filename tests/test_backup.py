"""``insyn backup`` and ``insyn restore``: a backup of the demo data and an imported real file,
changed and then restored, gives back every total and every audit event as they were; a file
that is not an Insyn backup, one of the other kind of database, or one from a newer schema is
refused clearly; nothing is restored without confirmation. On SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import REAL_DATA

CRAVEN = REAL_DATA / "craven_payments_over_500_2017-03.csv"


@pytest.fixture
def installation(databases, migrated_app, tmp_path):
    """An installation holding the demo data and Craven's ledger, imported; its instance
    folder in ``tmp_path``."""
    from app.extensions import db
    from app.services.demo import load_demo

    app = migrated_app(databases.new())
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        load_demo()
        db.session.commit()
        db.session.remove()
    imported = app.test_cli_runner().invoke(args=["import", str(CRAVEN)])
    assert imported.exit_code == 0, imported.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _snapshot(app) -> dict:
    """Every total a reader sees, the size of every table, and every audit event."""
    from app.extensions import db
    from app.models import AuditEvent
    from app.models import Engagement
    from app.models import Invoice
    from app.privacy import Audience
    from app.services.invoice_filters import InvoiceFilters
    from app.services.totals import TotalsQuery
    from app.services.totals import totals

    with app.app_context():
        filters = InvoiceFilters(status="active", audience=Audience.STAFF)
        grouped = [
            (tuple(row.keys.items()), row.currency, row.amount, row.count)
            for row in totals(TotalsQuery(by=("year", "vendor"), filters=filters))
        ]
        tables = {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in db.metadata.tables.items()
        }
        sums = {
            "invoices": db.session.execute(
                sa.select(Invoice.currency, sa.func.sum(Invoice.net_amount))
                .group_by(Invoice.currency)
                .order_by(Invoice.currency)
            ).all(),
            "fees": db.session.scalar(sa.select(sa.func.sum(Engagement.fee_amount))),
        }
        events = [
            (e.id, e.occurred_at, e.actor, e.origin, e.action, e.record_type, e.record_id,
             e.record_version, e.changes)
            for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
        ]  # fmt: skip
        db.session.remove()
    return {"totals": grouped, "tables": tables, "sums": sums, "events": events}


def _change_everything(app) -> None:
    from app.audit import Actor
    from app.audit import acting_as
    from app.extensions import db
    from app.models import Invoice
    from app.services.invoices import create_invoice
    from app.services.invoices import void_invoice
    from app.services.vendors import create_vendor

    with app.app_context(), acting_as(Actor(label="test", origin="command")):
        vendor = create_vendor({"name": "Efter Säkerhetskopian AB"})
        create_invoice({"vendor": vendor, "invoice_number": "E-1", "net_amount": Decimal("5.00"),
                        "invoiced_on": dt.date(2017, 3, 1), "vat_rate": 25})  # fmt: skip
        void_invoice(db.session.scalar(sa.select(Invoice).limit(1)), "Fel")
        db.session.commit()
        db.session.remove()


def test_a_backup_restored_gives_back_every_total_and_every_audit_event(installation, tmp_path):
    runner = installation.test_cli_runner()
    before = _snapshot(installation)
    assert before["events"] and before["tables"]["invoices"] > 171
    backup = tmp_path / "insyn.backup"
    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert backup.stat().st_size > 0 and "Backed up the database" in made.output

    _change_everything(installation)
    assert _snapshot(installation) != before

    restored = runner.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _snapshot(installation) == before
    # What was there before the restore is kept too, and work goes on with new ids.
    kept = list((tmp_path / "instance" / "backups").iterdir())
    assert len(kept) == 1 and kept[0].name.startswith("before-restore-")
    _change_everything(installation)


def test_nothing_is_restored_without_confirmation(installation, tmp_path):
    runner = installation.test_cli_runner()
    backup = tmp_path / "insyn.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    _change_everything(installation)
    changed = _snapshot(installation)
    declined = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert declined.exit_code == 1 and "Nothing restored" in declined.output
    assert _snapshot(installation) == changed


def test_a_file_that_is_not_an_insyn_backup_is_refused(installation, tmp_path):
    import sqlite3

    runner = installation.test_cli_runner()
    before = _snapshot(installation)
    text = tmp_path / "notes.txt"
    text.write_text("inte en säkerhetskopia\n")
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for path, says in (
        (text, "is not an Insyn backup"),
        (other, "but not of Insyn"),
        (tmp_path / "missing.backup", "cannot be read"),
    ):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 2, result.output
        assert says in result.output and "Traceback" not in result.output
    assert _snapshot(installation) == before


def test_a_backup_from_a_newer_schema_is_refused(installation, tmp_path):
    from app.extensions import db

    runner = installation.test_cli_runner()
    with installation.app_context():
        current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
        db.session.commit()
    backup = tmp_path / "newer.backup"
    try:
        assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    finally:
        with installation.app_context():
            db.session.execute(
                sa.text("UPDATE alembic_version SET version_num = :v"), {"v": current}
            )
            db.session.commit()
    before = _snapshot(installation)
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 1, result.output
    assert "made by a newer version of Insyn" in result.output
    assert _snapshot(installation) == before


def test_a_backup_of_the_other_kind_of_database_is_refused(
    installation, tmp_path, migrated_app, databases
):
    runner = installation.test_cli_runner()
    if databases.is_postgres:  # a real SQLite backup of Insyn
        sqlite_app = migrated_app(f"sqlite:///{tmp_path / 'small.sqlite3'}")
        other = tmp_path / "small.backup"
        assert sqlite_app.test_cli_runner().invoke(args=["backup", str(other)]).exit_code == 0
        says = "backup of a SQLite database; this installation runs on PostgreSQL"
    else:  # what pg_dump writes starts so; SQLite has no tools to read further
        other = tmp_path / "insyn.dump"
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
        says = "backup of a PostgreSQL database; this installation runs on SQLite"
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code == 1 and says in result.output, result.output
